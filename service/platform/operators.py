"""Platform operators: Paiqian's own staff, outside every tenant.

An operator signs in at /ops/login; the session has no tenant (tenant_id
NULL), so it counts only on the console and never inside a tenant.  Inside a
tenant an operator acts only through a support grant (``load_support``): a
time-limited, audited grant the tenant's administrators see and can revoke.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import func
from sqlmodel import Session, select

from service.accounts.models import StaffRole
from service.accounts.passwords import hash_password, verify_password
from service.billing.models import SupportGrant
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.settings import Settings
from service.web.context import Principal
from tenants import throttle
from tenants.isolation import TenantSession, control_session
from tenants.models import PlatformOperator, Tenant, WebSession


class OperatorRole(str, Enum):
    OPERATOR = "operator"

    @property
    def label(self) -> str:
        return N_("Platform operator")


def create_operator(db: Session, *, email: str, name: str, password: str) -> PlatformOperator:
    email = email.strip()
    if "@" not in email or len(email) > 254:
        raise DomainError(N_("Enter a valid email address."), field="email")
    if not name.strip():
        raise DomainError(N_("Enter a name."), field="name")
    if db.exec(select(PlatformOperator).where(func.lower(PlatformOperator.email) == email.lower())).first():
        raise DomainError(N_("An operator with this email already exists."), field="email")
    operator = PlatformOperator(email=email, display_name=name.strip()[:80], password_hash=hash_password(password))
    db.add(operator)
    db.flush()
    return operator


def sign_in(
    settings: Settings, *, email: str, password: str, client_address: str, now: datetime | None = None
) -> PlatformOperator:
    now = now or datetime.now(UTC)
    keys = [f"operator:{email.strip().lower()}", f"addr:{client_address}"]
    with control_session() as control:
        lock = throttle.locked_until(control, keys, now)
    if lock is not None:
        minutes = max(1, int((lock - now).total_seconds() // 60) + 1)
        raise DomainError(N_("Too many failed sign-ins. Try again in {minutes} minutes."), field="email", minutes=minutes)
    with control_session() as control:
        operator = control.exec(
            select(PlatformOperator).where(func.lower(PlatformOperator.email) == email.strip().lower())
        ).first()
    # The password is checked even for an unknown email, so both refusals take as long.
    if not verify_password(operator.password_hash if operator else None, password) or operator is None or not operator.active:
        lock_for = timedelta(minutes=settings.sign_in_lock_minutes)
        with control_session() as control:
            throttle.register_failure(control, keys[0], now, settings.sign_in_max_failures, lock_for)
            throttle.register_failure(control, keys[1], now, settings.sign_in_max_failures * throttle.ADDRESS_FACTOR, lock_for)
        raise DomainError(N_("The email or password is not correct."), field="email")
    with control_session() as control:
        throttle.clear(control, keys[0])
    return operator


def load_operator(db: TenantSession, tenant: Tenant | None, web_session: WebSession) -> Principal | None:
    if tenant is not None:
        return None
    operator = db.get(PlatformOperator, web_session.principal_id)
    if operator is None or not operator.active:
        return None
    return Principal("operator", id_of(operator), None, operator.display_name, OperatorRole.OPERATOR)


def load_support(db: TenantSession, tenant: Tenant | None, web_session: WebSession) -> Principal | None:
    """An operator inside a tenant through a support grant (principal_id is the
    grant): read-only (the viewer role), and only while the grant is live."""
    if tenant is None:
        return None
    grant = db.exec(
        select(SupportGrant).where(SupportGrant.tenant_id == tenant.id, SupportGrant.id == web_session.principal_id)
    ).first()
    if grant is None or not grant.is_active(datetime.now(UTC)):
        return None
    operator = db.get(PlatformOperator, grant.operator_id)  # a platform table: readable in any transaction
    if operator is None or not operator.active:
        return None
    return Principal("support", id_of(grant), tenant.id, f"{operator.display_name} (Paiqian support)", StaffRole.VIEWER)
