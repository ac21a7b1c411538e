"""Staff users and their roles (ARCHITECTURE.md, "Who may do what")."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, Text
from sqlmodel import Field, SQLModel

from service.database.types import enum_column, now_by_default
from service.errors import N_


class StaffRole(str, Enum):
    ADMIN = "admin"
    HR_CLERK = "hr_clerk"
    PAYROLL_CLERK = "payroll_clerk"
    ASSESSOR = "assessor"
    VIEWER = "viewer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    StaffRole.ADMIN: N_("Administrator"),
    StaffRole.HR_CLERK: N_("HR clerk"),
    StaffRole.PAYROLL_CLERK: N_("Payroll clerk"),
    StaffRole.ASSESSOR: N_("Assessor"),
    StaffRole.VIEWER: N_("Viewer"),
}

ALL_STAFF = frozenset(StaffRole)


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_users"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    email: str
    display_name: str
    password_hash: str = Field(sa_type=Text)
    role: StaffRole = Field(sa_column=enum_column(StaffRole))
    active: bool = True
    created_at: datetime | None = now_by_default()
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
