"""A client bureau's recorded workforce: what the 10% dispatch cap needs.

Keyed by the bureau's name as written on ``workers.client_bureau`` (bureaus
are plain text on workers until a later issue makes them records).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, Identity
from sqlmodel import Field, SQLModel


class ClientWorkforce(SQLModel, table=True):
    __tablename__ = "client_workforce"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(
        default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True)
    )
    client_bureau: str
    direct_headcount: int
    cap_warning: bool = True  # off where the cap's reach over a state organ is doubted (labor-law-cn.md §4)
    updated_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), server_default="now()")
    )

    def snapshot(self) -> dict:
        return {
            "client_bureau": self.client_bureau,
            "direct_headcount": self.direct_headcount,
            "cap_warning": self.cap_warning,
        }
