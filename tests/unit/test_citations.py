from service.web.citations import citation, in_chinese


def test_citations_read_as_chinese_readers_write_them() -> None:
    assert in_chinese("劳动合同法 Arts. 44(1), 46(5)") == "《劳动合同法》第44条第（一）项、第46条第（五）项"
    assert in_chinese("劳动合同法 Arts. 10, 14 ¶3, 82; 实施条例 Arts. 6-7") == (
        "《劳动合同法》第10条、第14条第3款、第82条；《实施条例》第6–7条"
    )
    assert in_chinese("社会保险法 Art. 58") == "《社会保险法》第58条"
    assert in_chinese("local assessment rule; 劳动合同法 Art. 40(2)") == (
        "local assessment rule；《劳动合同法》第40条第（二）项"
    )
    assert in_chinese("劳动合同法 Art. 19 ¶2") == "《劳动合同法》第19条第2款"


def test_english_pages_keep_the_compact_form() -> None:
    assert citation("社会保险法 Art. 58", "en") == "社会保险法 Art. 58"
    assert citation(None, "zh_CN") == ""
