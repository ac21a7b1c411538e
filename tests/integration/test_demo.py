"""`paiqian demo` builds a lived-in tenant, once."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from service.demo import DEMO_SLUG, ensure_demo
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant


def test_the_demo_tenant_is_lived_in_and_created_once(settings, db_clean) -> None:
    first = ensure_demo(settings, workers=40, only_if_empty=True)
    assert first.created
    with control_session() as control:
        tenant = control.exec(select(Tenant).where(Tenant.slug == DEMO_SLUG)).one()
    with tenant_session(tenant.id) as db:
        counts = db.execute(
            text(
                "select (select count(*) from workers), (select count(*) from staff_users), "
                "(select count(*) from contracts), (select count(*) from salary_band_cells), "
                "(select count(*) from city_parameters), (select count(*) from insurance_policies), "
                "(select count(distinct bureau_id) from workers)"
            )
        ).one()
    workers, staff, contracts, cells, cities, policies, bureaus = counts
    assert (workers, staff, cells, bureaus) == (40, 4, 25, 3)
    assert contracts >= 30 and cities >= 4 and policies >= 4
    with tenant_session(tenant.id) as db:
        published, payslips, assistants = db.execute(
            text(
                "select (select count(*) from payroll_runs where status = 'published'), (select count(*) from payslips), "
                "(select count(*) from assistant_accounts where password_hash is not null)"
            )
        ).one()
    assert (published, assistants) == (1, 1) and payslips > 30
    assert first.assistant_phone
    again = ensure_demo(settings, workers=40, only_if_empty=True)
    assert not again.created and again.password == first.password
