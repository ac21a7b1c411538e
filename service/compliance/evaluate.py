"""Which alerts a tenant's facts raise today: pure, over the ``facts`` dataclasses.

Every rule is one of ``rules`` (or a finding of
``contract_terms`` turned into an alert there); this module only decides
which facts each rule is given:

* **Who is examined.** Workers on probation, active or suspended whose hire
  date (用工之日) has come.  Candidates have not started work; a worker who
  left raises nothing, so their alerts close.
* **Written contract.** The first contract signed (any contract past draft;
  its ``signed_on``, or its start when no date was recorded).  The double
  wage is counted on the latest contract's wage, or, with no contract at all,
  on the minimum wage in force today in the worker's city, the least the
  wage can lawfully be (so the amount is a floor).  With neither, the alert
  is raised without an amount.
* **A contract's own terms** (probation length, second probation, probation
  pay, dispatch term): every draft or signed contract not yet ended.  The
  probation pay is compared with the city's minimum wage in force during
  probation (today, clamped to the probation period); with no city or no
  figure in force, only the 80% floor is checked.
* **Renewal** (ending within 60/30 days without a decision; open-ended
  entitlement): the latest signed fixed-term contract with no contract after
  it.  A recorded decision (renew / not renew) or a following contract is a
  decision.  The open-ended entitlement is not raised once "not to be
  renewed" is decided.  Art. 39/40 dismissal grounds are not recorded yet,
  so they are taken as absent.
* **Social insurance**: ``si_registered_on`` missing.
* **Dispatch cap**: per client bureau, only where a direct-contract headcount
  is recorded (``bureaus.client_workforce``) with the bureau's cap warning on: the
  cap may not bind a state organ (labor-law-cn.md §4), so a tenant can turn
  the warning off per bureau.  Dispatched: this tenant's workers at the
  bureau on probation, active or suspended, hired by today (other agencies'
  workers are not known).  The alert's subject is "bureau:<id>" (the
  bureau's record, so a rename keeps it), with no worker; the page looks the
  bureau's name up.
* **Certificates**: whatever ``certificates_expiring`` returns.
* **Two failed assessments**: loaded apart, by ``assessment_failures`` (published results).

Each alert carries a ``fingerprint`` of the facts it was raised on, leaving
out what moves every day by itself (the accrued amount, the days left, the
act-by date): an acknowledgement lasts while the fingerprint does.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from service.cities.reference import CityFigures, version_in_force
from service.compliance import rules
from service.compliance.facts import CertificateFacts, ContractFacts, WorkerFacts
from service.compliance.rules import Alert
from service.money import ZERO
from service.workforce.contracts.terms import ContractType

EMPLOYED = frozenset({"probation", "active", "suspended"})
LIVE_CONTRACT = frozenset({"draft", "signed"})
# Parameters that change by themselves as days pass: left out of the fingerprint.
VOLATILE_PARAMS = frozenset({"amount", "days_left"})
UNKNOWN_AMOUNT = "—"
# A dispatch-cap alert's subject is this and the bureau's id (queries match it as ``:prefix || b.id``).
BUREAU_SUBJECT = "bureau:"
# 劳务派遣暂行规定 Art. 4 may not bind a state organ (labor-law-cn.md §4): the
# setting is per bureau (``client_workforce.cap_warning``); a bureau whose
# warning is off is simply not among the ``direct_headcounts`` examined.


@dataclass(frozen=True)
class Raised:
    """An alert about one subject ("worker:12", "contract:7", "bureau:3"), ready to store."""

    subject: str
    worker_id: int | None
    alert: Alert

    @property
    def rule(self) -> str:
        return str(self.alert.rule)

    @property
    def params(self) -> dict[str, object]:
        return {k: json_value(v) for k, v in self.alert.params.items()}

    @property
    def fingerprint(self) -> str:
        facts = {
            "rule": self.rule,
            "severity": str(self.alert.severity),
            "message": self.alert.message,
            "params": {k: v for k, v in self.params.items() if k not in VOLATILE_PARAMS},
        }
        return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def json_value(value: object) -> object:
    """A parameter as stored in the alert's JSON (and shown in its message)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def city_figures_on(cities: Sequence[CityFigures], city: str | None, on: date) -> CityFigures | None:
    return None if city is None else version_in_force(cities, city, on)


def _signed(contract: ContractFacts) -> bool:
    return contract.status != "draft"


def evaluate_worker(worker: WorkerFacts, cities: Sequence[CityFigures], today: date) -> list[Raised]:
    """Every alert the worker's own facts and contracts raise on ``today``."""
    if worker.status not in EMPLOYED or worker.hire_date > today:
        return []
    raised: list[Raised] = []

    def add(subject: str, alert: Alert | None) -> None:
        if alert is not None:
            raised.append(Raised(subject, worker.id, alert))

    subject = f"worker:{worker.id}"
    contracts = sorted(worker.contracts, key=lambda c: (c.terms.start, c.id))
    add(subject, _written_contract(worker, contracts, cities, today))
    add(
        subject,
        rules.check_social_insurance_registration(
            start_of_work=worker.hire_date, registered=worker.si_registered_on is not None, today=today
        ),
    )
    signed_terms = [c.terms for c in contracts if _signed(c)]
    for contract in contracts:
        if contract.status not in LIVE_CONTRACT or (contract.terms.end is not None and contract.terms.end < today):
            continue
        terms = contract.terms
        others = [c.terms for c in contracts if c.id != contract.id and _signed(c)]
        during_probation = min(max(today, terms.start), terms.probation_end or terms.start)
        figures = city_figures_on(cities, worker.city, during_probation)
        minimum = figures.minimum_wage_monthly if figures else ZERO
        csubject = f"contract:{contract.id}"
        add(csubject, rules.check_probation_length(terms, today=today))
        add(csubject, rules.check_second_probation(terms, others, today=today))
        add(csubject, rules.check_probation_pay(terms, minimum_wage=minimum, today=today))
        add(csubject, rules.check_dispatch_term(terms, today=today))
    current = _renewal_candidate(contracts)
    if current is not None:
        csubject = f"contract:{current.id}"
        decided = current.renewal_decision != "undecided"
        add(csubject, rules.check_contract_ending(current.terms, renewal_decided=decided, today=today))
        if current.renewal_decision != "not_renew":
            earlier = [c.terms for c in signed_terms_before(contracts, current)]
            service_start = min([worker.hire_date, *(t.start for t in signed_terms)])
            add(
                csubject,
                rules.check_open_ended_entitlement(
                    current.terms, earlier, service_start=service_start, dismissal_grounds=False, today=today
                ),
            )
    return raised


def signed_terms_before(contracts: Sequence[ContractFacts], current: ContractFacts) -> list[ContractFacts]:
    return [c for c in contracts if c.id != current.id and _signed(c) and c.terms.start < current.terms.start]


def _renewal_candidate(contracts: Sequence[ContractFacts]) -> ContractFacts | None:
    """The latest signed fixed-term contract, unless another contract follows it."""
    signed = [c for c in contracts if c.status == "signed" and c.terms.type is ContractType.FIXED_TERM]
    if not signed:
        return None
    latest = signed[-1]
    followed = any(
        c.id != latest.id
        and c.status != "terminated"
        and (c.previous_contract_id == latest.id or c.terms.start > latest.terms.start)
        for c in contracts
    )
    return None if followed else latest


def _written_contract(
    worker: WorkerFacts, contracts: Sequence[ContractFacts], cities: Sequence[CityFigures], today: date
) -> Alert | None:
    signed_days = [c.signed_on or c.terms.start for c in contracts if _signed(c)]
    signed_on = min(signed_days) if signed_days else None
    if contracts:
        wage: Decimal | None = contracts[-1].terms.wage
    else:
        figures = city_figures_on(cities, worker.city, today)
        wage = figures.minimum_wage_monthly if figures else None
    alert = rules.check_written_contract(
        start_of_work=worker.hire_date,
        signed_on=signed_on,
        monthly_wage=wage if wage is not None else ZERO,
        today=today,
    )
    if alert is not None and wage is None and alert.amount is not None:
        alert = replace(alert, amount=None, params={**alert.params, "amount": UNKNOWN_AMOUNT})
    return alert


def evaluate_certificates(certificates: Iterable[CertificateFacts], today: date) -> list[Raised]:
    raised = []
    for certificate in certificates:
        alert = rules.check_certificate(valid_until=certificate.valid_until, today=today)
        if alert is not None:
            raised.append(Raised(certificate.subject, certificate.worker_id, alert))
    return raised


def evaluate_units(
    workers: Iterable[WorkerFacts],
    direct_headcounts: Mapping[int, int],
    today: date,
    dispatched_headcounts: Mapping[int, int] | None = None,
) -> list[Raised]:
    """The 10% dispatch cap per client bureau with a recorded direct headcount.

    ``direct_headcounts`` maps a client bureau's id to its direct-contract
    headcount (only bureaus whose cap warning is on).  Dispatched headcount:
    ``dispatched_headcounts`` when given (the engine counts in the
    database), else counted from ``workers``: this tenant's employed workers
    at the bureau (other agencies' workers are not known).
    """
    if not direct_headcounts:
        return []
    if dispatched_headcounts is None:
        dispatched: dict[int, int] = {}
        for worker in workers:
            if worker.status in EMPLOYED and worker.hire_date <= today:
                dispatched[worker.bureau_id] = dispatched.get(worker.bureau_id, 0) + 1
        dispatched_headcounts = dispatched
    raised = []
    for bureau_id, direct in direct_headcounts.items():
        alert = rules.check_dispatch_cap(
            direct_headcount=direct,
            dispatched_headcount=dispatched_headcounts.get(bureau_id, 0),
            enabled=True,
            today=today,
        )
        if alert is not None:
            raised.append(Raised(bureau_subject(bureau_id), None, alert))
    return raised


def bureau_subject(bureau_id: int) -> str:
    """The dispatch-cap alert's subject: the bureau's record, whatever its name."""
    return f"{BUREAU_SUBJECT}{bureau_id}"
