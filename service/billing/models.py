"""Plans, each tenant's billing row and the webhook event log (control plane),
and support grants (tenant-scoped).  Tables: migration 0020."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import CHAR, BigInteger, Column, DateTime, Identity, Numeric, SmallInteger, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.errors import N_
from tenants.models import TenantStatus


class Plan(SQLModel, table=True):
    __tablename__ = "plans"

    code: str = Field(primary_key=True, max_length=20)
    name: str
    price_per_worker: Decimal = Field(sa_column=Column(Numeric(12, 2), nullable=False))
    currency: str = Field(default="cny", sa_type=CHAR(3))
    max_workers: int | None = None
    min_billed_workers: int = 1
    trial_days: int = 30
    stripe_price_id: str | None = None
    active: bool = True
    sort_order: int = Field(default=0, sa_type=SmallInteger)


class TenantBilling(SQLModel, table=True):
    __tablename__ = "tenant_billing"

    tenant_id: uuid.UUID = Field(primary_key=True)
    plan_code: str
    credit_code: str | None = Field(default=None, sa_type=CHAR(18))
    licence_number: str | None = None
    licence_expires_on: date | None = None
    billing_email: str | None = None
    trial_ends_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    stripe_customer_id: str | None = None
    stripe_subscription_id: str | None = None
    stripe_subscription_item_id: str | None = None
    subscription_status: str | None = None
    billed_quantity: int | None = None
    active_workers: int = 0
    sync_pending_since: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_synced_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    billing_error: str | None = Field(default=None, sa_type=Text)
    billing_attempts: int = 0
    payment_method_on_file: bool = False
    last_payment_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_payment_amount: Decimal | None = Field(default=None, sa_column=Column(Numeric(12, 2)))
    last_payment_currency: str | None = Field(default=None, sa_type=CHAR(3))
    operator_suspended: bool = False
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    retention_until: date | None = None
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()


class EventStatus(str, Enum):
    RECEIVED = "received"
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"
    UNKNOWN_CUSTOMER = "unknown_customer"


class StripeEvent(SQLModel, table=True):
    __tablename__ = "stripe_events"

    id: str = Field(primary_key=True)
    type: str
    stripe_created_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    livemode: bool = False
    payload: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    tenant_id: uuid.UUID | None = None
    status: str = EventStatus.RECEIVED.value
    attempts: int = 0
    error: str | None = Field(default=None, sa_type=Text)
    received_at: datetime | None = now_by_default()
    processed_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))


class TenantDeletion(SQLModel, table=True):
    __tablename__ = "tenant_deletions"

    tenant_id: uuid.UUID = Field(primary_key=True)
    slug: str
    name: str
    export_path: str = Field(sa_type=Text)
    export_sha256: str = Field(sa_type=CHAR(64))
    rows_exported: int
    deleted_at: datetime | None = now_by_default()


class SupportGrant(SQLModel, table=True):
    __tablename__ = "support_grants"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    operator_id: int = Field(sa_type=BigInteger)
    operator_label: str
    reason: str
    granted_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    revoked_by: str | None = None

    def is_active(self, now: datetime) -> bool:
        return self.revoked_at is None and self.granted_at <= now < self.expires_at


# Stripe subscription status -> the tenant's status.  ``incomplete`` (no
# payment yet on a new subscription) leaves the tenant as it was.
SUBSCRIPTION_TO_TENANT: dict[str, TenantStatus] = {
    "trialing": TenantStatus.TRIAL,
    "active": TenantStatus.ACTIVE,
    "past_due": TenantStatus.PAST_DUE,
    "unpaid": TenantStatus.SUSPENDED,
    "paused": TenantStatus.SUSPENDED,
    "canceled": TenantStatus.CANCELLED,
    "incomplete_expired": TenantStatus.CANCELLED,
}

STATUS_LABELS: dict[TenantStatus, str] = {
    TenantStatus.TRIAL: N_("Trial"),
    TenantStatus.ACTIVE: N_("Active"),
    TenantStatus.PAST_DUE: N_("Past due"),
    TenantStatus.SUSPENDED: N_("Suspended"),
    TenantStatus.CANCELLED: N_("Cancelled"),
}

STATUS_BADGES: dict[TenantStatus, str] = {
    TenantStatus.TRIAL: "badge-candidate",
    TenantStatus.ACTIVE: "badge-active",
    TenantStatus.PAST_DUE: "badge-probation",
    TenantStatus.SUSPENDED: "badge-suspended",
    TenantStatus.CANCELLED: "badge-left",
}
