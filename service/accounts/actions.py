"""The only code that writes staff users, and the sign-in decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from service.accounts.models import StaffRole, StaffUser
from service.accounts.passwords import hash_password, verify_password
from service.audit import Actor, record
from service.errors import N_, DomainError
from service.settings import Settings
from tenants import throttle
from tenants.isolation import TenantSession, control_session


def find_by_email(db: TenantSession, email: str) -> StaffUser | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(StaffUser).where(StaffUser.tenant_id == tenant_id, func.lower(StaffUser.email) == email.strip().lower())
    ).first()


def _snapshot(user: StaffUser) -> dict:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "active": user.active,
    }


def create_staff_user(
    db: TenantSession,
    *,
    actor: Actor,
    email: str,
    display_name: str,
    role: StaffRole,
    password: str,
) -> StaffUser:
    tenant_id = db.tenant_id
    email = email.strip()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise DomainError(N_("Enter a valid email address."), field="email")
    display_name = display_name.strip()
    if not display_name or len(display_name) > 80:
        raise DomainError(N_("Enter a name of at most 80 characters."), field="display_name")
    if find_by_email(db, email) is not None:
        raise DomainError(N_("A user with this email already exists."), field="email")
    user = StaffUser(
        tenant_id=tenant_id,
        email=email,
        display_name=display_name,
        role=role,
        password_hash=hash_password(password),
    )
    db.add(user)
    db.flush()
    record(db, tenant_id, actor, "staff_user.create", "staff_user", user.id, after=_snapshot(user))
    return user


def update_staff_user(db: TenantSession, user: StaffUser, *, actor: Actor, role: StaffRole, active: bool) -> None:
    tenant_id = db.tenant_id
    if user.id == actor.id and (role is not StaffRole.ADMIN or not active):
        raise DomainError(N_("You cannot remove your own administrator access."), field="role")
    before = _snapshot(user)
    user.role, user.active = role, active
    db.add(user)
    db.flush()
    record(db, tenant_id, actor, "staff_user.update", "staff_user", user.id, before=before, after=_snapshot(user))


def sign_in(
    db: TenantSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    client_address: str,
    now: datetime | None = None,
) -> StaffUser:
    """Check a staff sign-in.  Failures are counted in their own transaction,
    so a refused attempt is remembered even though the caller rolls back."""
    tenant_id = db.tenant_id
    now = now or datetime.now(UTC)
    keys = [f"staff:{tenant_id}:{email.strip().lower()}", f"addr:{client_address}"]
    with control_session() as control:
        lock = throttle.locked_until(control, keys, now)
    if lock is not None:
        minutes = max(1, int((lock - now).total_seconds() // 60) + 1)
        raise DomainError(N_("Too many failed sign-ins. Try again in {minutes} minutes."), field="email", minutes=minutes)
    user = find_by_email(db, email)
    # The password is checked even for an unknown email, so both refusals take as long.
    if not verify_password(user.password_hash if user else None, password) or user is None or not user.active:
        lock_for = timedelta(minutes=settings.sign_in_lock_minutes)
        with control_session() as control:
            throttle.register_failure(control, keys[0], now, settings.sign_in_max_failures, lock_for)
            throttle.register_failure(control, keys[1], now, settings.sign_in_max_failures * throttle.ADDRESS_FACTOR, lock_for)
        raise DomainError(N_("The email or password is not correct."), field="email")
    with control_session() as control:
        throttle.clear(control, keys[0])
    user.last_sign_in_at = now
    db.add(user)
    return user
