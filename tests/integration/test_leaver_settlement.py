"""A leaver's settlement from twelve published months of real payslips, and the final payslip that pays it.

Two workers of one bureau are paid from September 2025 to August 2026, each
month calculated by the system and approved and published by a second clerk
(four eyes).  Their contracts end on 20 September 2026: an ordinary earner
hired in 2020, and a high earner hired in 2005 whose pay is above three
times Chengdu's average wage (the 3x and the 12-year caps).  The figures
expected are worked out here from the published payslips and the city's
figures, not read back from the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.cities.actions import in_force as city_in_force
from service.dates import add_months
from service.errors import DomainError
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.leavers import actions as leavers
from service.payroll.leavers.models import LeaverSettlement
from service.payroll.leavers.settlement import SettlementTerms
from service.payroll.payslip import compute_payslip
from service.payroll.runs import actions as runs
from service.payroll.runs import inputs as run_inputs
from service.payroll.runs.models import PayslipLineRow, PayslipRow
from service.payroll.tax.income_tax import annual_tax
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.input import ContractInput, TerminationInput
from service.workforce.contracts.severance import SeveranceKind, TerminationReason
from service.workforce.models import GRADES, ContractType, Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_clerk, make_worker
from tests.support.web import csrf_from

D = Decimal
FEN = D("0.01")
FIRST_MONTH = date(2025, 9, 1)  # Chengdu's insurance policy and city figures are in force from July 2025
LEAVE_MONTH = date(2026, 9, 1)
LAST_DAY = date(2026, 9, 20)
HIGH_GRADE = 1  # paid 30,000 of post pay: above 3 x Chengdu's average monthly wage


def fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def cells() -> tuple[BandCell, ...]:
    return tuple(
        BandCell(
            grade=g,
            rating=r,
            post_pay=D(30000) if g == HIGH_GRADE else D(2500 + 100 * g),
            grade_pay=D(200 * g),
            performance_pay=D(600 - 100 * r.rank),
        )
        for g in GRADES
        for r in RATINGS
    )


def hire(settings, tenant, hired_on: date, grade: int) -> tuple[int, int]:
    """A worker in Chengdu and a signed open-ended contract from the hire date: (worker id, contract id)."""
    worker = make_worker(settings, tenant, city="chengdu", grade=grade, hire_date=hired_on)
    with tenant_session(tenant.id) as db:
        contract = contracts.create_contract(
            db,
            worker,
            ContractInput(
                ContractType.OPEN_ENDED, hired_on, None, None, None, D(6000), "市容巡查", "", worker.bureau_id, hired_on
            ),
            hired_on,
            actor=SYSTEM,
        )
        return worker.id, contract.id


def publish_months(tenant, first: date, count: int) -> None:
    clerk = make_clerk(tenant)
    for n in range(count):
        with tenant_session(tenant.id) as db:
            run = runs.create_run(db, add_months(first, n), actor=SYSTEM)
            runs.calculate(db, run, actor=SYSTEM)
        with tenant_session(tenant.id) as db:
            run = runs.get_run(db, run.id)
            runs.approve(db, run, actor=clerk)
            runs.publish(db, run, actor=clerk)


@pytest.fixture
def paid(settings, tenant) -> dict[str, tuple[int, int]]:
    """Twelve published months for an ordinary and a high earner, their contracts terminated on LAST_DAY."""
    bureau_id = make_bureau(tenant)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(2025, 1, 1), "", cells()), actor=SYSTEM)
    ordinary = hire(settings, tenant, date(2020, 3, 1), 5)
    high = hire(settings, tenant, date(2005, 1, 1), HIGH_GRADE)
    publish_months(tenant, FIRST_MONTH, 12)
    return {"ordinary": ordinary, "high": high}


def terminate(tenant, ids: tuple[int, int], reason: TerminationReason) -> None:
    with tenant_session(tenant.id) as db:
        worker = db.get(Worker, (tenant.id, ids[0]))
        contract = contracts.get_contract(db, ids[1])
        contracts.terminate(db, worker, contract, TerminationInput(reason, LAST_DAY), LAST_DAY, actor=SYSTEM)


def terms(**changes: object) -> SettlementTerms:
    values: dict[str, object] = {
        "last_day": LAST_DAY,
        "kind": SeveranceKind.N,
        "kind_reason": "经济性裁员",
        "pre_2008_compensable": False,
        "pre_2008_explanation": "",
        "entitlement_days": None,
        "entitlement_reason": "",
        "days_taken": 1,
    }
    values.update(changes)
    return SettlementTerms(**values)  # type: ignore[arg-type]


def record(tenant, ids: tuple[int, int], chosen: SettlementTerms):
    with tenant_session(tenant.id) as db:
        worker = db.get(Worker, (tenant.id, ids[0]))
        contract = contracts.get_contract(db, ids[1])
        return leavers.record_settlement(db, worker, contract, chosen, actor=SYSTEM)


def published_pay(tenant, worker_id: int) -> list[tuple[Decimal, Decimal]]:
    """(income, overtime) of each published month, oldest first, read straight from the stored payslips."""
    with tenant_session(tenant.id) as db:
        slips = db.exec(select(PayslipRow).where(PayslipRow.worker_id == worker_id).order_by(PayslipRow.month)).all()
        found = []
        for slip in slips:
            lines = db.exec(select(PayslipLineRow).where(PayslipLineRow.payslip_id == slip.id)).all()
            found.append((slip.income, sum((x.amount for x in lines if x.code.startswith("overtime")), D(0))))
        return found


def city(tenant):
    with tenant_session(tenant.id) as db:
        return city_in_force(db, "chengdu", LAST_DAY)


def final_payslip(tenant, worker_id: int):
    """The leave month's run calculated; the leaver's stored payslip and lines, and the same inputs computed
    without the settlement."""
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, LEAVE_MONTH, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        slip = db.exec(select(PayslipRow).where(PayslipRow.run_id == run.id, PayslipRow.worker_id == worker_id)).one()
        lines = {x.code: x.amount for x in db.exec(select(PayslipLineRow).where(PayslipLineRow.payslip_id == slip.id))}
        data = run_inputs.load(db, LEAVE_MONTH, None).inputs[worker_id]
        return run.id, slip, lines, compute_payslip(replace(data, leaver=None))


def test_a_leavers_final_payslip_pays_annual_leave_and_severance_n_from_the_actual_pay(settings, tenant, paid) -> None:
    ids = paid["ordinary"]
    terminate(tenant, ids, TerminationReason.REDUNDANCY)
    pay = published_pay(tenant, ids[0])
    assert len(pay) == 12
    average = fen(sum(p[0] for p in pay) / 12)
    settlement = record(tenant, ids, terms())

    # 2020-03-01 to 2026-09-20: 6 years 6 months 20 days, counted as 7 years (Art. 47); below the cap.
    assert settlement.severance is not None
    assert settlement.severance.compensation.average_wage == average
    assert settlement.severance.compensation.years_counted == 7
    assert settlement.severance_amount == fen(average * 7)
    # Far below the exemption (3 x 12 x the city's average monthly wage): no tax.
    assert settlement.tax is not None and settlement.tax.exempt_limit == fen(city(tenant).average_wage_monthly * 36)
    assert settlement.severance_tax_amount == 0
    # Six full years: 5 days a year; 263 days of 2026 ÷ 365 × 5 − 1 taken = 2.6, so 2 days at 300% (200% more).
    no_overtime = fen(sum(p[0] - p[1] for p in pay) / 12)
    assert (settlement.annual_leave.entitlement_days, settlement.annual_leave.untaken_days) == (5, 2)
    assert settlement.annual_leave.amount == fen(no_overtime / D("21.75") * 2 * 2)
    with tenant_session(tenant.id) as db:
        stored = db.exec(select(LeaverSettlement)).one()
        assert (stored.severance, stored.annual_leave_pay) == (settlement.severance_amount, settlement.annual_leave.amount)
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "leaver_settlement.record")).one()
        assert audit.after["basis"]["months"][0]["month"] == "2025-09"

    _, slip, lines, without = final_payslip(tenant, ids[0])
    leave_pay, severance = settlement.annual_leave.amount, settlement.severance_amount
    assert lines["annual_leave_pay"] == leave_pay and lines["severance"] == severance and lines["severance_tax"] == 0
    # The annual-leave pay is wages (taxed with the month's); the severance is in gross and net pay only.
    assert slip.income == without.income + leave_pay
    assert slip.gross_pay == without.gross_pay + leave_pay + severance
    wage_tax = slip.tax - slip.severance_tax
    assert wage_tax >= without.tax
    assert slip.net_pay == without.net_pay + leave_pay - (wage_tax - without.tax) + severance
    assert (
        slip.net_pay
        == slip.gross_pay - slip.deductions - slip.employee_social_insurance - slip.employee_housing_fund - slip.tax
    )
    assert run_inputs.ytd_from_json(slip.year_to_date).income == without.year_to_date.income + leave_pay


def test_n_plus_one_and_2n_with_the_caps_and_the_tax_above_the_exemption(settings, tenant, paid) -> None:
    ids = paid["high"]
    terminate(tenant, ids, TerminationReason.DISMISSAL_NO_FAULT)
    pay = published_pay(tenant, ids[0])
    figures = city(tenant)
    cap = fen(figures.average_wage_monthly * 3)
    assert fen(sum(p[0] for p in pay) / 12) > cap

    # N + 1: service from 2008 only (the rules before did not compensate, HR says why), capped at 12 years of
    # 3 x the average wage; the notice month is August's actual wage, neither averaged nor capped.
    n_plus_one = record(
        tenant,
        ids,
        terms(kind=SeveranceKind.N_PLUS_ONE, kind_reason="不能胜任工作，未提前通知", pre_2008_explanation="当时规定不予补偿"),
    )
    assert n_plus_one.severance is not None
    assert n_plus_one.severance.compensation.counted_from == date(2008, 1, 1)
    assert n_plus_one.severance.compensation.capped and n_plus_one.severance.compensation.years_counted == 12
    assert n_plus_one.severance.notice_pay == pay[-1][0]
    assert n_plus_one.severance_amount == cap * 12 + pay[-1][0]

    # Recorded again as 2N (found unlawful): twice the capped compensation, from the hire date.
    double = record(
        tenant,
        ids,
        terms(kind=SeveranceKind.DOUBLE, kind_reason="仲裁认定违法解除", pre_2008_explanation="赔偿金自用工之日起计算"),
    )
    assert double.severance_amount == cap * 12 * 2
    limit = fen(figures.average_wage_monthly * 12 * 3)
    assert double.severance_tax_amount == annual_tax(double.severance_amount - limit) > 0
    with tenant_session(tenant.id) as db:
        assert len(db.exec(select(LeaverSettlement)).all()) == 1  # replaced, not added

    run_id, slip, lines, without = final_payslip(tenant, ids[0])
    assert (lines["severance"], lines["severance_tax"]) == (double.severance_amount, double.severance_tax_amount)
    assert (slip.severance, slip.severance_tax) == (double.severance_amount, double.severance_tax_amount)
    # Taxed apart: the wage tax and the year to date are the month's wages and annual-leave pay only.
    leave_pay = double.annual_leave.amount
    assert slip.income == without.income + leave_pay
    ytd = run_inputs.ytd_from_json(slip.year_to_date)
    assert ytd.tax_withheld == without.year_to_date.tax_withheld + (slip.tax - slip.severance_tax - without.tax)
    assert (
        slip.net_pay
        == slip.gross_pay - slip.deductions - slip.employee_social_insurance - slip.employee_housing_fund - slip.tax
    )

    # Published: the settlement can no longer change, and the next month's year to date leaves the severance out.
    clerk = make_clerk(tenant)
    with tenant_session(tenant.id) as db:
        run = runs.get_run(db, run_id)
        runs.approve(db, run, actor=clerk)
        runs.publish(db, run, actor=clerk)
    with pytest.raises(DomainError) as refused:
        record(tenant, ids, terms(kind=SeveranceKind.DOUBLE, kind_reason="再改", pre_2008_explanation="同上"))
    assert refused.value.field == "last_day"
    with tenant_session(tenant.id) as db:
        october = run_inputs.published_year_to_date(db, date(2026, 10, 1))[ids[0]]
    assert october.tax_withheld == ytd.tax_withheld and october.income == ytd.income


def test_bad_settlements_are_refused_and_nothing_is_written(settings, tenant, paid) -> None:
    ids = paid["ordinary"]
    terminate(tenant, ids, TerminationReason.REDUNDANCY)
    cases = [
        # A month in lieu of notice only for a dismissal without fault (Art. 40).
        (
            terms(kind=SeveranceKind.N_PLUS_ONE),
            "kind",
            "A month's wage in lieu of notice is paid only for a dismissal without fault.",
        ),
        # August 2026 is published.
        (terms(last_day=date(2026, 8, 31)), "last_day", "Payroll for {month} is already published"),
        (terms(last_day=date(2019, 12, 31)), "last_day", "The last day is before the worker's hire date"),
        (terms(last_day=date(2026, 9, 21)), "last_day", "The last day is after the contract's termination date"),
        (terms(kind=None), "kind", "Economic compensation is due for this termination reason"),
        (terms(kind_reason="  "), "kind_reason", "Say why this severance is paid."),
        (terms(entitlement_days=10), "entitlement_reason", "Say why the entitlement differs"),
    ]
    for chosen, field, message in cases:
        with pytest.raises(DomainError) as refused:
            record(tenant, ids, chosen)
        assert (refused.value.field, refused.value.message[: len(message)]) == (field, message)
    with tenant_session(tenant.id) as db:
        assert db.exec(select(LeaverSettlement)).all() == []
    # With a reason, HR's entitlement replaces the statutory one.
    assert (
        record(tenant, ids, terms(entitlement_days=10, entitlement_reason="此前单位工龄 12 年")).annual_leave.entitlement_days
        == 10
    )


def test_the_settlement_page_shows_the_actual_pay_previews_and_records(settings, tenant, paid, signed_in) -> None:
    ids = paid["ordinary"]
    terminate(tenant, ids, TerminationReason.REDUNDANCY)
    pay = published_pay(tenant, ids[0])
    client = signed_in(tenant, StaffRole.HR_CLERK)
    url = f"/t/{tenant.slug}/contracts/{ids[1]}/settlement"
    assert 'id="settlement-link"' in client.get(f"/t/{tenant.slug}/contracts/{ids[1]}").text
    form = client.get(url)
    assert form.status_code == 200
    history = form.text.split('id="pay-history"')[1]
    assert "2025-09" in history and "2026-08" in history and f"{pay[0][0]:,.2f}" in history
    fields = {"_csrf": csrf_from(form.text), "last_day": "2026-09-20", "kind": "n", "kind_reason": "裁员", "days_taken": "1"}
    fields["entitlement_days"] = "5"

    preview = client.post(url, data=fields | {"intent": "preview"})
    assert preview.status_code == 200
    expected = fen(fen(sum(p[0] for p in pay) / 12) * 7)
    assert f"{expected:,.2f}" in preview.text.split('id="severance-amount"')[1][:80]
    with tenant_session(tenant.id) as db:
        assert db.exec(select(LeaverSettlement)).all() == []  # a preview records nothing

    refused = client.post(url, data=fields | {"intent": "record", "kind": "n_plus_one"})
    assert refused.status_code == 400 and 'id="kind-error"' in refused.text
    bad_day = client.post(url, data=fields | {"intent": "record", "last_day": "2026-08-15"})
    assert bad_day.status_code == 400 and 'id="last_day-error"' in bad_day.text

    done = client.post(url, data=fields | {"intent": "record"}, follow_redirects=False)
    assert done.status_code == 303
    with tenant_session(tenant.id) as db:
        assert db.exec(select(LeaverSettlement)).one().severance == expected
    assert 'id="stored"' in client.get(url).text
