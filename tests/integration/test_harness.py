"""The test harness itself: an ordinary test's sessions are savepoints on one connection rolled back at the
end (``tenants.isolation.joined_to``), and still behave as the app's own transactions do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlmodel import select

from service import events
from service.accounts.models import StaffUser
from tenants.isolation import TENANT_SETTING, control_session, tenant_session
from tenants.models import Tenant
from tests.support.factories import TenantFixture


def _bound(db) -> str:
    return db.exec(text(f"select current_setting('{TENANT_SETTING}', true)")).scalar_one()


def test_each_joined_session_binds_its_own_tenant(tenant: TenantFixture, other_tenant: TenantFixture) -> None:
    with tenant_session(tenant.id) as db:
        assert _bound(db) == str(tenant.id)
        assert [user.email for user in db.exec(select(StaffUser))] == [tenant.admin_email]
    with tenant_session(other_tenant.id) as db:
        assert _bound(db) == str(other_tenant.id)
        assert [user.email for user in db.exec(select(StaffUser))] == [other_tenant.admin_email]
    with control_session() as db:
        assert _bound(db) == ""
        assert db.exec(select(StaffUser)).all() == []


def test_a_nested_session_gives_the_enclosing_one_its_tenant_back(tenant: TenantFixture) -> None:
    """As a sign-in does: the throttle's control session inside the request's tenant session."""
    with tenant_session(tenant.id) as db:
        assert db.exec(select(StaffUser)).one().email == tenant.admin_email
        with control_session() as control:
            assert _bound(control) == ""
            assert control.exec(select(Tenant.slug)).all() == [tenant.slug]
        assert _bound(db) == str(tenant.id)
        user = db.exec(select(StaffUser)).one()
        user.display_name = "改过的名字"
        db.add(user)
    with tenant_session(tenant.id) as db:
        assert db.exec(select(StaffUser.display_name)).one() == "改过的名字"


@dataclass(frozen=True)
class _Happened:
    what: str


def test_reactions_run_when_a_joined_session_commits(tenant: TenantFixture) -> None:
    """The domain events' reactions run at ``before_commit``, which a savepoint's release still fires."""
    seen: list[str] = []
    events.react(_Happened, lambda db, happenings: seen.extend(h.what for h in happenings))
    with tenant_session(tenant.id) as db:
        events.record(db, _Happened("一"))
        events.record(db, _Happened("二"))
        assert seen == []
    assert seen == ["一", "二"]
    try:
        with tenant_session(tenant.id) as db:
            events.record(db, _Happened("三"))
            raise LookupError
    except LookupError:
        pass
    assert seen == ["一", "二"]


def test_nothing_is_committed(tenant: TenantFixture, superuser: Engine) -> None:
    """Other connections never see an ordinary test's data: those that must ask for ``db_clean``."""
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Tenant.id)).all() == [tenant.id]
    with superuser.connect() as connection:
        assert connection.execute(text("select count(*) from tenants")).scalar_one() == 0
