"""Training, certificates to work and discipline on the worker's page:
adding, refusing bad input, who sees discipline, other tenants, and the
certificates the compliance engine is told about."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.i18n import translator
from service.workforce.models import WorkerStatus
from service.workforce.records import actions as training
from service.workforce.records.input import CertificateInput
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

T = translator("zh_CN")


def _post(client, slug: str, worker_id: int, section: str, /, **form: str):
    token = csrf_from(client.get(f"/t/{slug}/workers/{worker_id}").text)
    return client.post(f"/t/{slug}/workers/{worker_id}/{section}", data={"_csrf": token, **form}, follow_redirects=False)


def _count(tenant, table: str) -> int:
    with tenant_session(tenant.id) as db:
        return db.execute(text(f"select count(*) from {table}")).scalar()


def test_records_are_added_and_shown(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    assert (
        _post(
            client,
            tenant.slug,
            worker.id,
            "training",
            course="城管法规基础",
            provider="区执法局",
            trained_on="2024-05-10",
            hours="16",
            result="passed",
        ).status_code
        == 303
    )
    assert (
        _post(
            client,
            tenant.slug,
            worker.id,
            "certificates",
            name="综合执法辅助人员上岗证",
            number="CD-2024-00117",
            issued_on="2024-06-01",
            valid_until="2027-05-31",
        ).status_code
        == 303
    )
    fine = _post(
        client,
        tenant.slug,
        worker.id,
        "discipline",
        kind="fine",
        occurred_on="2024-07-02",
        reason="执勤期间脱岗",
        amount="200.50",
    )
    assert fine.status_code == 303 and fine.headers["location"].endswith("#discipline")
    assert (
        _post(
            client,
            tenant.slug,
            worker.id,
            "discipline",
            kind="suspension",
            occurred_on="2024-08-01",
            reason="待调查",
            ends_on="2024-08-15",
        ).status_code
        == 303
    )
    page = client.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    for shown in ("城管法规基础", "CD-2024-00117", "2027-05-31", "执勤期间脱岗", "200.50", "2024-08-15"):
        assert shown in page, shown
    with tenant_session(tenant.id) as db:
        actions = db.execute(
            text(
                "select action from audit_log where entity in "
                "('training_record', 'certificate', 'discipline_record') order by id"
            )
        ).scalars()
        amount = db.execute(text("select amount from discipline_records where kind = 'fine'")).scalar()
    assert list(actions) == ["training.create", "certificate.create", "discipline.create", "discipline.create"]
    assert str(amount) == "200.50"


def test_bad_input_is_refused_next_to_the_field_and_nothing_written(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    future = (date.today() + timedelta(days=3)).isoformat()
    good_training = {"course": "队列训练", "trained_on": "2024-05-10", "hours": "4", "result": "attended"}
    good_certificate = {"name": "上岗证", "number": "A1", "issued_on": "2024-01-01", "valid_until": "2026-12-31"}
    good_discipline = {"kind": "warning", "occurred_on": "2024-07-02", "reason": "迟到"}
    cases = [
        ("training", good_training | {"hours": "0"}, "hours"),
        ("training", good_training | {"hours": "abc"}, "hours"),
        ("training", good_training | {"course": ""}, "course"),
        ("training", good_training | {"trained_on": future}, "trained_on"),
        ("training", good_training | {"result": "excellent"}, "result"),
        ("certificates", good_certificate | {"valid_until": "2023-12-31"}, "valid_until"),
        ("certificates", good_certificate | {"number": ""}, "number"),
        ("certificates", good_certificate | {"issued_on": "2024-02-30"}, "issued_on"),
        ("discipline", good_discipline | {"kind": "fine"}, "amount"),  # a fine needs its amount
        ("discipline", good_discipline | {"kind": "fine", "amount": "-5"}, "amount"),
        ("discipline", good_discipline | {"kind": "fine", "amount": "12.345"}, "amount"),
        ("discipline", good_discipline | {"amount": "100"}, "amount"),  # a warning has none
        ("discipline", good_discipline | {"ends_on": "2024-08-01"}, "ends_on"),  # only a suspension ends
        ("discipline", good_discipline | {"kind": "suspension", "ends_on": "2024-07-01"}, "ends_on"),
        ("discipline", good_discipline | {"kind": "expulsion"}, "kind"),
        ("discipline", good_discipline | {"reason": ""}, "reason"),
        ("discipline", good_discipline | {"occurred_on": "2019-12-31"}, "occurred_on"),  # before the hire date
    ]
    for kind, form, field in cases:
        response = _post(client, tenant.slug, worker.id, kind, **form)
        assert response.status_code == 400, (kind, form)
        assert f'id="{kind}-{field}-error"' in response.text, (kind, form)
    assert (
        T("Enter the amount of the fine.")
        in _post(client, tenant.slug, worker.id, "discipline", **(good_discipline | {"kind": "fine"})).text
    )
    for table in ("training_records", "certificates", "discipline_records"):
        assert _count(tenant, table) == 0, table
    assert _post(client, tenant.slug, worker.id, "certificates", **good_certificate).status_code == 303
    duplicate = _post(client, tenant.slug, worker.id, "certificates", **good_certificate)
    assert duplicate.status_code == 400 and 'id="certificates-number-error"' in duplicate.text
    assert _count(tenant, "certificates") == 1


def test_viewers_do_not_see_discipline(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    client = signed_in(tenant, StaffRole.HR_CLERK)
    _post(client, tenant.slug, worker.id, "discipline", kind="education", occurred_on="2024-07-02", reason="着装不规范")
    assert "着装不规范" in client.get(f"/t/{tenant.slug}/workers/{worker.id}").text
    payroll = signed_in(tenant, StaffRole.PAYROLL_CLERK).get(f"/t/{tenant.slug}/workers/{worker.id}").text
    assert "着装不规范" in payroll and f"/workers/{worker.id}/discipline" not in payroll  # reads, cannot add
    viewer = signed_in(tenant, StaffRole.VIEWER).get(f"/t/{tenant.slug}/workers/{worker.id}").text
    assert "着装不规范" not in viewer and 'id="discipline"' not in viewer
    assert 'id="training"' in viewer and 'id="certificates"' in viewer


def test_another_tenants_worker_is_404(signed_in, tenant, other_tenant, settings) -> None:
    theirs = make_worker(settings, other_tenant)
    mine = make_worker(settings, tenant)
    client = signed_in(tenant, StaffRole.ADMIN)
    token = csrf_from(client.get(f"/t/{tenant.slug}/workers/{mine.id}").text)
    forms = {
        "training": {"course": "x", "trained_on": "2024-05-10", "hours": "4", "result": "passed"},
        "certificates": {"name": "x", "number": "1", "issued_on": "2024-01-01", "valid_until": "2026-01-01"},
        "discipline": {"kind": "warning", "occurred_on": "2024-07-02", "reason": "x"},
    }
    for kind, form in forms.items():
        response = client.post(f"/t/{tenant.slug}/workers/{theirs.id}/{kind}", data={"_csrf": token, **form})
        assert response.status_code == 404, kind
    for table in ("training_records", "certificates", "discipline_records"):
        assert _count(other_tenant, table) == 0


def test_certificates_expiring_leaves_out_renewed_ones_and_leavers(tenant, other_tenant, settings) -> None:
    today = date(2025, 6, 1)
    active = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    renewed = make_worker(settings, tenant, hire_date=date(2020, 3, 1))
    gone = make_worker(settings, tenant, hire_date=date(2020, 3, 1), status=WorkerStatus.LEFT)
    elsewhere = make_worker(settings, other_tenant, hire_date=date(2020, 3, 1))

    def add(tenant_id, worker, name: str, number: str, until: date) -> int:
        with tenant_session(tenant_id) as db:
            data = CertificateInput(name, number, date(2022, 1, 1), until)
            return training.add_certificate(db, worker, data, actor=SYSTEM).id

    soon = add(tenant.id, active, "上岗证", "A-1", today + timedelta(days=30))
    expired = add(tenant.id, active, "急救证", "F-1", today - timedelta(days=1))
    add(tenant.id, active, "驾驶证", "D-1", today + timedelta(days=31))  # beyond the window
    add(tenant.id, renewed, "上岗证", "R-1", today + timedelta(days=5))
    add(tenant.id, renewed, "上岗证", "R-2", today + timedelta(days=1100))  # the renewal
    add(tenant.id, gone, "上岗证", "G-1", today + timedelta(days=5))
    add(other_tenant.id, elsewhere, "上岗证", "O-1", today + timedelta(days=5))
    with tenant_session(tenant.id) as db:
        found = training.certificates_expiring(db, 30, today)
    assert found == [
        (active.id, expired, "急救证", "F-1", today - timedelta(days=1)),
        (active.id, soon, "上岗证", "A-1", today + timedelta(days=30)),
    ]
    assert found[0].certificate_id == expired
