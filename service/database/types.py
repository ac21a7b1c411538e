"""Column types shared by the models."""

from __future__ import annotations

from enum import Enum

from sqlalchemy import Column
from sqlalchemy import Enum as SAEnum


def enum_column(enum: type[Enum], **kwargs: object) -> Column:
    """Store an enum's *value* (the lower-case code the migrations' CHECK
    constraints list), not its Python name."""
    return Column(
        SAEnum(
            enum,
            values_callable=lambda members: [m.value for m in members],
            native_enum=False,
            create_constraint=False,
            length=20,
            validate_strings=True,
        ),
        nullable=False,
        **kwargs,
    )
