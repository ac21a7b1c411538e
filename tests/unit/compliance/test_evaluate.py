"""Which facts each rule is given, and the fingerprint that keeps acknowledgements."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from service.cities.reference import REFERENCE
from service.compliance.evaluate import (
    Raised,
    evaluate_certificates,
    evaluate_units,
    evaluate_worker,
    json_value,
)
from service.compliance.facts import CertificateFacts, ContractFacts, WorkerFacts
from service.compliance.rules import Rule, double_wage_owed
from service.compliance.titles import RULE_TITLES
from service.workforce.contracts.terms import Contract, ContractType, TermRule

TODAY = date(2025, 9, 15)
DAY = timedelta(days=1)
D = Decimal


def worker(**changes: object) -> WorkerFacts:
    base = WorkerFacts(
        id=1,
        name="张三",
        hire_date=date(2022, 1, 1),
        status="active",
        bureau_id=3,
        si_registered_on=date(2022, 1, 5),
        city="chengdu",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def contract(
    id: int = 10,
    status: str = "signed",
    decision: str = "undecided",
    previous: int | None = None,
    signed_on: date | None = None,
    **terms: object,
) -> ContractFacts:
    values = {"type": ContractType.FIXED_TERM, "start": date(2022, 1, 1), "end": date(2024, 12, 31), "wage": D("4000")}
    values.update(terms)
    contract_terms = Contract(**values)  # type: ignore[arg-type]
    return ContractFacts(id, 1, contract_terms, status, signed_on or contract_terms.start, decision, previous)


def rules_of(raised: list[Raised]) -> dict[tuple[str, str], Raised]:
    return {(r.subject, r.rule): r for r in raised}


def test_a_lawful_worker_raises_nothing() -> None:
    lawful = worker(contracts=(contract(end=date(2027, 12, 31)),))
    assert evaluate_worker(lawful, REFERENCE, TODAY) == []


def test_candidates_leavers_and_future_hires_are_not_examined() -> None:
    for w in (worker(status="candidate"), worker(status="left"), worker(hire_date=TODAY + DAY)):
        assert evaluate_worker(replace(w, si_registered_on=None), REFERENCE, TODAY) == []


def test_double_wage_counts_on_the_city_minimum_without_a_contract() -> None:
    hired = TODAY - 40 * DAY
    raised = rules_of(evaluate_worker(worker(hire_date=hired), REFERENCE, TODAY))
    alert = raised[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)].alert
    assert alert.amount == double_wage_owed(hired, TODAY, D("2330"))  # Chengdu from 2025-07-01


def test_double_wage_without_wage_or_city_has_no_amount() -> None:
    raised = rules_of(evaluate_worker(worker(hire_date=TODAY - 40 * DAY, city=None), REFERENCE, TODAY))
    found = raised[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)]
    assert found.alert.amount is None and found.params["amount"] == "—"


def test_a_draft_is_not_a_written_contract() -> None:
    hired = TODAY - 40 * DAY
    draft = contract(status="draft", start=hired, end=hired + 1100 * DAY, wage=D("5000"))
    found = rules_of(evaluate_worker(worker(hire_date=hired, contracts=(draft,)), REFERENCE, TODAY))
    assert found[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)].alert.amount == double_wage_owed(hired, TODAY, D("5000"))


def test_the_contract_ending_is_the_latest_signed_one_with_nothing_after_it() -> None:
    ending = contract(id=11, start=date(2022, 10, 1), end=TODAY + 20 * DAY)
    found = rules_of(evaluate_worker(worker(contracts=(ending,)), REFERENCE, TODAY))
    assert found[("contract:11", Rule.CONTRACT_ENDING)].alert.severity == "high"

    decided = replace(ending, renewal_decision="not_renew")
    found = rules_of(evaluate_worker(worker(contracts=(decided,)), REFERENCE, TODAY))
    assert ("contract:11", Rule.CONTRACT_ENDING) not in found

    following = contract(id=12, status="draft", start=TODAY + 21 * DAY, end=TODAY + 1200 * DAY, previous=11)
    found = rules_of(evaluate_worker(worker(contracts=(ending, following)), REFERENCE, TODAY))
    assert ("contract:11", Rule.CONTRACT_ENDING) not in found


def test_open_ended_entitlement_after_two_consecutive_fixed_terms_unless_not_renewed() -> None:
    first = contract(id=10, start=date(2019, 1, 1), end=date(2021, 12, 31))
    second = contract(id=11, start=date(2022, 1, 1), end=TODAY + 40 * DAY)
    w = worker(hire_date=date(2019, 1, 1), contracts=(first, second))
    found = rules_of(evaluate_worker(w, REFERENCE, TODAY))
    assert found[("contract:11", Rule.OPEN_ENDED_DUE)].alert.severity == "high"
    assert found[("contract:11", Rule.CONTRACT_ENDING)].alert.severity == "medium"
    refused = replace(w, contracts=(first, replace(second, renewal_decision="not_renew")))
    assert ("contract:11", Rule.OPEN_ENDED_DUE) not in rules_of(evaluate_worker(refused, REFERENCE, TODAY))


def test_probation_pay_is_compared_with_the_minimum_in_force_during_probation() -> None:
    # Shanghai's minimum rose from 2,690 to 2,740 on 2025-07-01.
    terms = {
        "start": date(2025, 6, 1),
        "end": date(2028, 5, 31),
        "probation_end": date(2025, 11, 30),
        "probation_wage": D("2700"),
        "wage": D("3000"),
    }
    w = worker(city="shanghai", hire_date=date(2025, 6, 1), contracts=(contract(**terms),))
    assert ("contract:10", TermRule.PROBATION_PAY_TOO_LOW) not in rules_of(evaluate_worker(w, REFERENCE, date(2025, 6, 20)))
    raised = rules_of(evaluate_worker(w, REFERENCE, date(2025, 7, 2)))
    assert raised[("contract:10", TermRule.PROBATION_PAY_TOO_LOW)].params["floor"] == "2740.00"
    # No city recorded: only the 80% share is checked (2,400 here), which 2,700 meets.
    assert ("contract:10", TermRule.PROBATION_PAY_TOO_LOW) not in rules_of(
        evaluate_worker(replace(w, city=None), REFERENCE, date(2025, 7, 2))
    )


def test_expired_and_terminated_contracts_raise_no_term_alerts() -> None:
    short = contract(id=10, start=date(2023, 1, 1), end=date(2023, 12, 31))  # one year: too short to dispatch
    later = contract(id=11, start=date(2024, 1, 1), end=date(2026, 12, 31))
    found = rules_of(evaluate_worker(worker(contracts=(short, later)), REFERENCE, TODAY))
    assert ("contract:10", TermRule.DISPATCH_TERM_TOO_SHORT) not in found
    current_short = contract(id=12, start=date(2025, 1, 1), end=date(2025, 12, 31))
    found = rules_of(evaluate_worker(worker(contracts=(current_short,)), REFERENCE, TODAY))
    assert ("contract:12", TermRule.DISPATCH_TERM_TOO_SHORT) in found
    terminated = replace(current_short, status="terminated")
    assert not any(s == "contract:12" for s, _ in rules_of(evaluate_worker(worker(contracts=(terminated,)), REFERENCE, TODAY)))


def test_the_fingerprint_ignores_what_moves_by_itself() -> None:
    hired = TODAY - 40 * DAY
    w = worker(hire_date=hired)
    today_alert = rules_of(evaluate_worker(w, REFERENCE, TODAY))[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)]
    next_day = rules_of(evaluate_worker(w, REFERENCE, TODAY + DAY))[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)]
    assert today_alert.alert.amount != next_day.alert.amount
    assert today_alert.fingerprint == next_day.fingerprint
    other_hire = rules_of(evaluate_worker(replace(w, hire_date=hired - DAY), REFERENCE, TODAY))
    assert other_hire[("worker:1", Rule.WRITTEN_CONTRACT_MISSING)].fingerprint != today_alert.fingerprint

    ending = contract(id=11, start=date(2022, 10, 1), end=TODAY + 50 * DAY)
    a = rules_of(evaluate_worker(worker(contracts=(ending,)), REFERENCE, TODAY))[("contract:11", Rule.CONTRACT_ENDING)]
    b = rules_of(evaluate_worker(worker(contracts=(ending,)), REFERENCE, TODAY + DAY))[("contract:11", Rule.CONTRACT_ENDING)]
    assert a.params["days_left"] != b.params["days_left"] and a.fingerprint == b.fingerprint
    urgent = rules_of(evaluate_worker(worker(contracts=(ending,)), REFERENCE, TODAY + 25 * DAY))
    assert urgent[("contract:11", Rule.CONTRACT_ENDING)].fingerprint != a.fingerprint  # now high: shown again


def test_certificates_and_units() -> None:
    certificates = [
        CertificateFacts("certificate:5", 1, TODAY + 10 * DAY),
        CertificateFacts("certificate:6", 1, TODAY + 90 * DAY),
        CertificateFacts("certificate:7", 2, TODAY - DAY),
    ]
    found = {r.subject: r.alert.severity for r in evaluate_certificates(certificates, TODAY)}
    assert found == {"certificate:5": "low", "certificate:7": "medium"}

    workers = [worker(id=i) for i in range(1, 4)] + [worker(id=9, status="left")]
    assert evaluate_units(workers, {}, TODAY) == []  # no direct headcount recorded: nothing checked
    (raised,) = evaluate_units(workers, {3: 20}, TODAY)
    assert raised.subject == "bureau:3" and raised.worker_id is None  # the bureau's record, not its name
    assert raised.params == {"dispatched": 3, "total": 23, "allowed": 2}
    assert evaluate_units(workers, {3: 27}, TODAY) == []
    assert evaluate_units(workers, {4: 1}, TODAY) == []  # another bureau: none of these workers is there


def test_every_rule_has_a_title_and_params_are_json() -> None:
    assert set(RULE_TITLES) == {*Rule, *TermRule}
    assert json_value(date(2025, 1, 2)) == "2025-01-02" and json_value(D("12.5")) == "12.50" and json_value(None) is None
