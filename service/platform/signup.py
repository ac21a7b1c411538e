"""Self-service sign-up: a dispatch company registers and gets its tenant.

``parse_signup`` is pure and collects every problem with its field;
``register`` creates the tenant, its administrator and its billing row in
one transaction (service.platform.provisioning.create_tenant), then asks Stripe for a
customer and subscription.  If Stripe is unreachable the tenant exists all
the same; the billing row keeps the error and ``paiqian billing sync``
finishes the job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from psycopg.errors import UniqueViolation
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from service.accounts.passwords import check_password_strength
from service.billing.models import TenantBilling
from service.billing.subscriptions import ensure_stripe, open_account
from service.dates import parse_date
from service.errors import N_, DomainError
from service.platform.credit_code import is_valid, normalise
from service.platform.provisioning import SLUG, ProvisionedTenant, create_tenant
from service.settings import Settings
from tenants import throttle
from tenants.isolation import control_session

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
FIELDS = ("name", "slug", "credit_code", "licence_number", "licence_expires_on", "admin_name", "admin_email")

# One address may create this many companies per 15 minutes (then waits an hour): sign-up is public.
SIGNUPS_PER_ADDRESS = 5
SIGNUP_LOCK = timedelta(hours=1)


@dataclass(frozen=True)
class SignupInput:
    name: str
    slug: str
    credit_code: str
    licence_number: str
    licence_expires_on: date
    admin_name: str
    admin_email: str
    password: str


def parse_signup(values: dict[str, str], password: str, today: date) -> tuple[SignupInput | None, list[DomainError]]:
    errors: list[DomainError] = []
    name = values.get("name", "").strip()
    if not name or len(name) > 120:
        errors.append(DomainError(N_("Enter the company name (at most 120 characters)."), field="name"))
    slug = values.get("slug", "").strip().lower()
    if not SLUG.fullmatch(slug):
        errors.append(DomainError(N_("A company code has 3 to 40 lower-case letters, digits or hyphens."), field="slug"))
    credit_code = normalise(values.get("credit_code", ""))
    if not is_valid(credit_code):
        errors.append(
            DomainError(
                N_("This is not a valid unified social credit code: 18 characters whose last one is a check character."),
                field="credit_code",
            )
        )
    licence_number = values.get("licence_number", "").strip()
    if not licence_number or len(licence_number) > 60:
        errors.append(DomainError(N_("Enter the labour dispatch licence number."), field="licence_number"))
    expires = None
    try:
        expires = parse_date(values.get("licence_expires_on", ""), "licence_expires_on")
    except DomainError as error:
        errors.append(error)
    if expires is not None and expires <= today:
        errors.append(
            DomainError(
                N_("The dispatch licence has expired: a company may only dispatch workers with a valid licence."),
                field="licence_expires_on",
            )
        )
    admin_name = values.get("admin_name", "").strip() or "管理员"
    if len(admin_name) > 80:
        errors.append(DomainError(N_("A name has at most 80 characters."), field="admin_name"))
    admin_email = values.get("admin_email", "").strip()
    if not EMAIL.fullmatch(admin_email) or len(admin_email) > 254:
        errors.append(DomainError(N_("Enter a valid email address."), field="admin_email"))

    try:
        check_password_strength(password)
    except DomainError as error:
        errors.append(error)
    if errors:
        return None, errors
    return SignupInput(name, slug, credit_code, licence_number, expires, admin_name, admin_email, password), []  # type: ignore[arg-type]


DUPLICATE_CREDIT_CODE = N_(
    "A company with this unified social credit code is already registered. Sign in to it, or ask its administrator to invite you."  # noqa: E501
)


def register(settings: Settings, data: SignupInput) -> ProvisionedTenant:
    """Create the tenant (or raise DomainError), then try Stripe once."""

    with control_session() as control:
        if control.exec(select(TenantBilling).where(TenantBilling.credit_code == data.credit_code)).first():
            raise DomainError(DUPLICATE_CREDIT_CODE, field="credit_code")

    # create_tenant's populate hook: the tenant is being provisioned, its id comes with the session opened for it
    def open_billing(db: Session, tenant_id) -> None:
        try:
            with db.begin_nested():  # a concurrent sign-up with the same code: refused by the unique index
                open_account(
                    db,
                    tenant_id,
                    credit_code=data.credit_code,
                    licence_number=data.licence_number,
                    licence_expires_on=data.licence_expires_on,
                    billing_email=data.admin_email,
                )
        except IntegrityError as exc:
            if isinstance(exc.orig, UniqueViolation) and "credit_code" in str(exc.orig):
                raise DomainError(DUPLICATE_CREDIT_CODE, field="credit_code") from exc
            raise

    result = create_tenant(
        slug=data.slug,
        name=data.name,
        admin_email=data.admin_email,
        admin_name=data.admin_name,
        admin_password=data.password,
        populate=open_billing,
    )
    ensure_stripe(settings, result.tenant.id)  # failures are recorded and retried by `paiqian billing sync`
    return result


def sign_up(db: Session, settings: Settings, data: SignupInput, client_address: str) -> ProvisionedTenant:
    """``register``, unless the address has created too many companies lately; each one created counts."""
    key = f"signup:{client_address}"
    if throttle.locked_until(db, [key], datetime.now(UTC)) is not None:
        raise DomainError(N_("Too many sign-ups from this address. Try again in an hour."), field="")
    result = register(settings, data)
    throttle.register_failure(db, key, datetime.now(UTC), SIGNUPS_PER_ADDRESS, SIGNUP_LOCK)
    return result
