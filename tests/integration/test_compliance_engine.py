"""Compliance alerts recomputed from the stored facts: raised, closed,
acknowledged, shown again when the facts change, and kept per tenant."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.cli import main
from service.compliance import actions, listing
from service.compliance.engine import recompute_for_workers, recompute_tenant
from service.compliance.models import ComplianceAlert
from service.compliance.rules import double_wage_owed
from service.errors import DomainError
from service.keys import keys_for
from service.workforce.models import Worker
from service.workforce.roster.actions import deactivate_worker
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

TODAY = date.today()
DAY = timedelta(days=1)


def set_worker(tenant, worker_id: int, **values: object) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    with tenant_session(tenant.id) as db:
        db.execute(text(f"update workers set {assignments} where id = :id"), {"id": worker_id, **values})


def add_contract(tenant, worker_id: int, **values: object) -> int:
    row = {
        "contract_type": "fixed_term",
        "start_date": TODAY - 400 * DAY,
        "end_date": TODAY + 700 * DAY,
        "probation_end": None,
        "probation_wage": None,
        "wage": Decimal("4000.00"),
        "post": "市容巡查",
        "signed_on": None,
        "status": "signed",
        "renewal_decision": "undecided",
        "worker_id": worker_id,
        **values,
    }
    if row["status"] != "draft" and row["signed_on"] is None:
        row["signed_on"] = row["start_date"]
    with tenant_session(tenant.id) as db:
        # The worker's bureau, as the contract form proposes.
        row["bureau_id"] = db.execute(text("select bureau_id from workers where id = :w"), {"w": worker_id}).scalar_one()
        columns = ", ".join(row)
        return db.execute(
            text(f"insert into contracts ({columns}) values ({', '.join(':' + c for c in row)}) returning id"), row
        ).scalar_one()


def set_contract(tenant, contract_id: int, **values: object) -> None:
    assignments = ", ".join(f"{name} = :{name}" for name in values)
    with tenant_session(tenant.id) as db:
        db.execute(text(f"update contracts set {assignments} where id = :id"), {"id": contract_id, **values})


def recompute(tenant, *worker_ids: int, today: date = TODAY):
    with tenant_session(tenant.id) as db:
        return recompute_for_workers(db, worker_ids, today)


def alerts(tenant, rule: str | None = None) -> dict[str, ComplianceAlert]:
    """Every stored alert of the tenant (open or not), by "subject rule"."""
    with tenant_session(tenant.id) as db:
        query = select(ComplianceAlert)
        if rule:
            query = query.where(ComplianceAlert.rule == rule)
        return {f"{a.subject} {a.rule}": a for a in db.exec(query).all()}


def one(tenant, rule: str) -> ComplianceAlert:
    found = list(alerts(tenant, rule).values())
    assert len(found) == 1, found
    return found[0]


def registered_worker(settings, tenant, **overrides):
    """A worker whose social insurance is registered (so only the rule under test fires)."""
    worker = make_worker(settings, tenant, **overrides)
    set_worker(tenant, worker.id, si_registered_on=worker.hire_date)
    return worker


# --- written contract ---


def test_no_written_contract_after_a_month_costs_double_wage_and_a_contract_closes_it(settings, tenant) -> None:
    hired = TODAY - 40 * DAY
    worker = make_worker(settings, tenant, hire_date=hired)  # creating the worker already computes its alerts
    alert = one(tenant, "written_contract_missing")
    assert alert.open and alert.severity == "high" and alert.amount is None  # no wage known: no city, no contract
    assert alert.params["amount"] == "—"

    set_worker(tenant, worker.id, city="chengdu", si_registered_on=hired)
    recompute(tenant, worker.id)
    alert = one(tenant, "written_contract_missing")
    owed = double_wage_owed(hired, TODAY, Decimal("2330"))  # Chengdu's minimum wage: the least the wage can be
    assert owed > 0 and alert.amount == owed and alert.params["amount"] == str(owed)
    assert alert.act_by == TODAY and alert.worker_id == worker.id and alert.subject == f"worker:{worker.id}"
    assert "劳动合同法" in alert.article

    # A contract signed within the month (entered late) closes it.
    contract_id = add_contract(tenant, worker.id, start_date=hired, end_date=hired + 3 * 365 * DAY, signed_on=hired + 10 * DAY)
    counts = recompute(tenant, worker.id)
    assert counts.closed == 1
    assert not one(tenant, "written_contract_missing").open

    # Signed only today: still high, now for the double wage the late days cost.
    set_contract(tenant, contract_id, signed_on=TODAY)
    recompute(tenant, worker.id)
    late = one(tenant, "written_contract_missing")
    assert late.open and late.severity == "high"
    assert late.amount == double_wage_owed(hired, TODAY - DAY, Decimal("4000.00"))
    assert "{signed_on}" in late.message and late.acknowledged_at is None


def test_within_the_first_month_the_missing_contract_is_medium(settings, tenant) -> None:
    registered_worker(settings, tenant, hire_date=TODAY - 5 * DAY)
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)
    alert = one(tenant, "written_contract_missing")
    assert alert.severity == "medium" and alert.amount is None and alert.act_by > TODAY


# --- contract ending, renewal decision, acknowledgement ---


def test_a_contract_ending_soon_without_decision_until_decided(settings, tenant) -> None:
    worker = registered_worker(settings, tenant, hire_date=TODAY - 1000 * DAY)
    contract_id = add_contract(tenant, worker.id, start_date=TODAY - 1000 * DAY, end_date=TODAY + 20 * DAY)
    recompute(tenant, worker.id)
    alert = one(tenant, "contract_ending")
    assert alert.open and alert.severity == "high" and alert.subject == f"contract:{contract_id}"
    assert alert.params["end"] == (TODAY + 20 * DAY).isoformat()
    assert alert.act_by == TODAY  # the decision was due 30 days before the end

    set_contract(tenant, contract_id, end_date=TODAY + 50 * DAY)
    recompute(tenant, worker.id)
    assert one(tenant, "contract_ending").severity == "medium"

    set_contract(tenant, contract_id, renewal_decision="renew")
    counts = recompute(tenant, worker.id)
    assert counts.closed >= 1
    assert not one(tenant, "contract_ending").open


def test_acknowledging_hides_an_alert_until_its_facts_change(settings, tenant) -> None:
    worker = registered_worker(settings, tenant, hire_date=TODAY - 1000 * DAY)
    contract_id = add_contract(tenant, worker.id, start_date=TODAY - 1000 * DAY, end_date=TODAY + 20 * DAY)
    recompute(tenant, worker.id)
    alert = one(tenant, "contract_ending")

    with tenant_session(tenant.id) as db:
        stored = actions.get_alert(db, alert.id)
        try:
            actions.acknowledge(db, stored, "   ", actor=SYSTEM)
        except DomainError as error:
            assert error.field == "comment"
        else:
            raise AssertionError("an empty comment was accepted")
    with tenant_session(tenant.id) as db:
        actions.acknowledge(db, actions.get_alert(db, alert.id), "续签意向已口头确认", actor=SYSTEM)
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "compliance_alert.acknowledge")).one()
        assert entry.entity_id == str(alert.id) and entry.after["acknowledgement"] == "续签意向已口头确认"

    def listed(tab: str) -> list[int]:
        with tenant_session(tenant.id) as db:
            return [r.id for r in listing.alert_page(db, listing.AlertFilter(tab=tab)).rows]

    assert alert.id not in listed(listing.OPEN) and alert.id in listed(listing.ACKNOWLEDGED)

    # Same facts the next day: still acknowledged.
    recompute(tenant, worker.id, today=TODAY + DAY)
    assert one(tenant, "contract_ending").acknowledged_at is not None

    # The end date changes: the alert is back, unacknowledged.
    set_contract(tenant, contract_id, end_date=TODAY + 25 * DAY)
    recompute(tenant, worker.id)
    back = one(tenant, "contract_ending")
    assert back.open and back.acknowledged_at is None and back.acknowledgement is None
    assert alert.id in listed(listing.OPEN)


def test_a_closed_alert_cannot_be_acknowledged(settings, tenant) -> None:
    worker = make_worker(settings, tenant, hire_date=TODAY - 5 * DAY)
    set_worker(tenant, worker.id, si_registered_on=TODAY)
    recompute(tenant, worker.id)
    closed = one(tenant, "social_insurance_unregistered")
    assert not closed.open
    with tenant_session(tenant.id) as db:
        try:
            actions.acknowledge(db, actions.get_alert(db, closed.id), "已处理", actor=SYSTEM)
        except DomainError as error:
            assert error.field == "comment"
        else:
            raise AssertionError("a closed alert was acknowledged")


# --- social insurance, contract terms, leaving ---


def test_social_insurance_registration_alert(settings, tenant) -> None:
    recent = make_worker(settings, tenant, hire_date=TODAY - 10 * DAY)
    late = make_worker(settings, tenant, hire_date=TODAY - 45 * DAY)
    found = alerts(tenant, "social_insurance_unregistered")
    assert found[f"worker:{recent.id} social_insurance_unregistered"].severity == "medium"
    assert found[f"worker:{recent.id} social_insurance_unregistered"].act_by == TODAY + 20 * DAY
    assert found[f"worker:{late.id} social_insurance_unregistered"].severity == "high"

    set_worker(tenant, late.id, si_registered_on=TODAY - DAY)
    recompute(tenant, late.id, recent.id)
    found = alerts(tenant, "social_insurance_unregistered")
    assert not found[f"worker:{late.id} social_insurance_unregistered"].open
    assert found[f"worker:{recent.id} social_insurance_unregistered"].open


def test_contract_terms_are_checked_against_the_city_minimum_wage(settings, tenant) -> None:
    start = date(2025, 8, 1)
    worker = registered_worker(settings, tenant, hire_date=start)
    set_worker(tenant, worker.id, city="chengdu")
    # One year with 3 months' probation (2 allowed), probation pay 2,300 < Chengdu's 2,330 and 80% of 2,800.
    contract_id = add_contract(
        tenant,
        worker.id,
        start_date=start,
        end_date=date(2026, 7, 31),
        probation_end=date(2025, 10, 31),
        probation_wage=Decimal("2300.00"),
        wage=Decimal("2800.00"),
    )
    recompute(tenant, worker.id, today=date(2025, 8, 10))
    found = {a.rule: a for a in alerts(tenant).values() if a.subject == f"contract:{contract_id}" and a.open}
    assert set(found) == {"probation_too_long", "probation_pay_too_low", "dispatch_term_too_short"}
    assert found["probation_pay_too_low"].params["floor"] == "2330.00"


def test_a_worker_who_left_has_no_open_alerts(settings, tenant) -> None:
    worker = make_worker(settings, tenant, hire_date=TODAY - 45 * DAY)
    assert any(a.open for a in alerts(tenant).values())
    with tenant_session(tenant.id) as db:
        deactivate_worker(db, db.get(Worker, (tenant.id, worker.id)), actor=SYSTEM)
    assert not any(a.open for a in alerts(tenant).values())


def test_a_certificate_expiring_soon(settings, tenant) -> None:
    worker = registered_worker(settings, tenant, hire_date=TODAY - 100 * DAY)
    with tenant_session(tenant.id) as db:
        db.execute(
            text(
                "insert into certificates (worker_id, name, number, issued_on, valid_until)"
                " values (:w, '协管员上岗证', 'CG-001', :issued, :until)"
            ),
            {"w": worker.id, "issued": TODAY - 700 * DAY, "until": TODAY + 10 * DAY},
        )
    recompute(tenant, worker.id)
    alert = one(tenant, "certificate_expiring")
    assert alert.open and alert.severity == "low" and alert.worker_id == worker.id
    assert alert.act_by == TODAY + 10 * DAY and alert.subject.startswith("certificate:")
    recompute(tenant, worker.id, today=TODAY + 11 * DAY)
    assert one(tenant, "certificate_expiring").severity == "medium"  # expired


# --- tenants ---


def test_alerts_stay_in_their_tenant(settings, tenant, other_tenant) -> None:
    mine = make_worker(settings, tenant, hire_date=TODAY - 45 * DAY, name="甲方员工")
    make_worker(settings, other_tenant, hire_date=TODAY - 45 * DAY, name="乙方员工")
    with tenant_session(other_tenant.id) as db:
        recompute_tenant(db, TODAY)
        visible = db.exec(select(ComplianceAlert)).all()
        assert visible and all(a.tenant_id == other_tenant.id for a in visible)
        # Recomputing one tenant for the other's worker id finds no such worker, and touches nothing.
        assert recompute_for_workers(db, [mine.id], TODAY).workers == 0
    with tenant_session(tenant.id) as db:
        page = listing.alert_page(db, listing.AlertFilter())
    assert {r.worker_name for r in page.rows} == {"甲方员工"}
    assert all(a.open for a in alerts(tenant).values() if a.worker_id == mine.id)


# --- the page ---


def test_the_compliance_page_lists_and_acknowledges(settings, tenant, signed_in) -> None:
    worker = make_worker(settings, tenant, hire_date=TODAY - 45 * DAY, name="王五")
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = client.get(f"/t/{tenant.slug}/compliance")
    assert response.status_code == 200
    assert "王五" in response.text and f"/workers/{worker.id}" in response.text
    alert = one(tenant, "social_insurance_unregistered")

    url = f"/t/{tenant.slug}/compliance/{alert.id}/acknowledge?severity=high"
    refused = client.post(url, data={"_csrf": csrf_from(response.text), "comment": " "})
    assert refused.status_code == 400 and 'class="field-error"' in refused.text
    assert one(tenant, "social_insurance_unregistered").acknowledged_at is None

    done = client.post(url, data={"_csrf": csrf_from(response.text), "comment": "已提交参保材料"}, follow_redirects=False)
    assert done.status_code == 303 and "severity=high" in done.headers["location"]
    assert one(tenant, "social_insurance_unregistered").acknowledgement == "已提交参保材料"
    listed = client.get(f"/t/{tenant.slug}/compliance?severity=high&rule=social_insurance_unregistered")
    assert f'id="alert-{alert.id}"' not in listed.text
    acknowledged = client.get(f"/t/{tenant.slug}/compliance?tab=acknowledged")
    assert f'id="alert-{alert.id}"' in acknowledged.text and "已提交参保材料" in acknowledged.text

    missing = client.post(
        f"/t/{tenant.slug}/compliance/999999/acknowledge", data={"_csrf": csrf_from(response.text), "comment": "x"}
    )
    assert missing.status_code == 404


def test_the_page_pages_through_severities_in_order(settings, tenant) -> None:
    for days in (5, 45, 10, 60):  # medium (within 30 days) or high (late) social-insurance alerts
        make_worker(settings, tenant, hire_date=TODAY - days * DAY)
    with tenant_session(tenant.id) as db:
        page = listing.alert_page(db, listing.AlertFilter(rule="social_insurance_unregistered"))
        only_medium = listing.alert_page(db, listing.AlertFilter(severity="medium"))
    assert [r.severity for r in page.rows] == ["high", "high", "medium", "medium"]
    assert page.counts == {"high": 2, "medium": 2, "low": 0}
    medium_dates = [r.act_by for r in page.rows[2:]]
    assert medium_dates == sorted(medium_dates)
    assert {r.severity for r in only_medium.rows} == {"medium"}


# --- the command ---


def test_compliance_check_command(settings, tenant, other_tenant) -> None:
    make_worker(settings, tenant, hire_date=date(2025, 1, 1))
    runner = CliRunner()
    result = runner.invoke(main, ["compliance", "check", "--tenant", tenant.slug, "--today", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert f"{tenant.slug}: 1 workers" in result.output and "high 2" in result.output
    everyone = runner.invoke(main, ["compliance", "check", "--today", "2025-03-01"])
    assert everyone.exit_code == 0 and tenant.slug in everyone.output and other_tenant.slug in everyone.output
    unknown = runner.invoke(main, ["compliance", "check", "--tenant", "no-such-co"])
    assert unknown.exit_code == 2
    bad_date = runner.invoke(main, ["compliance", "check", "--today", "2025-13-01"])
    assert bad_date.exit_code == 2
    assert keys_for(settings)  # the command used the same settings as the suite
