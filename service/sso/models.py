"""OpenID Connect connections and sign-ins in progress (migration 0019)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, LargeBinary
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from service.database.types import now_by_default
from service.reviewers.models import ReviewerRole


class SsoConnection(SQLModel, table=True):
    """One bureau's identity provider, as the tenant admin registered it."""

    __tablename__ = "sso_connections"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int = Field(sa_type=BigInteger)
    name: str
    issuer: str
    client_id: str
    client_secret_cipher: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    scopes: str = "openid email profile"
    allowed_domains: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    role_claim: str = ""
    # [{"value": "<claim value>", "role": "bureau_reviewer" | "establishment_reviewer"}, ...]
    role_mapping: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    default_role: str | None = None  # a ReviewerRole value; None: refuse when nothing in the mapping matches
    enabled: bool = True
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    @property
    def default_reviewer_role(self) -> ReviewerRole | None:
        return ReviewerRole(self.default_role) if self.default_role else None

    def snapshot(self) -> dict:
        """What the audit trail keeps: never the client secret, not even encrypted."""
        return {
            "bureau_id": self.bureau_id,
            "name": self.name,
            "issuer": self.issuer,
            "client_id": self.client_id,
            "scopes": self.scopes,
            "allowed_domains": list(self.allowed_domains),
            "role_claim": self.role_claim,
            "role_mapping": list(self.role_mapping),
            "default_role": self.default_role,
            "enabled": self.enabled,
        }


class LoginState(SQLModel, table=True):
    """The server-side half of one sign-in: single use, expires in minutes."""

    __tablename__ = "sso_login_states"

    tenant_id: uuid.UUID = Field(primary_key=True)
    state_hash: bytes = Field(sa_column=Column(LargeBinary, primary_key=True))
    connection_id: int = Field(sa_type=BigInteger)
    browser_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    nonce: str
    code_verifier: str
    next_path: str = ""
    created_at: datetime | None = now_by_default()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
