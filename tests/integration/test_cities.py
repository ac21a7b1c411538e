"""City reference figures: seeded with every tenant, versioned by date, edited by the admin with history."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.cities import actions
from service.cities.models import CityParameter
from service.cities.version_input import CityVersionInput
from service.compliance.models import ComplianceAlert
from service.errors import DomainError
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

TODAY = date.today()
D = Decimal


def figure(tenant, city: str, on: date) -> CityParameter | None:
    with tenant_session(tenant.id) as db:
        return actions.in_force(db, city, on)


def form(**changes: str) -> dict[str, str]:
    values = {
        "city": "chengdu",
        "effective_from": "2026-07-01",
        "minimum_wage_monthly": "2,450",
        "minimum_wage_hourly": "24.5",
        "average_wage_monthly": "8012.50",
        "source": "川人社发〔2026〕示例号",
        "housing_fund_start": "next_month",
    }
    values.update(changes)
    return values


def test_a_new_tenant_has_the_four_cities_reference_figures(tenant) -> None:
    with tenant_session(tenant.id) as db:
        versions = actions.all_versions(db)
        seeded = db.exec(select(AuditEntry).where(AuditEntry.action == "city_parameter.seed")).all()
    assert {v.city for v in versions} == {"beijing", "shanghai", "hangzhou", "chengdu"}
    assert len(seeded) == len(versions) == 6
    assert figure(tenant, "beijing", date(2025, 8, 31)).minimum_wage_monthly == D("2420")
    beijing = figure(tenant, "beijing", date(2025, 9, 1))
    assert (beijing.minimum_wage_monthly, beijing.minimum_wage_hourly, beijing.average_wage_monthly) == (
        D("2540"),
        D("27.7"),
        D("11937"),
    )
    assert figure(tenant, "shanghai", date(2025, 7, 1)).average_wage_monthly == D("12434")
    assert "37,302 ÷ 3" in figure(tenant, "shanghai", date(2025, 7, 1)).source
    assert figure(tenant, "hangzhou", date(2025, 1, 1)).average_wage_monthly == D("8433")
    assert figure(tenant, "chengdu", date(2025, 7, 1)).average_wage_monthly == D("7646")
    assert figure(tenant, "chengdu", date(2025, 6, 30)) is None  # the reference knows no earlier figure
    with tenant_session(tenant.id) as db:
        assert actions.seed_reference(db) == 0  # seeding again adds nothing


def test_the_admin_adds_a_version_in_force_from_its_date(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    page = client.get(f"/t/{tenant.slug}/cities")
    assert page.status_code == 200 and "2,330.00" in page.text
    response = client.post(f"/t/{tenant.slug}/cities", data={"_csrf": csrf_from(page.text), **form()}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert figure(tenant, "chengdu", date(2026, 6, 30)).minimum_wage_monthly == D("2330")
    new = figure(tenant, "chengdu", date(2026, 7, 1))
    assert (new.minimum_wage_monthly, new.minimum_wage_hourly, new.average_wage_monthly) == (D("2450"), D("24.5"), D("8012.5"))
    with tenant_session(tenant.id) as db:
        assert [v.effective_from for v in actions.history(db, "chengdu")] == [date(2026, 7, 1), date(2025, 7, 1)]
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "city_parameter.create")).one()
        assert entry.after["minimum_wage_monthly"] == "2450.00" and entry.actor_kind == "staff"
    shown = client.get(f"/t/{tenant.slug}/cities").text
    assert "2026-07-01" in shown and "2025-07-01" in shown and "川人社发〔2026〕示例号" in shown

    # Another city code works too.
    other = client.post(
        f"/t/{tenant.slug}/cities", data={"_csrf": csrf_from(shown), **form(city="chongqing")}, follow_redirects=False
    )
    assert other.status_code == 303
    assert figure(tenant, "chongqing", date(2026, 7, 1)).minimum_wage_monthly == D("2450")


def test_refusals_write_nothing(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    token = csrf_from(client.get(f"/t/{tenant.slug}/cities").text)
    cases = [
        (form(effective_from="2025-07-01"), "effective_from"),  # Chengdu already has figures from that day
        (form(minimum_wage_monthly="0"), "minimum_wage_monthly"),
        (form(minimum_wage_hourly="-3"), "minimum_wage_hourly"),
        (form(average_wage_monthly="abc"), "average_wage_monthly"),
        (form(effective_from="2026-02-30"), "effective_from"),
        (form(city="成都!"), "city"),
        (form(source="x" * 301), "source"),
        (form(housing_fund_start="whenever"), "housing_fund_start"),
    ]
    for values, field in cases:
        response = client.post(f"/t/{tenant.slug}/cities", data={"_csrf": token, **values})
        assert response.status_code == 400, (field, response.status_code)
        assert f'id="add-{field}-error"' in response.text, field
    with tenant_session(tenant.id) as db:
        assert len(actions.all_versions(db)) == 6
        assert not db.exec(select(AuditEntry).where(AuditEntry.action == "city_parameter.create")).all()
        data = CityVersionInput("chengdu", date(2027, 1, 1), D("0"), D("20"), D("8000"))
        try:
            actions.add_version(db, data, actor=SYSTEM)
        except DomainError as error:
            assert error.field == "minimum_wage_monthly"
        else:
            raise AssertionError("a zero minimum wage was accepted")


def test_the_admin_corrects_a_version_with_before_and_after(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    version = figure(tenant, "hangzhou", date(2025, 1, 1))
    token = csrf_from(client.get(f"/t/{tenant.slug}/cities").text)
    values = form(
        city="ignored",
        effective_from="2024-01-01",
        minimum_wage_monthly="2490",
        minimum_wage_hourly="24",
        average_wage_monthly="8500",
        source="浙江 2024 年平均工资",
    )
    response = client.post(f"/t/{tenant.slug}/cities/{version.id}", data={"_csrf": token, **values}, follow_redirects=False)
    assert response.status_code == 303
    corrected = figure(tenant, "hangzhou", date(2025, 1, 1))
    assert corrected.id == version.id and corrected.city == "hangzhou" and corrected.average_wage_monthly == D("8500")
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "city_parameter.correct")).one()
    assert entry.before["average_wage_monthly"] == "8433.00" and entry.after["average_wage_monthly"] == "8500.00"

    beijing_old = figure(tenant, "beijing", date(2024, 1, 1))
    clash = client.post(f"/t/{tenant.slug}/cities/{beijing_old.id}", data={"_csrf": token, **form(effective_from="2025-09-01")})
    assert clash.status_code == 400 and f'id="v{beijing_old.id}-effective_from-error"' in clash.text
    assert figure(tenant, "beijing", date(2024, 1, 1)).effective_from == date(2023, 9, 1)
    assert client.post(f"/t/{tenant.slug}/cities/999999", data={"_csrf": token, **form()}).status_code == 404


def test_staff_read_and_only_the_admin_writes(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.VIEWER)
    page = client.get(f"/t/{tenant.slug}/cities")
    assert page.status_code == 200 and "2,540.00" in page.text and 'action="/t/' not in page.text.split("</header>")[1]
    refused = client.post(f"/t/{tenant.slug}/cities", data={"_csrf": csrf_from(page.text), **form()})
    assert refused.status_code == 403


def test_a_new_minimum_wage_moves_the_probation_pay_alerts(settings, tenant) -> None:
    worker = make_worker(settings, tenant, hire_date=TODAY - timedelta(days=10))
    with tenant_session(tenant.id) as db:
        db.execute(text("update workers set city = 'chengdu', si_registered_on = hire_date where id = :id"), {"id": worker.id})
        db.execute(
            text(
                "insert into contracts (worker_id, contract_type, start_date, end_date, probation_end, probation_wage,"
                " wage, post, bureau_id, signed_on, status) select :w, 'fixed_term', :start, :end, :pend,"
                " 2400, 2800, '巡查', bureau_id, :start, 'signed' from workers where id = :w"
            ),
            {
                "w": worker.id,
                "start": TODAY - timedelta(days=10),
                "end": TODAY + timedelta(days=1085),
                "pend": TODAY + timedelta(days=50),
            },
        )
        actions.seed_reference(db)
    with tenant_session(tenant.id) as db:
        from service.compliance.engine import recompute_for_workers

        recompute_for_workers(db, [worker.id], TODAY)
        assert not db.exec(select(ComplianceAlert).where(ComplianceAlert.rule == "probation_pay_too_low")).all()
        data = CityVersionInput("chengdu", TODAY - timedelta(days=5), D("2500"), D("25"), D("7646"))
        actions.add_version(db, data, actor=SYSTEM)  # the city's workers are recomputed before the commit
    with tenant_session(tenant.id) as db:
        alert = db.exec(select(ComplianceAlert).where(ComplianceAlert.rule == "probation_pay_too_low")).one()
    assert alert.open and alert.params["floor"] == "2500.00"
