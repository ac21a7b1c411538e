import pytest

from service.assessment.ratings import Rating


def test_five_ratings_best_first_with_chinese_labels():
    assert [(r.value, r.label) for r in Rating] == [
        ("excellent", "优秀"),
        ("good", "优良"),
        ("meets", "达标"),
        ("basic", "基本达标"),
        ("fails", "不达标"),
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
