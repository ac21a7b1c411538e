"""Control-plane tables.  They carry no tenant_id and no row-level security;
each is named in ``CONTROL_PLANE_TABLES`` so the catalog test knows it is
global on purpose."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary, Text
from sqlmodel import Field, SQLModel

from service.database.types import enum_column, now_by_default


class TenantStatus(str, Enum):
    TRIAL = "trial"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    SUSPENDED = "suspended"
    CANCELLED = "cancelled"


class Tenant(SQLModel, table=True):
    __tablename__ = "tenants"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(unique=True, max_length=40)
    name: str = Field(max_length=120)
    status: TenantStatus = Field(default=TenantStatus.TRIAL, sa_column=enum_column(TenantStatus, length=12))
    created_at: datetime | None = now_by_default()


class PlatformOperator(SQLModel, table=True):
    __tablename__ = "platform_operators"

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    email: str = Field(max_length=254)  # unique ignoring case: migration 0002's index on lower(email)
    display_name: str = Field(max_length=80)
    password_hash: str = Field(sa_type=Text)
    active: bool = True


class WebSession(SQLModel, table=True):
    """A signed-in browser.  Only a hash of the cookie value is stored, so a
    read of this table cannot be replayed as a cookie."""

    __tablename__ = "web_sessions"

    token_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    tenant_id: uuid.UUID | None = None  # first column of the index web_sessions_principal (migration 0002)
    principal_kind: str = Field(max_length=20)  # staff, operator (assistant and reviewer later)
    principal_id: int = Field(sa_type=BigInteger)
    created_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    last_seen_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class SignInFailure(SQLModel, table=True):
    """Failed sign-ins per key (an account, or a client address) for throttling."""

    __tablename__ = "sign_in_failures"

    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    window_started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    locked_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
