"""Column types shared by the models."""

from __future__ import annotations

from enum import Enum
from typing import Any

from sqlalchemy import Column, DateTime
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field


def enum_column(enum: type[Enum], *, length: int = 20, primary_key: bool = False) -> Column:
    """Store an enum's *value* (the lower-case code the migrations' CHECK
    constraints list), not its Python name, in a ``varchar(length)`` as wide as
    the migration made it."""
    return Column(
        SAEnum(
            enum,
            values_callable=lambda members: [m.value for m in members],
            native_enum=False,
            create_constraint=False,
            length=length,
            validate_strings=True,
        ),
        nullable=False,
        primary_key=primary_key,
    )


def now_by_default() -> Any:
    """A ``timestamptz not null default now()`` column: ``None`` on a new
    object, left out of its INSERT so the database's clock fills it in."""
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=False, server_default="now()"))
