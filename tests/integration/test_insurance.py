"""Insurance policies: seeded per tenant, stored exactly, computed to the fen, shown with their disputes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.insurance import actions, store
from service.insurance.cities import POLICIES
from service.insurance.contributions import monthly_contributions
from service.insurance.models import InsuranceSetting
from service.insurance.worker_contributions import worker_month
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.web import csrf_from

D = Decimal
AUG_2025 = date(2025, 8, 15)


def test_a_new_tenant_has_the_four_cities_policies_stored_exactly(tenant) -> None:
    with tenant_session(tenant.id) as db:
        rows = store.all_versions(db)
        seeded = db.exec(select(AuditEntry).where(AuditEntry.action == "insurance_policy.seed")).all()
        assert actions.seed_policies(db) == 0  # seeding again adds nothing
        raw = db.execute(
            text("select policy from insurance_policies where city = 'beijing' order by effective_from desc")
        ).scalar()
    assert {r.city for r in rows} == {"beijing", "shanghai", "hangzhou", "chengdu"}
    assert len(rows) == len(seeded) == len(POLICIES) == 6
    stored = {(r.city, r.effective_from): store.policy_of(r) for r in rows}
    for policy in POLICIES:  # the jsonb round trip is exact, disputes included
        assert stored[(policy.city, policy.effective)] == policy
    assert raw["medical"]["employee_fixed"] == "3" and raw["medical"]["employer_rate"] == "0.098"
    with tenant_session(tenant.id) as db:
        assert store.policy_in_force(db, "shanghai", date(2025, 6, 30)).si_base.lower == D("7384")
        assert store.policy_in_force(db, "shanghai", AUG_2025).si_base.lower == D("7460")
        assert store.policy_in_force(db, "chengdu", date(2025, 6, 30)) is None


def test_the_shanghai_worked_example_to_the_fen_through_the_stored_policy(tenant) -> None:
    with tenant_session(tenant.id) as db:
        policy = store.policy_in_force(db, "shanghai", AUG_2025)
    c = monthly_contributions(policy, D("6500"), D("6500"), D("0.07"), D("0.002"))
    assert (c.si_base, c.hf_base) == (D("7460"), D("6500"))
    assert (c.pension.employee, c.medical.employee, c.unemployment.employee) == (D("596.80"), D("149.20"), D("37.30"))
    assert c.employee_social_insurance == D("783.30")
    assert c.housing_fund.employee == c.housing_fund.employer == D("455.00")
    assert (c.pension.employer, c.medical.employer, c.unemployment.employer, c.work_injury.employer) == (
        D("1193.60"),
        D("671.40"),
        D("37.30"),
        D("14.92"),
    )
    assert c.employer_total == D("2372.22")
    # The same through the worker path: declared base 6,500, the tenant's 7% and 0.2%.
    month = worker_month(policy, D("6500"), D("12434"), D("0.07"), D("0.002"))
    assert month.amounts == c and month.si_reason == "floor" and month.hf_reason == "within"


def test_a_rate_outside_the_citys_range_is_refused_with_nothing_written(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    token = csrf_from(client.get(f"/t/{tenant.slug}/insurance").text)
    url = f"/t/{tenant.slug}/insurance/settings/shanghai"
    for values, field in [
        ({"housing_fund_rate": "12", "work_injury_rate": "0.2"}, "housing_fund_rate"),  # Shanghai: 5%-7%
        ({"housing_fund_rate": "4", "work_injury_rate": ""}, "housing_fund_rate"),
        ({"housing_fund_rate": "abc", "work_injury_rate": ""}, "housing_fund_rate"),
        ({"housing_fund_rate": "7", "work_injury_rate": "20"}, "work_injury_rate"),
        ({"housing_fund_rate": "7", "work_injury_rate": "-1"}, "work_injury_rate"),
    ]:
        response = client.post(url, data={"_csrf": token, **values})
        assert response.status_code == 400, values
        assert f'id="shanghai-{field}-error"' in response.text, values
        if values["housing_fund_rate"] == "12":
            assert "5%" in response.text and "7%" in response.text  # the range is named in the message
    unknown = client.post(f"/t/{tenant.slug}/insurance/settings/atlantis", data={"_csrf": token, "housing_fund_rate": "7"})
    assert unknown.status_code == 404
    with tenant_session(tenant.id) as db:
        assert not db.exec(select(InsuranceSetting)).all()
        assert not db.exec(select(AuditEntry).where(AuditEntry.entity == "insurance_setting")).all()
    # 12% is fine in Beijing, 7% and 0.2% in Shanghai; both audited.
    ok = client.post(url, data={"_csrf": token, "housing_fund_rate": "7", "work_injury_rate": "0.2"}, follow_redirects=False)
    assert ok.status_code == 303
    assert (
        client.post(
            f"/t/{tenant.slug}/insurance/settings/beijing",
            data={"_csrf": token, "housing_fund_rate": "12%"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    with tenant_session(tenant.id) as db:
        setting = store.setting_for(db, "shanghai")
        assert (setting.housing_fund_rate, setting.work_injury_rate) == (D("0.07"), D("0.002"))
        assert store.setting_for(db, "beijing").work_injury_rate is None
        entries = db.exec(select(AuditEntry).where(AuditEntry.entity == "insurance_setting")).all()
        assert len(entries) == 2 and entries[0].after["housing_fund_rate"] == "0.0700"
        actions.set_rates(db, "shanghai", D("0.07"), D("0.002"), actor=SYSTEM)  # unchanged: no entry
        assert len(db.exec(select(AuditEntry).where(AuditEntry.entity == "insurance_setting")).all()) == 2
    page = client.get(f"/t/{tenant.slug}/insurance").text
    assert "0.2%" in page and "7%" in page


def test_disputed_figures_are_marked_on_the_page(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.VIEWER)
    page = client.get(f"/t/{tenant.slug}/insurance")
    assert page.status_code == 200
    html = page.text
    assert html.count("badge badge-probation") > 10
    assert "conflicts with 9.5% in one calculator" in html  # Shanghai medical note
    assert "housing-fund ceiling 40,694 or 42,151" in html  # Hangzhou
    assert "7,460.00 – 37,302.00" in html and "+ 3.00" in html  # Shanghai 2025 base, Beijing's 3 yuan
    assert "/insurance/settings/" not in html  # a viewer gets no form
    assert client.get(f"/t/{tenant.slug}/insurance/preview?worker_id=999").status_code == 404
    assert client.get(f"/t/{tenant.slug}/insurance/preview?worker_id=abc").status_code == 400
    assert client.get(f"/t/{tenant.slug}/insurance/preview?worker_id=1&on=2025-02-30").status_code == 400


def test_another_tenant_is_isolated(tenant, other_tenant, settings, signed_in) -> None:
    with tenant_session(tenant.id) as db:
        actions.set_rates(db, "shanghai", D("0.07"), D("0.002"), actor=SYSTEM)
    theirs = make_worker(settings, other_tenant, city="shanghai")
    with tenant_session(other_tenant.id) as db:
        assert db.execute(text("select count(*) from insurance_settings")).scalar() == 0
        assert db.execute(text("select count(*) from insurance_policies")).scalar() == 6
        assert store.setting_for(db, "shanghai") is None
    with tenant_session(tenant.id) as db:
        assert (
            db.execute(text("update insurance_policies set source = 'x' where tenant_id = :t"), {"t": other_tenant.id}).rowcount
            == 0
        )
    client = signed_in(tenant, StaffRole.ADMIN)
    assert client.get(f"/t/{tenant.slug}/insurance/preview?worker_id={theirs.id}").status_code == 404
    token = csrf_from(client.get(f"/t/{tenant.slug}/insurance").text)
    assert (
        client.post(
            f"/t/{tenant.slug}/insurance/workers/{theirs.id}/base", data={"_csrf": token, "contribution_base": "6500"}
        ).status_code
        == 404
    )


def test_the_preview_uses_the_city_average_clamped_or_the_declared_base(tenant, settings, signed_in) -> None:
    worker = make_worker(settings, tenant, city="chengdu")
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    page = client.get(f"/t/{tenant.slug}/insurance/preview?worker_id={worker.id}")
    assert page.status_code == 200, page.text
    # No base declared: Chengdu's average 7,646 lies within 4,588-22,938; lowest rates assumed.
    with tenant_session(tenant.id) as db:
        from service.insurance.worker_contributions import for_worker

        month = for_worker(db, db.get(type(worker), (tenant.id, worker.id)), date.today())
    assert month.wage_source == "city_average" and month.wage == D("7646")
    assert month.amounts.si_base == D("7646") and month.si_reason == "within"
    assert month.housing_fund_rate_assumed and month.housing_fund_rate == D("0.05")
    assert month.amounts.pension.employee == D("611.68") and month.amounts.housing_fund.employee == D("382.30")
    assert "7,646.00" in page.text and "611.68" in page.text

    # A declared base below the floor is raised to it; bad input writes nothing.
    token = csrf_from(page.text)
    bad = client.post(f"/t/{tenant.slug}/insurance/workers/{worker.id}/base", data={"_csrf": token, "contribution_base": "-5"})
    assert bad.status_code == 400 and 'id="contribution_base-error"' in bad.text
    bad = client.post(f"/t/{tenant.slug}/insurance/workers/{worker.id}/base", data={"_csrf": token, "contribution_base": "abc"})
    assert bad.status_code == 400
    with tenant_session(tenant.id) as db:
        assert not db.exec(select(AuditEntry).where(AuditEntry.action == "worker.contribution_base")).all()
    done = client.post(
        f"/t/{tenant.slug}/insurance/workers/{worker.id}/base",
        data={"_csrf": token, "contribution_base": "3,000"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(f"/t/{tenant.slug}/insurance/preview?worker_id={worker.id}").text
    assert "4,588.00" in shown  # raised to Chengdu's floor
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "worker.contribution_base")).one()
        assert entry.before == {"contribution_base": None} and entry.after == {"contribution_base": "3000.00"}

    # A worker without a city gets a clear message, not an error.
    nowhere = make_worker(settings, tenant)
    response = client.get(f"/t/{tenant.slug}/insurance/preview?worker_id={nowhere.id}")
    assert response.status_code == 200 and 'class="alert"' in response.text


def test_readers_and_writers(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ASSESSOR)
    assert client.get(f"/t/{tenant.slug}/insurance").status_code == 403
