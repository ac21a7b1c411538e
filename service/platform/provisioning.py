"""Creating a tenant: its registry row and its first administrator.

Platform code across tenants, so it writes here rather than in a domain's ``actions.py``."""

from __future__ import annotations

import re
import secrets
import string
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from psycopg.errors import UniqueViolation
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from service.accounts.actions import create_staff_user
from service.accounts.models import StaffRole
from service.audit import SYSTEM
from service.cities.actions import seed_reference
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.insurance.actions import seed_policies
from tenants.isolation import TenantSession, tenant_session
from tenants.models import Tenant, TenantStatus

SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]")
RESERVED_SLUGS = frozenset({"admin", "api", "static", "schema", "console", "www"})


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    admin_id: int  # the first administrator (staff user), whom sign-up signs in at once
    admin_email: str
    admin_password: str


def generate_password() -> str:
    """A readable initial password (letters and digits, both guaranteed)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(14))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password


def create_tenant(
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_name: str = "管理员",
    admin_password: str | None = None,
    status: TenantStatus = TenantStatus.TRIAL,
    populate: Callable[[TenantSession, uuid.UUID], None] | None = None,
) -> ProvisionedTenant:
    """Create the tenant and its administrator; ``populate`` may add more
    (demo data) in the same transaction, so a failure leaves nothing behind."""
    slug = slug.strip().lower()
    if not SLUG.fullmatch(slug) or slug in RESERVED_SLUGS:
        raise DomainError(N_("A company code has 3 to 40 lower-case letters, digits or hyphens."), field="slug")
    if not name.strip():
        raise DomainError(N_("Enter the company name."), field="name")
    password = admin_password or generate_password()
    tenant = Tenant(id=uuid.uuid4(), slug=slug, name=name.strip(), status=status)
    try:
        # One transaction bound to the new tenant: the registry row and the
        # administrator are committed together, so a tenant never exists
        # without someone who can sign in to it.
        with tenant_session(tenant.id) as db:
            if db.exec(select(Tenant).where(Tenant.slug == slug)).first() is not None:
                raise DomainError(N_("This company code is taken."), field="slug")
            db.add(tenant)
            db.flush()
            admin = create_staff_user(
                db,
                actor=SYSTEM,
                email=admin_email,
                display_name=admin_name,
                role=StaffRole.ADMIN,
                password=password,
            )
            seed_reference(db)  # the four cities' reference figures (service/cities/reference.py)
            seed_policies(db)  # the four cities' insurance policies (service/insurance/cities.py)
            if populate is not None:
                populate(db, tenant.id)
    except IntegrityError as exc:
        if not isinstance(exc.orig, UniqueViolation):
            raise
        # a concurrent sign-up took the slug between the check and the insert
        raise DomainError(N_("This company code is taken."), field="slug") from exc
    return ProvisionedTenant(tenant=tenant, admin_id=id_of(admin), admin_email=admin_email, admin_password=password)
