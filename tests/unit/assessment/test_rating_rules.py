from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.assessment.rating_rules import (
    Quota,
    Thresholds,
    quota_places,
    rate,
    rate_group,
    two_consecutive_failures,
)
from service.assessment.ratings import Rating
from service.errors import DomainError

E, G, M, B, F = Rating.EXCELLENT, Rating.GOOD, Rating.MEETS, Rating.BASIC, Rating.FAILS
CUTS = Thresholds(excellent=D("90"), good=D("80"), meets=D("70"), basic=D("60"))
TOP_15 = Quota(E, D("0.15"))


# --- thresholds --------------------------------------------------------------


@pytest.mark.parametrize(
    "score, rating",
    [
        ("100", E),
        ("90", E),
        ("89.99", G),
        ("80", G),
        ("79.99", M),
        ("70", M),
        ("69.99", B),
        ("60", B),
        ("59.99", F),
        ("0", F),
    ],
)
def test_a_score_exactly_at_a_cut_off_earns_the_rating(score, rating):
    assert rate(D(score), CUTS) is rating


def test_rate_refuses_scores_out_of_range():
    with pytest.raises(DomainError):
        rate(D("100.01"), CUTS)


@pytest.mark.parametrize(
    "cuts, field",
    [
        ({"excellent": D("80"), "good": D("80"), "meets": D("70"), "basic": D("60")}, "good"),
        ({"excellent": D("90"), "good": D("70"), "meets": D("80"), "basic": D("60")}, "meets"),
        ({"excellent": D("90"), "good": D("80"), "meets": D("70"), "basic": D("70")}, "basic"),
        ({"excellent": D("101"), "good": D("80"), "meets": D("70"), "basic": D("60")}, "excellent"),
        ({"excellent": D("90"), "good": D("80"), "meets": D("70"), "basic": D("-1")}, "basic"),
    ],
)
def test_cut_offs_must_fall_strictly(cuts, field):
    with pytest.raises(DomainError) as err:
        Thresholds(**cuts)
    assert err.value.field == field


def test_basic_cut_off_may_be_zero():
    assert rate(D("0"), Thresholds(D("90"), D("80"), D("70"), D("0"))) is B


# --- quotas ------------------------------------------------------------------


@pytest.mark.parametrize("share", [D("0"), D("-0.1"), D("1.01")])
def test_quota_share_must_be_a_fraction(share):
    with pytest.raises(DomainError) as err:
        Quota(E, share)
    assert err.value.field == "share"


def test_full_quota_is_allowed_and_no_quota_on_fails():
    assert Quota(E, D("1")).share == 1
    with pytest.raises(DomainError):
        Quota(F, D("0.5"))


@pytest.mark.parametrize("n, places", [(1, 0), (6, 0), (7, 1), (13, 1), (14, 2), (20, 3)])
def test_quota_places_round_down(n, places):
    assert quota_places(D("0.15"), n) == places


def group(*scores):
    return {f"w{i}": D(s) for i, s in enumerate(scores)}


def test_without_quotas_thresholds_decide():
    assert rate_group(group("95", "85", "50"), CUTS) == {"w0": E, "w1": G, "w2": F}


def test_group_of_one_gets_no_excellent_at_15_percent():
    assert rate_group(group("99"), CUTS, [TOP_15]) == {"w0": G}


def test_group_of_six_gets_no_excellent_at_15_percent():
    ratings = rate_group(group("99", "98", "97", "85", "75", "65"), CUTS, [TOP_15])
    assert list(ratings.values()) == [G, G, G, G, M, B]


def test_group_of_seven_gets_one_excellent():
    ratings = rate_group(group("99", "98", "97", "85", "75", "65", "55"), CUTS, [TOP_15])
    assert list(ratings.values()) == [E, G, G, G, M, B, F]


def test_quota_needs_the_threshold_too():
    # 20 workers give 3 places, but only 1 reaches 90
    scores = group("91", *["85"] * 19)
    ratings = rate_group(scores, CUTS, [TOP_15])
    assert ratings["w0"] is E
    assert sum(r is E for r in ratings.values()) == 1


def test_tie_on_the_boundary_demotes_every_tied_worker():
    # 20 workers, 3 places; the 3rd and 4th tie at 93
    scores = group("95", "94", "93", "93", *["50"] * 16)
    ratings = rate_group(scores, CUTS, [TOP_15])
    assert [ratings[w] for w in ("w0", "w1", "w2", "w3")] == [E, E, G, G]


def test_tie_inside_the_places_is_kept():
    # 20 workers, 3 places; 1st and 2nd tie, 4th is lower
    scores = group("95", "95", "93", "92", *["50"] * 16)
    ratings = rate_group(scores, CUTS, [TOP_15])
    assert [ratings[w] for w in ("w0", "w1", "w2", "w3")] == [E, E, E, G]


def test_tie_across_all_places_leaves_none():
    scores = group("95", "95", "95", "95", *["50"] * 16)
    ratings = rate_group(scores, CUTS, [TOP_15])
    assert not any(r is E for r in ratings.values())


def test_demoted_workers_count_against_the_next_quota():
    # 10 workers; excellent 10% = 1 place, good 20% = 2 places
    scores = group("99", "98", "97", "85", *["50"] * 6)
    ratings = rate_group(scores, CUTS, [Quota(E, D("0.1")), Quota(G, D("0.2"))])
    assert [ratings[w] for w in ("w0", "w1", "w2", "w3")] == [E, G, G, M]


def test_two_quotas_for_one_rating_are_refused():
    with pytest.raises(DomainError) as err:
        rate_group(group("99"), CUTS, [TOP_15, Quota(E, D("0.2"))])
    assert err.value.params == {"rating": "Excellent"}  # the msgid, translated at the edge


def test_cut_off_refusal_names_the_ratings_by_msgid():
    with pytest.raises(DomainError) as err:
        Thresholds(excellent=D("90"), good=D("70"), meets=D("80"), basic=D("60"))
    assert err.value.params == {"upper": "Good", "lower": "Up to standard"}


def test_empty_group():
    assert rate_group({}, CUTS, [TOP_15]) == {}


@given(
    st.lists(st.decimals(min_value=0, max_value=100, places=0), max_size=40),
    st.decimals(min_value=D("0.01"), max_value=1, places=2),
)
def test_quota_is_never_exceeded_and_thresholds_always_hold(values, share):
    scores = {f"w{i}": v for i, v in enumerate(values)}
    ratings = rate_group(scores, CUTS, [Quota(E, share)])
    assert sum(r is E for r in ratings.values()) <= quota_places(share, len(values))
    for worker, rating in ratings.items():
        assert rate(scores[worker], CUTS).at_least(rating)
        assert rating.rank - rate(scores[worker], CUTS).rank <= 1


# --- two failures in a row ---------------------------------------------------


@pytest.mark.parametrize(
    "ratings, expected",
    [
        ([], False),
        ([F], False),
        ([F, F], True),
        ([F, B, F], False),
        ([G, F, F, G], True),
        ([M, B, B, F], False),
        ([F, M, F, F], True),
    ],
)
def test_two_consecutive_failures(ratings, expected):
    assert two_consecutive_failures(ratings) is expected
