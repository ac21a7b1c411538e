"""The 10% dispatch cap: a client bureau's recorded workforce, the alert it
raises, the setting that turns it off, and the page that records it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.bureaus.actions import set_client_workforce
from service.bureaus.directory import workforce_rows
from service.bureaus.models import ClientBureau
from service.compliance.actions import acknowledge
from service.compliance.engine import recompute_for_workers, recompute_tenant
from service.compliance.models import ComplianceAlert
from service.errors import DomainError
from service.workforce.models import Worker, WorkerStatus
from service.workforce.roster.actions import deactivate_worker
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.web import csrf_from

TODAY = date.today()
DAY = timedelta(days=1)
BUREAU = "成都市锦江区城市管理和综合行政执法局"
OTHER_BUREAU = "成都市青羊区城市管理局"
RENAMED = "成都市锦江区综合行政执法局"


def cap_alerts(tenant) -> dict[str, ComplianceAlert]:
    """The dispatch-cap alerts, by the name (today) of the bureau whose record each is about."""
    with tenant_session(tenant.id) as db:
        names = {f"bureau:{b.id}": b.name for b in db.exec(select(ClientBureau))}
        found = db.exec(select(ComplianceAlert).where(ComplianceAlert.rule == "dispatch_cap")).all()
        return {names[a.subject]: a for a in found}


def open_cap(tenant) -> set[str]:
    return {bureau for bureau, a in cap_alerts(tenant).items() if a.open}


def record(tenant, bureau: str = BUREAU, headcount: object = 18, warning: bool = True) -> ClientBureau:
    with tenant_session(tenant.id) as db:
        return set_client_workforce(db, bureau, headcount, warning, actor=SYSTEM)


def rows(tenant) -> list[ClientBureau]:
    """The bureaus whose workforce is recorded (the figure lives on the bureau record since 0016)."""
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(ClientBureau).where(ClientBureau.direct_headcount.is_not(None))).all())


def audit_count(tenant) -> int:
    with tenant_session(tenant.id) as db:
        return len(db.exec(select(AuditEntry).where(AuditEntry.action == "client_workforce.set")).all())


def test_no_figure_no_alert_and_the_boundary_of_ten_percent(settings, tenant) -> None:
    first = make_worker(settings, tenant)
    make_worker(settings, tenant)
    make_worker(settings, tenant, client_bureau=OTHER_BUREAU)
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)
    assert cap_alerts(tenant) == {}  # nothing recorded: nothing checked

    record(tenant, headcount=18)  # 2 dispatched of 20: exactly 10%, allowed
    assert open_cap(tenant) == set()

    make_worker(settings, tenant)  # one more: 3 of 21, above 10% (creating a worker recomputes its bureau)
    alert = cap_alerts(tenant)[BUREAU]
    assert alert.open and alert.worker_id is None and alert.subject.startswith("bureau:")
    assert alert.severity == "medium" and "Art. 4" in alert.article
    assert alert.params["dispatched"] == 3 and alert.params["total"] == 21 and alert.params["allowed"] == 2

    # A worker leaving brings the bureau back to 10%: the alert closes with that worker's change.
    with tenant_session(tenant.id) as db:
        deactivate_worker(db, db.get(Worker, (tenant.id, first.id)), actor=SYSTEM)
    assert open_cap(tenant) == set()

    # The daily recompute agrees; candidates and workers not yet hired do not count.
    make_worker(settings, tenant, status=WorkerStatus.CANDIDATE)
    make_worker(settings, tenant, hire_date=TODAY + 10 * DAY)
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)
    assert open_cap(tenant) == set()


def test_moving_a_worker_to_another_bureau_closes_the_old_bureaus_alert(settings, tenant) -> None:
    workers = [make_worker(settings, tenant) for _ in range(3)]
    record(tenant, headcount=18)
    assert open_cap(tenant) == {BUREAU}
    other_id = make_bureau(tenant, OTHER_BUREAU)
    with tenant_session(tenant.id) as db:
        moved = db.get(Worker, (tenant.id, workers[0].id))
        moved.bureau_id, moved.unit_id = other_id, None  # its unit belongs to the old bureau (composite key)
        db.flush()
        recompute_for_workers(db, [workers[0].id], TODAY)
    assert open_cap(tenant) == set()


def test_a_renamed_bureau_keeps_its_one_alert_and_its_acknowledgement(settings, tenant, signed_in) -> None:
    """The alert is about the bureau's record: renaming it neither closes it nor raises a second one,
    the acknowledgement stays (the facts did not change), and the page shows the new name."""
    for _ in range(3):
        make_worker(settings, tenant)
    bureau = record(tenant, headcount=10)
    with tenant_session(tenant.id) as db:
        alert = db.exec(select(ComplianceAlert).where(ComplianceAlert.rule == "dispatch_cap")).one()
        acknowledge(db, alert, "已与用工单位沟通", actor=SYSTEM)
    admin = signed_in(tenant, StaffRole.ADMIN)
    form = admin.get(f"/t/{tenant.slug}/bureaus/{bureau.id}/edit").text
    renamed = admin.post(
        f"/t/{tenant.slug}/bureaus/{bureau.id}", data={"_csrf": csrf_from(form), "name": RENAMED}, follow_redirects=False
    )
    assert renamed.status_code == 303
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)  # the nightly check agrees
    (kept,) = cap_alerts(tenant).items()
    assert kept[0] == RENAMED and kept[1].id == alert.id and kept[1].open
    assert kept[1].subject == f"bureau:{bureau.id}" and kept[1].acknowledged_at is not None
    shown = admin.get(f"/t/{tenant.slug}/compliance?rule=dispatch_cap&tab=acknowledged").text
    assert RENAMED in shown and BUREAU not in shown


def test_turning_the_warning_off_closes_the_alert_and_on_brings_it_back(settings, tenant) -> None:
    for _ in range(3):
        make_worker(settings, tenant)
    record(tenant, headcount=10)
    assert open_cap(tenant) == {BUREAU}
    record(tenant, headcount=10, warning=False)
    assert open_cap(tenant) == set() and cap_alerts(tenant)[BUREAU].open is False
    with tenant_session(tenant.id) as db:
        recompute_tenant(db, TODAY)
    assert open_cap(tenant) == set()  # the daily check respects the setting too
    record(tenant, headcount=10, warning=True)
    assert open_cap(tenant) == {BUREAU}
    record(tenant, headcount=100)  # a larger workforce: within the cap
    assert open_cap(tenant) == set()
    (row,) = rows(tenant)
    assert row.direct_headcount == 100 and row.cap_warning
    assert audit_count(tenant) == 4


@pytest.mark.parametrize(
    ("bureau", "headcount", "field"),
    [
        (BUREAU, -1, "direct_headcount"),
        (BUREAU, "-3", "direct_headcount"),
        (BUREAU, "1.5", "direct_headcount"),
        (BUREAU, "十", "direct_headcount"),
        (BUREAU, "", "direct_headcount"),
        (BUREAU, True, "direct_headcount"),
        (BUREAU, 10**9, "direct_headcount"),
        ("没有这个局", 10, "client_bureau"),
        ("", 10, "client_bureau"),
    ],
)
def test_refusals_write_nothing(settings, tenant, bureau, headcount, field) -> None:
    for _ in range(3):
        make_worker(settings, tenant)
    with pytest.raises(DomainError) as refused:
        record(tenant, bureau=bureau, headcount=headcount)
    assert refused.value.field == field
    assert rows(tenant) == [] and audit_count(tenant) == 0 and cap_alerts(tenant) == {}


def test_figures_and_alerts_stay_in_their_tenant(settings, tenant, other_tenant) -> None:
    for _ in range(3):
        make_worker(settings, tenant)
    make_worker(settings, other_tenant)
    record(tenant, headcount=5)
    assert open_cap(tenant) == {BUREAU}
    assert rows(other_tenant) == [] and cap_alerts(other_tenant) == {}
    with tenant_session(other_tenant.id) as db:
        listed = workforce_rows(db, TODAY)
        recompute_tenant(db, TODAY)
    assert [(r.client_bureau, r.dispatched, r.direct_headcount) for r in listed] == [(BUREAU, 1, None)]
    assert cap_alerts(other_tenant) == {}
    # The other tenant records its own figure for the same bureau name: its own row, its own count.
    record(other_tenant, headcount=9)  # its 1 worker of 10: exactly 10%
    assert open_cap(other_tenant) == set() and open_cap(tenant) == {BUREAU}
    record(other_tenant, headcount=8)  # 1 of 9: above
    assert open_cap(other_tenant) == {BUREAU}
    assert [r.direct_headcount for r in rows(tenant)] == [5] and [r.direct_headcount for r in rows(other_tenant)] == [8]


def test_the_page_shows_and_saves(settings, tenant, signed_in) -> None:
    for _ in range(3):
        make_worker(settings, tenant)
    make_worker(settings, tenant, client_bureau=OTHER_BUREAU)
    viewer = signed_in(tenant, StaffRole.VIEWER)
    shown = viewer.get(f"/t/{tenant.slug}/client-workforce")
    assert shown.status_code == 200 and BUREAU in shown.text and OTHER_BUREAU in shown.text
    assert 'name="direct_headcount"' not in shown.text  # readers see, do not edit
    refused = viewer.post(
        f"/t/{tenant.slug}/client-workforce",
        data={"_csrf": csrf_from(shown.text), "client_bureau": BUREAU, "direct_headcount": "5"},
    )
    assert refused.status_code == 403 and rows(tenant) == []

    clerk = signed_in(tenant, StaffRole.HR_CLERK)
    page = clerk.get(f"/t/{tenant.slug}/client-workforce")
    assert page.status_code == 200 and 'name="direct_headcount"' in page.text and 'name="cap_warning"' in page.text
    token = csrf_from(page.text)
    bad = clerk.post(
        f"/t/{tenant.slug}/client-workforce",
        data={"_csrf": token, "client_bureau": BUREAU, "direct_headcount": "-2", "cap_warning": "1"},
    )
    assert bad.status_code == 400 and 'class="field-error"' in bad.text and 'value="-2"' in bad.text
    unknown = clerk.post(
        f"/t/{tenant.slug}/client-workforce", data={"_csrf": token, "client_bureau": "没有这个局", "direct_headcount": "2"}
    )
    assert unknown.status_code == 400 and "没有这个局" in unknown.text
    assert rows(tenant) == []

    saved = clerk.post(
        f"/t/{tenant.slug}/client-workforce",
        data={"_csrf": token, "client_bureau": BUREAU, "direct_headcount": "20", "cap_warning": "1"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and "/client-workforce" in saved.headers["location"]
    assert open_cap(tenant) == {BUREAU}  # 3 of 23
    after = clerk.get(f"/t/{tenant.slug}/client-workforce")
    assert 'value="20"' in after.text and "13.0%" in after.text
    compliance = clerk.get(f"/t/{tenant.slug}/compliance?rule=dispatch_cap")
    assert compliance.status_code == 200 and BUREAU in compliance.text and "/client-workforce" in compliance.text

    # Unchecking the box (no cap_warning field) turns the warning off.
    off = clerk.post(
        f"/t/{tenant.slug}/client-workforce",
        data={"_csrf": token, "client_bureau": BUREAU, "direct_headcount": "20"},
        follow_redirects=False,
    )
    assert off.status_code == 303 and open_cap(tenant) == set()
    assert [(r.direct_headcount, r.cap_warning) for r in rows(tenant)] == [(20, False)]
