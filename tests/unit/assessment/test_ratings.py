import pytest

from service.assessment.ratings import Rating


def test_five_ratings_best_first_with_msgid_labels_and_chinese_names():
    assert [(r.value, r.label, r.chinese_name) for r in Rating] == [
        ("excellent", "Excellent", "优秀"),
        ("good", "Good", "优良"),
        ("meets", "Up to standard", "达标"),
        ("basic", "Basically up to standard", "基本达标"),
        ("fails", "Below standard", "不达标"),
    ]
    assert [r.rank for r in Rating] == [0, 1, 2, 3, 4]


def test_at_least():
    assert Rating.EXCELLENT.at_least(Rating.GOOD)
    assert Rating.GOOD.at_least(Rating.GOOD)
    assert not Rating.MEETS.at_least(Rating.GOOD)
    assert Rating.FAILS.at_least(Rating.FAILS)


def test_next_lower():
    assert Rating.EXCELLENT.next_lower() is Rating.GOOD
    assert Rating.BASIC.next_lower() is Rating.FAILS
    with pytest.raises(ValueError):
        Rating.FAILS.next_lower()
