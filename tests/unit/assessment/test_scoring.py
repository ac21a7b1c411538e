from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.assessment.scoring import (
    ANNUAL_WEIGHTS,
    KIND_LABELS,
    Category,
    DailyRecord,
    RuleItem,
    check_score,
    combine,
    kind_label,
    period_total,
    round_score,
    validate_points,
)
from service.errors import DomainError

LATE = RuleItem("late", "迟到", Category.ATTENDANCE, D("-2"), D("-0.5"), period_cap=D("5"))
DRESS = RuleItem("dress", "着装不规范", Category.DRESS_AND_BEARING, D("-1"), D("-1"))
PRAISE = RuleItem("praise", "群众表扬", Category.SERVICE_QUALITY, D("1"), D("3"), period_cap=D("4"))
ITEMS = (LATE, DRESS, PRAISE)


def rec(item, points, day=1):
    return DailyRecord(item.code, date(2024, 3, day), D(points), "reviewer-1")


# --- rounding and score range ------------------------------------------------


def test_round_score_half_up_to_two_decimals():
    assert round_score(D("89.995")) == D("90.00")
    assert round_score(D("89.994")) == D("89.99")
    assert str(round_score(D("80"))) == "80.00"


def test_check_score_edges():
    assert check_score(D("0")) == 0
    assert check_score(D("100")) == 100
    for bad in (D("-0.01"), D("100.01"), D("NaN"), D("Infinity")):
        with pytest.raises(DomainError):
            check_score(bad)


def test_floats_are_refused():
    with pytest.raises(TypeError):
        check_score(90.0)
    with pytest.raises(TypeError):
        validate_points(LATE, -1.0)


# --- catalogue items ---------------------------------------------------------


def test_item_range_must_be_ordered():
    with pytest.raises(DomainError) as err:
        RuleItem("x", "x", Category.DUTY, D("1"), D("-1"))
    assert err.value.field == "min_points"


@pytest.mark.parametrize("cap", [D("0"), D("-1")])
def test_item_cap_must_be_positive(cap):
    with pytest.raises(DomainError) as err:
        RuleItem("x", "x", Category.DUTY, D("-1"), D("-1"), period_cap=cap)
    assert err.value.field == "period_cap"


@pytest.mark.parametrize("points", ["-2", "-0.5", "-1"])
def test_points_at_and_inside_the_range_are_accepted(points):
    assert validate_points(LATE, D(points)) == D(points)


@pytest.mark.parametrize("points", ["-2.01", "-0.49", "0", "NaN"])
def test_points_beyond_the_range_are_refused(points):
    with pytest.raises(DomainError) as err:
        validate_points(LATE, D(points))
    assert err.value.field == "points"
    assert err.value.params == {"item": "迟到", "min_points": D("-2"), "max_points": D("-0.5")}


# --- period total ------------------------------------------------------------


def test_no_records_gives_the_base_score():
    assert period_total(D("100"), [], ITEMS) == D("100.00")


def test_points_are_added_and_deducted():
    records = [rec(LATE, "-1"), rec(DRESS, "-1"), rec(PRAISE, "2")]
    assert period_total(D("90"), records, ITEMS) == D("90.00")


def test_cap_limits_the_absolute_sum_of_deductions():
    # -2 -2 -2 = -6, capped at -5
    records = [rec(LATE, "-2", d) for d in (1, 2, 3)]
    assert period_total(D("100"), records, ITEMS) == D("95.00")


def test_cap_reached_exactly_is_not_cut():
    records = [rec(LATE, "-2"), rec(LATE, "-2"), rec(LATE, "-1")]
    assert period_total(D("100"), records, ITEMS) == D("95.00")


def test_cap_limits_the_sum_of_additions():
    records = [rec(PRAISE, "3"), rec(PRAISE, "3")]
    assert period_total(D("90"), records, ITEMS) == D("94.00")


def test_item_without_cap_is_unlimited():
    records = [rec(DRESS, "-1", d) for d in range(1, 21)]
    assert period_total(D("100"), records, ITEMS) == D("80.00")


def test_total_is_clamped_at_100():
    assert period_total(D("99"), [rec(PRAISE, "3")], ITEMS) == D("100.00")


def test_total_is_clamped_at_0():
    records = [rec(DRESS, "-1", d) for d in range(1, 31)]
    assert period_total(D("20"), records, ITEMS) == D("0.00")


def test_record_points_are_validated():
    with pytest.raises(DomainError):
        period_total(D("100"), [rec(LATE, "-3")], ITEMS)


def test_unknown_item_is_refused():
    record = DailyRecord("nope", date(2024, 3, 1), D("-1"), "r")
    with pytest.raises(DomainError) as err:
        period_total(D("100"), [record], ITEMS)
    assert err.value.params == {"code": "nope"}


def test_duplicate_item_codes_are_refused():
    with pytest.raises(DomainError):
        period_total(D("100"), [], (LATE, LATE))


@pytest.mark.parametrize("base", [D("-1"), D("100.5")])
def test_base_score_must_be_a_score(base):
    with pytest.raises(DomainError) as err:
        period_total(base, [], ITEMS)
    assert err.value.field == "base_score"


@given(
    base=st.decimals(min_value=0, max_value=100, places=2),
    points=st.lists(
        st.tuples(
            st.sampled_from(ITEMS),
            st.decimals(min_value=-2, max_value=3, places=1),
        ),
        max_size=40,
    ),
)
def test_total_always_within_0_and_100(base, points):
    records = [
        DailyRecord(item.code, date(2024, 3, 1), p, "r") for item, p in points if item.min_points <= p <= item.max_points
    ]
    total = period_total(base, records, ITEMS)
    assert D(0) <= total <= D(100)
    assert total == total.quantize(D("0.01"))


# --- weighted combination ----------------------------------------------------

ANNUAL = {"daily": D("80"), "monthly": D("90"), "quarterly": D("85"), "special": D("70")}


def test_annual_weights_of_seed_003():
    # 80×10% + 90×30% + 85×30% + 70×30% = 8 + 27 + 25.5 + 21
    assert combine(ANNUAL, ANNUAL_WEIGHTS) == D("81.50")
    assert sum(ANNUAL_WEIGHTS.values()) == 1


def test_weights_as_percentages():
    weights = {"daily": D("10"), "monthly": D("30"), "quarterly": D("30"), "special": D("30")}
    assert combine(ANNUAL, weights) == D("81.50")


def test_result_rounded_half_up():
    weights = {"a": D("0.5"), "b": D("0.5")}
    assert combine({"a": D("89.99"), "b": D("90")}, weights) == D("90.00")  # 89.995
    assert combine({"a": D("89.98"), "b": D("90")}, weights) == D("89.99")


@pytest.mark.parametrize(
    "weights",
    [
        {"a": D("0.5"), "b": D("0.49")},
        {"a": D("0.5"), "b": D("0.51")},
        {"a": D("50"), "b": D("49")},
        {"a": D("60"), "b": D("41")},
    ],
)
def test_weights_not_adding_to_1_or_100_are_refused(weights):
    with pytest.raises(DomainError) as err:
        combine({"a": D("80"), "b": D("80")}, weights)
    assert err.value.field == "weights"


@pytest.mark.parametrize("weight", [D("0"), D("-0.1")])
def test_non_positive_weight_is_refused(weight):
    with pytest.raises(DomainError) as err:
        combine({"a": D("80"), "b": D("80")}, {"a": D("1") - weight, "b": weight})
    assert err.value.field == "b"
    assert err.value.params == {"kind": "b"}


def test_kinds_are_named_by_their_msgids():
    with pytest.raises(DomainError) as err:
        combine(ANNUAL, {**ANNUAL_WEIGHTS, "monthly": D("0")})
    assert err.value.field == "monthly"
    assert err.value.params == {"kind": "monthly assessment"}
    assert {kind: kind_label(kind) for kind in ANNUAL_WEIGHTS} == dict(KIND_LABELS)


def test_no_weights_is_refused():
    with pytest.raises(DomainError):
        combine({}, {})


def test_missing_component_is_refused():
    scores = dict(ANNUAL)
    del scores["special"]
    with pytest.raises(DomainError) as err:
        combine(scores, ANNUAL_WEIGHTS)
    assert err.value.field == "special"
    assert err.value.params == {"kind": "special inspection"}


def test_component_without_weight_is_refused():
    with pytest.raises(DomainError) as err:
        combine({**ANNUAL, "bonus": D("100")}, ANNUAL_WEIGHTS)
    assert err.value.params == {"kind": "bonus"}  # a kind without a label, as named


def test_component_out_of_range_is_refused():
    with pytest.raises(DomainError) as err:
        combine({**ANNUAL, "daily": D("101")}, ANNUAL_WEIGHTS)
    assert err.value.field == "daily"


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=4, max_size=4))
def test_combined_score_lies_between_the_components(values):
    scores = dict(zip(ANNUAL_WEIGHTS, values))
    result = combine(scores, ANNUAL_WEIGHTS)
    assert min(values) <= result <= max(values)
