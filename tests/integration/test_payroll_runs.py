"""Payroll runs: set-based calculation equals the pure rule, totals, refusals, isolation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

from service.audit import SYSTEM, AuditEntry
from service.cities.actions import in_force as city_in_force
from service.errors import DomainError
from service.insurance.actions import set_contribution_base
from service.insurance.store import policy_in_force
from service.insurance.worker_contributions import WORK_INJURY_RATES
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.minimum_wage import MinimumWage
from service.payroll.payslip import Attendance, Insurance, PayslipInput, compute_payslip
from service.payroll.runs import actions as runs
from service.payroll.runs.inputs import ytd_from_json
from service.payroll.runs.models import PayrollRun, PayslipLineRow, PayslipRow, RunStatus
from service.payroll.tax.income_tax import TaxYearToDate
from service.payroll.tax.months_employed import Employment
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.daily_models import AttendanceMonth
from service.workforce.models import GRADES, Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_clerk, make_worker

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
MARCH = date(2026, 3, 1)


def cells() -> tuple[BandCell, ...]:
    return tuple(
        BandCell(grade=g, rating=r, post_pay=D(2500 + 100 * g), grade_pay=D(200 * g), performance_pay=D(600 - 100 * r.rank))
        for g in GRADES
        for r in RATINGS
    )


def seed(settings, tenant) -> list[int]:
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(2026, 1, 1), "", cells()), actor=SYSTEM)
    ids = [make_worker(settings, tenant, city="chengdu", grade=g).id for g in (5, 3, 1)]
    with tenant_session(tenant.id) as db:
        for worker_id, base in zip(ids[1:], (D("6000"), D("3000")), strict=True):
            set_contribution_base(db, db.get(Worker, (tenant.id, worker_id)), base, actor=SYSTEM)
    figures = AttendanceFigures(D("20"), D("1.5"), D("10"), D("8"), D("0"))
    with tenant_session(tenant.id) as db:
        save_month(db, MARCH, {ids[1]: figures}, actor=SYSTEM)
    return ids


def expected(tenant, worker_id: int, month: date, ytd: TaxYearToDate | None = None):
    """The payslip computed straight through the pure rule from inputs read one by one."""
    from service.payroll.bands.actions import band_for_worker

    with tenant_session(tenant.id) as db:
        worker = db.get(Worker, (tenant.id, worker_id))
        _, cell = band_for_worker(db, worker, month)
        policy = policy_in_force(db, "chengdu", month)
        figures = city_in_force(db, "chengdu", month)
        row = db.exec(
            select(AttendanceMonth).where(AttendanceMonth.worker_id == worker_id, AttendanceMonth.month == month)
        ).first()
        base = worker.contribution_base or figures.average_wage_monthly
    attendance = (
        Attendance(D("21.75"))
        if row is None
        else Attendance(
            row.days_worked,
            row.absence_days,
            row.overtime_weekday_hours,
            row.overtime_rest_day_hours,
            row.overtime_holiday_hours,
        )
    )
    return compute_payslip(
        PayslipInput(
            month=month,
            band=cell,
            performance_base=None,
            components=(),
            attendance=attendance,
            insurance=Insurance(policy, base, base, policy.housing_fund.rates.lower, WORK_INJURY_RATES.lower),
            year_to_date=ytd or TaxYearToDate.start(month.year),
            declarations=None,
            minimum_wage=MinimumWage("chengdu", figures.effective_from, figures.minimum_wage_monthly, False),
            employment=Employment(worker.hire_date, worker.left_on),
        )
    )


def new_run(tenant, month: date = MARCH) -> int:
    with tenant_session(tenant.id) as db:
        return runs.create_run(db, month, actor=SYSTEM).id


def calculate(tenant, run_id: int) -> runs.Outcome:
    with tenant_session(tenant.id) as db:
        return runs.calculate(db, runs.get_run(db, run_id), actor=SYSTEM)


def stored(tenant, run_id: int):
    with tenant_session(tenant.id) as db:
        run = runs.get_run(db, run_id)
        slips = {p.worker_id: p for p in db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id))}
        lines = {}
        for line in db.exec(select(PayslipLineRow).order_by(PayslipLineRow.payslip_id, PayslipLineRow.position)):
            lines.setdefault(line.payslip_id, []).append(line)
        return run, slips, lines


def test_a_run_stores_what_the_pure_rule_computes(settings, tenant) -> None:
    ids = seed(settings, tenant)
    run_id = new_run(tenant)
    outcome = calculate(tenant, run_id)
    assert outcome.payslips == 3
    run, slips, lines = stored(tenant, run_id)
    assert set(slips) == set(ids)
    for worker_id in ids:
        want, got = expected(tenant, worker_id, MARCH), slips[worker_id]
        assert (got.gross_pay, got.deductions, got.tax, got.net_pay, got.employer_cost) == (
            want.gross_pay,
            want.deductions,
            want.tax,
            want.net_pay,
            want.employer_cost,
        )
        assert (got.employee_social_insurance, got.employee_housing_fund, got.taxable_income) == (
            want.employee_social_insurance,
            want.employee_housing_fund,
            want.taxable_income,
        )
        assert got.minimum_wage_ok == want.minimum_wage.meets
        assert ytd_from_json(got.year_to_date) == want.year_to_date
        assert [(x.code, x.label, x.category, x.amount) for x in lines[got.id]] == [
            (x.code, x.label, x.category.value, x.amount) for x in want.lines
        ]
    assert any(x.code == "absence" for x in lines[slips[ids[1]].id])  # the attendance row was used
    assert run.status == RunStatus.CALCULATED.value and run.worker_count == 3
    assert run.gross == sum(p.gross_pay for p in slips.values())
    assert run.net == sum(p.net_pay for p in slips.values())
    assert run.tax == sum(p.tax for p in slips.values())
    assert run.employer_cost == sum(p.employer_cost for p in slips.values())
    with tenant_session(tenant.id) as db:
        audits = db.exec(select(AuditEntry).where(AuditEntry.action == "payroll_run.calculate")).all()
        locked = db.exec(select(AttendanceMonth).where(AttendanceMonth.locked_at.is_not(None))).all()
    assert len(audits) == 1 and audits[0].after["payslips"] == 3
    assert len(locked) == 1

    # calculated again: replaced, not doubled
    calculate(tenant, run_id)
    _, again, _ = stored(tenant, run_id)
    assert len(again) == 3


def publish(tenant, run_id: int) -> None:
    """Approve and publish the run as a payroll clerk: the system calculated it (four eyes)."""
    clerk = make_clerk(tenant)
    with tenant_session(tenant.id) as db:
        run = runs.get_run(db, run_id)
        runs.approve(db, run, actor=clerk)
        runs.publish(db, run, actor=clerk)


def test_the_next_month_continues_the_published_year_to_date(settings, tenant) -> None:
    ids = seed(settings, tenant)
    run_id = new_run(tenant)
    calculate(tenant, run_id)
    publish(tenant, run_id)
    april = new_run(tenant, date(2026, 4, 1))
    calculate(tenant, april)
    _, slips, _ = stored(tenant, april)
    march = expected(tenant, ids[0], MARCH)
    want = expected(tenant, ids[0], date(2026, 4, 1), march.year_to_date)
    assert slips[ids[0]].tax == want.tax
    # Employed since 2020: January to April count, though Paiqian paid only March and April.
    assert ytd_from_json(slips[ids[0]].year_to_date).months_employed == 4


def test_a_second_regular_run_for_the_month_is_refused(settings, tenant) -> None:
    seed(settings, tenant)
    new_run(tenant)
    with pytest.raises(DomainError, match="already a regular payroll run for 2026-03"):
        new_run(tenant)


def test_a_published_run_cannot_change(settings, tenant) -> None:
    seed(settings, tenant)
    run_id = new_run(tenant)
    calculate(tenant, run_id)
    publish(tenant, run_id)
    with pytest.raises(DomainError, match="published"):
        calculate(tenant, run_id)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="published"):
        runs.approve(db, runs.get_run(db, run_id), actor=SYSTEM)
    one_bureau = make_bureau(tenant, "某局")
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="published"):
        runs.create_run(db, MARCH, one_bureau, actor=SYSTEM)


def test_a_worker_without_a_band_refuses_the_whole_calculation(settings, tenant) -> None:
    seed(settings, tenant)
    stray = make_worker(settings, tenant, city="chengdu", client_bureau="成都市武侯区城市管理局", name="李四")
    run_id = new_run(tenant)
    with pytest.raises(runs.CalculationRefused) as refused:
        calculate(tenant, run_id)
    assert [(p.worker_id, p.name) for p in refused.value.problems] == [(stray.id, "李四")]
    assert "salary band" in refused.value.problems[0].reason
    run, slips, lines = stored(tenant, run_id)
    assert run.status == RunStatus.DRAFT.value and not slips and not lines


def test_runs_are_isolated_between_tenants(settings, tenant, other_tenant) -> None:
    seed(settings, tenant)
    run_id = new_run(tenant)
    calculate(tenant, run_id)
    with tenant_session(other_tenant.id) as db:
        assert runs.get_run(db, run_id) is None
        assert db.exec(select(func.count()).select_from(PayrollRun)).one() == 0
        assert db.exec(select(func.count()).select_from(PayslipRow)).one() == 0
        assert db.exec(select(func.count()).select_from(PayslipLineRow)).one() == 0
    new_run(other_tenant)  # its own March run is allowed


def test_components_and_declarations_change_the_payslip_as_the_rule_says(settings, tenant) -> None:
    from dataclasses import replace

    from service.payroll.components.actions import define_component
    from service.payroll.components.rules import ComponentDefinition, Method
    from service.payroll.payslip import Component, ComponentKind
    from service.payroll.tax.actions import save_declaration
    from service.payroll.tax.special_deductions import Child, Declarations

    ids = seed(settings, tenant)  # hired 2020-03-01: six full years before March 2026
    transport = ComponentDefinition("transport", "交通补贴", ComponentKind.ADDITION, Method.FIXED, D("300"), taxable=False)
    seniority = ComponentDefinition("seniority", "工龄工资", ComponentKind.ADDITION, Method.PER_YEAR_OF_SERVICE, D("50"))
    declared = Declarations(2026, children=(Child(date(2018, 5, 1)),))
    with tenant_session(tenant.id) as db:
        define_component(db, transport, actor=SYSTEM)
        define_component(db, seniority, actor=SYSTEM)
        save_declaration(db, db.get(Worker, (tenant.id, ids[0])), declared, actor=SYSTEM)
    run_id = new_run(tenant)
    calculate(tenant, run_id)
    _, slips, lines = stored(tenant, run_id)

    plain = expected(tenant, ids[0], MARCH)
    components = (
        Component("seniority", "工龄工资", ComponentKind.ADDITION, D("300.00"), prorated=True),
        Component("transport", "交通补贴", ComponentKind.ADDITION, D("300.00"), taxable=False, prorated=True),
    )
    with tenant_session(tenant.id) as db:
        inputs = runs_inputs(db, tenant)
    want = compute_payslip(replace(inputs[ids[0]], components=components, declarations=declared))
    assert inputs[ids[0]].components == components and inputs[ids[0]].declarations == declared
    got = slips[ids[0]]
    assert (got.gross_pay, got.taxable_income, got.tax, got.net_pay) == (
        want.gross_pay,
        want.taxable_income,
        want.tax,
        want.net_pay,
    )
    assert want.gross_pay == plain.gross_pay + D("600.00")
    assert want.special_additional_deductions == D("2000.00")
    assert [(x.code, x.amount) for x in lines[got.id]] == [(x.code, x.amount) for x in want.lines]
    assert ("transport", D("300.00")) in [(x.code, x.amount) for x in lines[got.id]]
    # the other workers get the components but no declaration
    assert inputs[ids[2]].declarations is None and len(inputs[ids[2]].components) == 2


def runs_inputs(db, tenant):
    from service.payroll.runs.inputs import load

    return load(db, MARCH, None).inputs
