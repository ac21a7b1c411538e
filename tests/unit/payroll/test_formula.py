"""Formula components: the safe evaluator, validation on save, valuation in a month."""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.errors import DomainError, InputErrors
from service.payroll.bands.rules import BandPay
from service.payroll.components import formula
from service.payroll.components.rules import (
    ComponentDefinition,
    Method,
    formula_inputs,
    month_components,
    parse_definition,
    value,
)
from service.payroll.payslip import Attendance, ComponentKind

D = Decimal
MARCH = date(2026, 3, 1)
BAND = BandPay(D("3000.00"), D("800.00"), D("1200.00"))
ATTENDANCE = Attendance(
    days_worked=D("20"),
    absence_days=D("1.75"),
    overtime_weekday_hours=D("30"),
    overtime_rest_day_hours=D("8"),
    overtime_holiday_hours=D("0"),
)
INPUTS = formula_inputs(band=BAND, grade=3, hire_date=date(2022, 1, 10), month=MARCH, attendance=ATTENDANCE)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("post_pay * 0.1", "300.00"),
        ("days_worked * 30", "600.00"),
        ("min(overtime_hours, 36) * 20", "720.00"),  # 38 hours capped at 36
        ("max(overtime_hours, 36) * 20", "760.00"),
        ("band_pay", "5000.00"),
        ("band_pay / monthly_pay_days * days_worked", "4597.70"),  # 4597.7011… half up
        ("years_of_service * 50", "200.00"),  # hired 2022-01-10: 4 full years before March 2026
        ("grade * 100 + 0.005", "300.01"),  # half up, not half even
        ("0.1 + 0.2", "0.30"),  # decimal, not binary floating point
        ("1 / 3", "0.33"),
        ("2 / 3", "0.67"),
        ("round(post_pay / 7)", "429.00"),
        ("round(2.5) + round(3.5)", "7.00"),  # half up both times (Python's round gives 2 + 4)
        ("round(post_pay / 7, 1)", "428.60"),
        ("-(absence_days - 10) * 2", "16.50"),
        ("(post_pay + grade_pay) * 0.05", "190.00"),
        ("  post_pay*0.1  ", "300.00"),
        ("0.125", "0.13"),
        ("12345678.905", "12345678.91"),
    ],
)
def test_evaluation_is_decimal_and_rounded_to_the_fen_half_up(source: str, expected: str) -> None:
    result = formula.evaluate(source, INPUTS)
    assert result == D(expected) and str(result) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "Enter a formula."),
        ("post_pay * ", "cannot be read"),
        ("(post_pay", "cannot be read"),
        ("salary * 2", "Unknown name salary"),
        ("Post_pay * 2", "Unknown name Post_pay"),
        ("post_pay ** 2", "Only + - * /"),
        ("post_pay // 2", "Only + - * /"),
        ("post_pay % 2", "Only + - * /"),
        ("not post_pay", "Only + - * /"),
        ("post_pay > 2", "Only numbers"),
        ("post_pay if grade else 0", "Only numbers"),
        ("post_pay.real", "Only numbers"),
        ("[post_pay][0]", "Only numbers"),
        ("'300'", "Only numbers"),
        ("True * 2", "Only numbers"),
        ("1e3", "Only numbers"),
        ("1_000", "Only numbers"),
        ("0x10", "Only numbers"),
        ("2j", "Only numbers"),
        ("abs(post_pay)", "Unknown function abs"),
        ("__import__('os')", "Unknown function __import__"),
        ("__import__('os').system('true')", "Only numbers"),
        ("(lambda: 1)()", "Only numbers"),
        ("min(post_pay)", "at least two"),
        ("min(post_pay, key=grade)", "without names"),
        ("round(post_pay, 3)", "decimal places"),
        ("round(post_pay, grade)", "decimal places"),
        ("round(post_pay, 1, 2)", "decimal places"),
        ("max(*[post_pay, 1], 2)", "Only numbers"),
        ("(x := 3)", "Only numbers"),
        ("post_pay × 2", "ASCII"),
        ("1" * 501, "At most 500"),
        ("99999999999", "too large"),
        ("1+" * 150 + "1", "too complicated"),
    ],
)
def test_invalid_formulas_are_refused_with_a_clear_message(source: str, message: str) -> None:
    with pytest.raises(DomainError, match=re.escape(message)) as refused:
        formula.check(source)
    assert refused.value.field == "formula"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("post_pay / absence_days * 0 + 1 / (grade - 3)", "divides by zero"),
        ("9999999999 * 9999999999", "too large"),
        ("post_pay * 9999999", "too large"),
    ],
)
def test_evaluation_refusals_are_domain_errors(source: str, message: str) -> None:
    with pytest.raises(DomainError, match=message):
        formula.evaluate(source, INPUTS)


def test_an_input_without_a_value_is_refused() -> None:
    with pytest.raises(DomainError, match="has no value"):
        formula.evaluate("post_pay * 2", {})


def test_names_in_and_the_documented_inputs_agree() -> None:
    assert formula.names_in("min(overtime_hours, 36) * 20 + post_pay") == {"overtime_hours", "post_pay"}
    assert set(INPUTS) == set(formula.INPUTS)
    assert INPUTS["overtime_hours"] == D("38") and INPUTS["monthly_pay_days"] == D("21.75")


# --- never anything but DomainError ---------------------------------------------------

ALPHABET = string.ascii_letters + string.digits + " +-*/().,_'\"[]{}:=<>!%&|^~@#$;\\\n\t×"
TOKENS = st.sampled_from(
    [
        *formula.INPUTS,
        "min",
        "max",
        "round",
        "(",
        ")",
        ",",
        "+",
        "-",
        "*",
        "/",
        "**",
        "0",
        "1",
        "2.5",
        "0.001",
        "36",
        "1e9",
        "9999999999",
        " ",
        "abs",
        "x",
        "__import__",
        "'a'",
        "[",
        "]",
        ".",
        "lambda",
        ":",
        "True",
    ]
)
VALUES = st.decimals(allow_nan=True, allow_infinity=True, places=None) | st.decimals(
    min_value=-(10**12), max_value=10**12, places=2
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    source=st.text(ALPHABET, max_size=60) | st.lists(TOKENS, max_size=25).map("".join),
    values=st.dictionaries(st.sampled_from(list(formula.INPUTS)), VALUES),
)
def test_evaluation_never_raises_anything_but_domain_error(source: str, values: dict[str, Decimal]) -> None:
    try:
        result = formula.evaluate(source, values)
    except DomainError as error:
        assert error.field == "formula"
    else:
        assert result == result.quantize(D("0.01")) and abs(result) < formula.LIMIT


# --- as a pay component ------------------------------------------------------------------


def overtime_meal(source: str = "min(overtime_hours, 36) * 20", **kw) -> ComponentDefinition:
    return ComponentDefinition("ot_meal", "加班餐补", ComponentKind.ADDITION, Method.FORMULA, None, formula=source, **kw)


def test_a_formula_component_is_valued_for_the_worker_and_month() -> None:
    paid = value(overtime_meal(), hire_date=date(2022, 1, 10), bureau_id=7, month=MARCH, inputs=INPUTS)
    assert paid is not None and paid.amount == D("720.00") and paid.kind is ComponentKind.ADDITION
    # zero is not paid; other bureaus are not paid
    assert value(overtime_meal("absence_days * 0"), hire_date=MARCH, bureau_id=7, month=MARCH, inputs=INPUTS) is None
    other = overtime_meal(bureau_id=8)
    assert value(other, hire_date=MARCH, bureau_id=7, month=MARCH, inputs=INPUTS) is None


def test_a_negative_formula_result_is_refused_not_paid_as_zero() -> None:
    with pytest.raises(DomainError, match="negative"):
        value(overtime_meal("post_pay - 5000"), hire_date=MARCH, bureau_id=7, month=MARCH, inputs=INPUTS)
    paid = value(overtime_meal("max(post_pay - 5000, 0) + 1"), hire_date=MARCH, bureau_id=7, month=MARCH, inputs=INPUTS)
    assert paid is not None and paid.amount == D("1.00")


def test_month_components_compute_band_pay_only_when_a_formula_applies() -> None:
    calls: list[int] = []

    def band() -> BandPay:
        calls.append(1)
        return BAND

    fixed = ComponentDefinition("meal", "餐补", ComponentKind.ADDITION, Method.FIXED, D("300"))
    common = {
        "worker_id": 7,
        "imported": {},
        "hire_date": date(2022, 1, 10),
        "bureau_id": 7,
        "grade": 3,
        "month": MARCH,
        "band": band,
        "attendance": ATTENDANCE,
    }
    assert [c.amount for c in month_components([(1, fixed)], **common)] == [D("300.00")]
    assert calls == []
    paid = month_components([(1, fixed), (2, overtime_meal()), (3, overtime_meal("post_pay * 0.1"))], **common)
    assert [c.amount for c in paid] == [D("300.00"), D("720.00"), D("300.00")] and calls == [1]


def test_the_definition_checks_its_formula() -> None:
    with pytest.raises(DomainError, match="Unknown name"):
        overtime_meal("bonus * 2")
    with pytest.raises(DomainError, match="no amount"):
        ComponentDefinition("x", "x", ComponentKind.ADDITION, Method.FORMULA, D("1"), formula="1")
    with pytest.raises(DomainError, match="Only a formula component"):
        ComponentDefinition("x", "x", ComponentKind.ADDITION, Method.FIXED, D("1"), formula="1")


def test_the_form_puts_formula_errors_next_to_the_formula_field() -> None:
    raw = {"code": "ot_meal", "label": "加班餐补", "kind": "addition", "method": "formula", "formula": "overtime * 20"}
    with pytest.raises(InputErrors) as refused:
        parse_definition(raw, {})
    assert [(e.field, e.params) for e in refused.value.errors] == [("formula", {"name": "overtime"})]
    parsed = parse_definition({**raw, "formula": " min(overtime_hours, 36) * 20 ", "amount": "ignored"}, {})
    assert parsed.formula == "min(overtime_hours, 36) * 20" and parsed.amount is None
    fixed = parse_definition({**raw, "method": "fixed", "amount": "200", "formula": "whatever"}, {})
    assert fixed.formula is None and fixed.amount == D("200")


def test_the_form_names_the_bureau_and_refuses_one_the_tenant_does_not_have() -> None:
    raw = {"code": "meal", "label": "餐补", "kind": "addition", "method": "fixed", "amount": "200"}
    assert parse_definition({**raw, "applies_to_bureau": " 某局 "}, {"某局": 7}).bureau_id == 7
    assert parse_definition(raw, {"某局": 7}).bureau_id is None
    with pytest.raises(InputErrors) as refused:
        parse_definition({**raw, "applies_to_bureau": "另一局"}, {"某局": 7})
    assert [(e.field, e.params) for e in refused.value.errors] == [("applies_to_bureau", {"name": "另一局"})]
