"""Contract field checks (form and Excel), the state of a stored contract, and the severance inputs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.cities.reference import CityFigures
from service.workforce.contracts import terms
from service.workforce.contracts.compensation import compute, monthly_wages
from service.workforce.contracts.input import (
    ContractInputErrors,
    parse_contract,
    parse_signing,
    parse_termination,
    refuse_impossible_termination,
)
from service.workforce.contracts.severance import REASON_LABELS, TerminationReason
from service.workforce.contracts.state import ContractState, as_terms, contract_state
from service.workforce.models import Contract, ContractStatus, ContractType

TODAY = date(2026, 3, 10)
GOOD = {
    "contract_type": "fixed_term",
    "start": "2024-03-01",
    "end": "2027-02-28",
    "probation_end": "2024-08-31",
    "probation_wage": "3,200",
    "wage": "4000",
    "post": "市容巡查",
    "work_place": "春熙路街道",
    "client_bureau": "成都市锦江区城市管理和综合行政执法局",
    "signed_on": "2024/2/28",
}
BUREAUS = {"成都市锦江区城市管理和综合行政执法局": 7}


def fields_of(raw: dict, **kwargs: object) -> list[str]:
    with pytest.raises(ContractInputErrors) as caught:
        parse_contract(raw, today=TODAY, bureaus=BUREAUS, **kwargs)
    return sorted(e.field or "" for e in caught.value.errors)


def test_a_good_contract_is_normalised() -> None:
    contract = parse_contract(GOOD, today=TODAY, bureaus=BUREAUS)
    assert contract.contract_type is ContractType.FIXED_TERM
    assert contract.bureau_id == 7
    assert (contract.start, contract.end, contract.probation_end) == (date(2024, 3, 1), date(2027, 2, 28), date(2024, 8, 31))
    assert contract.wage == Decimal("4000.00") and contract.probation_wage == Decimal("3200.00")
    assert contract.signed_on == date(2024, 2, 28)
    assert contract.terms().type is terms.ContractType.FIXED_TERM


def test_optional_fields_may_be_empty() -> None:
    contract = parse_contract(
        {**GOOD, "probation_end": "", "probation_wage": "", "work_place": "", "signed_on": ""}, today=TODAY, bureaus=BUREAUS
    )
    assert (contract.probation_end, contract.probation_wage, contract.work_place, contract.signed_on) == (None, None, "", None)


def test_every_field_problem_is_reported_at_once() -> None:
    raw = {
        **GOOD,
        "contract_type": "permanent",
        "start": "2024-02-30",
        "wage": "4千",
        "post": "",
        "client_bureau": "<b>局</b>",
        "signed_on": "2030-01-01",
        "probation_wage": "-5",
    }
    assert fields_of(raw) == ["client_bureau", "contract_type", "post", "probation_wage", "signed_on", "start", "wage"]


@pytest.mark.parametrize("wage", ["0", "1e20", "3500.123", "abc", "", "1000000.01"])
def test_implausible_wages_are_refused(wage: str) -> None:
    assert fields_of({**GOOD, "wage": wage}) == ["wage"]


def test_excel_cells_are_read_like_typed_text() -> None:
    contract = parse_contract(
        {**GOOD, "start": date(2024, 3, 1), "wage": 4000.5, "probation_wage": 3200, "contract_type": "固定期限"},
        today=TODAY,
        bureaus=BUREAUS,
        labels={"固定期限": ContractType.FIXED_TERM, "在岗": object()},
    )
    assert contract.wage == Decimal("4000.50") and contract.probation_wage == Decimal("3200.00")


def test_a_label_of_another_vocabulary_is_not_a_contract_type() -> None:
    from service.workforce.models import WorkerStatus

    assert fields_of({**GOOD, "contract_type": "在岗"}, labels={"在岗": WorkerStatus.ACTIVE}) == ["contract_type"]


@pytest.mark.parametrize("bureau", ["成都市武侯区城市管理和综合行政执法局", "", "  "])
def test_the_client_bureau_is_one_of_the_tenants_by_name(bureau: str) -> None:
    assert fields_of({**GOOD, "client_bureau": bureau}) == ["client_bureau"]
    assert parse_contract({**GOOD, "client_bureau": f" {GOOD['client_bureau']} "}, today=TODAY, bureaus=BUREAUS).bureau_id == 7


def test_probation_pay_needs_a_probation() -> None:
    assert fields_of({**GOOD, "probation_end": ""}) == ["probation_wage"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": "2024-02-01"}, "end"),  # end before start
        ({"probation_end": "2027-03-31"}, "probation_end"),  # probation after the end
        ({"probation_end": "2024-02-01"}, "probation_end"),  # probation before the start
        ({"end": ""}, "end"),  # fixed-term without an end
        ({"contract_type": "open_ended"}, "end"),  # open-ended with an end
    ],
)
def test_impossible_terms_are_refused_next_to_their_field(changes: dict, field: str) -> None:
    assert fields_of({**GOOD, **changes}) == [field]


def test_an_overlap_with_another_contract_is_refused() -> None:
    earlier = terms.Contract(terms.ContractType.FIXED_TERM, date(2021, 3, 1), date(2024, 3, 1), Decimal(3800))
    assert fields_of(GOOD, others=[earlier]) == ["start"]
    ended_before = terms.Contract(terms.ContractType.FIXED_TERM, date(2021, 3, 1), date(2024, 2, 29), Decimal(3800))
    assert parse_contract(GOOD, today=TODAY, bureaus=BUREAUS, others=[ended_before]).start == date(2024, 3, 1)


def test_signing_and_termination_forms() -> None:
    assert parse_signing({"signed_on": "2026-03-10"}, today=TODAY) == date(2026, 3, 10)
    for bad in ("", "2026-03-11", "tomorrow"):
        with pytest.raises(ContractInputErrors):
            parse_signing({"signed_on": bad}, today=TODAY)
    done = parse_termination({"reason": "redundancy", "terminated_on": "2026-03-31"})
    assert (done.reason, done.terminated_on) == (TerminationReason.REDUNDANCY, date(2026, 3, 31))
    with pytest.raises(ContractInputErrors) as caught:
        parse_termination({"reason": "bored", "terminated_on": ""})
    assert sorted(e.field for e in caught.value.errors) == ["reason", "terminated_on"]


def test_impossible_terminations_are_refused() -> None:
    fixed = terms.Contract(terms.ContractType.FIXED_TERM, date(2024, 3, 1), date(2027, 2, 28), Decimal(4000))
    open_ended = terms.Contract(terms.ContractType.OPEN_ENDED, date(2024, 3, 1), None, Decimal(4000))
    refuse_impossible_termination(fixed, TerminationReason.EXPIRY_NOT_RENEWED, date(2027, 2, 28))
    refuse_impossible_termination(open_ended, TerminationReason.REDUNDANCY, date(2030, 1, 1))
    cases = [
        (fixed, TerminationReason.REDUNDANCY, date(2024, 2, 1), "terminated_on"),
        (fixed, TerminationReason.REDUNDANCY, date(2027, 3, 1), "terminated_on"),
        (fixed, TerminationReason.EXPIRY_NOT_RENEWED, date(2026, 1, 1), "terminated_on"),
        (open_ended, TerminationReason.EXPIRY_NOT_RENEWED, date(2026, 1, 1), "reason"),
        (fixed, TerminationReason.TASK_COMPLETED, date(2026, 1, 1), "reason"),
    ]
    for contract, reason, on, field in cases:
        with pytest.raises(Exception) as caught:
            refuse_impossible_termination(contract, reason, on)
        assert caught.value.field == field, (reason, on)


def test_every_termination_reason_has_a_label() -> None:
    assert set(REASON_LABELS) == set(TerminationReason)


def _stored(status: ContractStatus, start: date, end: date | None, **extra: object) -> Contract:
    return Contract(
        worker_id=1,
        contract_type=ContractType.FIXED_TERM if end else ContractType.OPEN_ENDED,
        start_date=start,
        end_date=end,
        wage=Decimal(4000),
        post="p",
        bureau_id=1,
        status=status,
        **extra,
    )


def test_the_state_follows_the_status_and_the_dates() -> None:
    start, end = date(2024, 3, 1), date(2027, 2, 28)
    signed = _stored(ContractStatus.SIGNED, start, end)
    assert contract_state(signed, date(2024, 2, 29)) is ContractState.SIGNED
    assert contract_state(signed, start) is ContractState.ACTIVE
    assert contract_state(signed, end) is ContractState.ACTIVE
    assert contract_state(signed, date(2027, 3, 1)) is ContractState.EXPIRED
    assert contract_state(_stored(ContractStatus.SIGNED, start, None), date(2060, 1, 1)) is ContractState.ACTIVE
    assert contract_state(_stored(ContractStatus.DRAFT, start, end), date(2025, 1, 1)) is ContractState.DRAFT
    assert contract_state(_stored(ContractStatus.RENEWED, start, end), date(2025, 1, 1)) is ContractState.RENEWED
    ended = _stored(ContractStatus.TERMINATED, start, end, terminated_on=date(2025, 5, 31))
    assert contract_state(ended, date(2025, 1, 1)) is ContractState.TERMINATED
    # Another contract may start the day after a termination, not the day after the signed end.
    assert as_terms(ended, to_last_day=True).end == date(2025, 5, 31)
    assert as_terms(ended).end == end


def test_monthly_wages_follow_the_contracts_in_force() -> None:
    first = _stored(
        ContractStatus.RENEWED,
        date(2023, 1, 1),
        date(2023, 12, 31),
        probation_end=date(2023, 1, 31),
        probation_wage=Decimal(3000),
    )
    second = _stored(ContractStatus.SIGNED, date(2024, 1, 1), date(2026, 12, 31))
    second.wage = Decimal(5000)
    draft = _stored(ContractStatus.DRAFT, date(2027, 1, 1), date(2029, 12, 31))
    wages = monthly_wages([first, second, draft], date(2023, 1, 1), date(2024, 3, 31))
    assert wages == [Decimal(4000)] * 9 + [Decimal(5000)] * 3
    # Service shorter than a year: only its months; probation at the probation pay.
    assert monthly_wages([first], date(2023, 1, 1), date(2023, 3, 31)) == [Decimal(3000), Decimal(4000), Decimal(4000)]


def test_the_reference_example_with_and_without_city_figures() -> None:
    """labor-law-cn.md §3: 7 years 8 months at 6,000 → 48,000."""
    wages = [Decimal(6000)] * 12
    chengdu = CityFigures("chengdu", date(2025, 7, 1), Decimal(2330), Decimal(23), Decimal(7646))
    with_city = compute(
        service_start=date(2016, 5, 1), last_day=date(2023, 12, 31), wages=wages, city="chengdu", figures=chengdu
    )
    assert with_city.result.amount == Decimal("48000.00") and not with_city.without_city_figures
    without = compute(service_start=date(2016, 5, 1), last_day=date(2023, 12, 31), wages=wages, city=None, figures=None)
    assert without.result.amount == Decimal("48000.00") and without.without_city_figures
    assert not without.result.capped and not without.result.floored
    assert without.amount_for(TerminationReason.WORKER_NOTICE) == Decimal(0)
    assert without.amount_for(TerminationReason.REDUNDANCY) == Decimal("48000.00")


def test_the_cap_applies_only_with_city_figures() -> None:
    """labor-law-cn.md §3: wage 40,000, 15 years, average 11,937 → 12 × 35,811 = 429,732."""
    wages = [Decimal(40000)] * 12
    beijing = CityFigures("beijing", date(2024, 1, 1), Decimal(2420), Decimal(26), Decimal(11937))
    capped = compute(service_start=date(2009, 1, 1), last_day=date(2023, 12, 31), wages=wages, city="beijing", figures=beijing)
    assert capped.result.capped and capped.result.amount == Decimal(12 * 35811)
    uncapped = compute(service_start=date(2009, 1, 1), last_day=date(2023, 12, 31), wages=wages, city=None, figures=None)
    assert not uncapped.result.capped and uncapped.result.amount == Decimal(15 * 40000)
