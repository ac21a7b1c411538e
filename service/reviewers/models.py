"""Bureau reviewers (migration 0019) and their roles."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.errors import N_


class ReviewerRole(str, Enum):
    """A reviewer's authority; values are unique across principal kinds (allow() mixes them)."""

    BUREAU = "bureau_reviewer"  # the bureau (城管局, its brigades and street offices)
    ESTABLISHMENT = "establishment_reviewer"  # the establishment office (编办): grade 4 and above

    @property
    def label(self) -> str:
        return REVIEWER_ROLE_LABELS[self]


REVIEWER_ROLE_LABELS = {
    ReviewerRole.BUREAU: N_("Bureau reviewer"),
    ReviewerRole.ESTABLISHMENT: N_("Establishment office reviewer"),
}

ALL_REVIEWERS = frozenset(ReviewerRole)


class Reviewer(SQLModel, table=True):
    __tablename__ = "reviewers"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int = Field(sa_type=BigInteger)
    connection_id: int = Field(sa_type=BigInteger)
    issuer: str
    subject: str
    email: str = ""
    display_name: str = ""
    role: ReviewerRole = Field(
        sa_column=Column(
            SAEnum(
                ReviewerRole,
                values_callable=lambda members: [m.value for m in members],
                native_enum=False,
                create_constraint=False,
                length=30,
                validate_strings=True,
            ),
            nullable=False,
        )
    )  # enum_column's length (20) is too short for "establishment_reviewer"
    active: bool = True
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()
    last_sign_in_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))

    @property
    def label(self) -> str:
        return self.display_name or self.email or self.subject

    def snapshot(self) -> dict:
        return {
            "bureau_id": self.bureau_id,
            "connection_id": self.connection_id,
            "issuer": self.issuer,
            "subject": self.subject,
            "email": self.email,
            "display_name": self.display_name,
            "role": self.role.value,
            "active": self.active,
        }
