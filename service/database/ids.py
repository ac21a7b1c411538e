"""The id of a row that is in the database, typed.

A model declares ``id: int | None`` because a new object has none until its
INSERT (an identity column fills it in); a row read from the database, or
added and flushed, always has one.  ``id_of`` says so once, for the type
checker, instead of an assertion at every use; ``ids_of`` does the same for ids
selected on their own (``select(col(Model.id))``, typed ``int | None`` likewise);
``among`` asks for many ids at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from sqlalchemy import BigInteger, ColumnElement, any_, literal
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped


class _Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Identified) -> int:
    """The id of a row read or flushed; asking for the id of a row never flushed is a bug."""
    if row.id is None:
        raise RuntimeError(f"this {type(row).__name__} has no id yet: it was never flushed")
    return row.id


def ids_of(ids: Iterable[int | None]) -> list[int]:
    """Ids read from an identity column, which is never NULL."""
    found: list[int] = []
    for i in ids:
        if i is None:
            raise RuntimeError("an id read from an identity column is NULL")
        found.append(i)
    return found


def among(column: Mapped[Any] | ColumnElement[Any], ids: Iterable[int]) -> ColumnElement[bool]:
    """``column = any(:ids)``: one array parameter however many ids.  ``column.in_(ids)`` binds one
    parameter per id, and 10,000 of them cost more to send and plan than the query itself."""
    return column == any_(literal(sorted(set(ids)), ARRAY(BigInteger)))
