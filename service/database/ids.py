"""The id of a stored row, typed.

The models declare ``id: int | None`` because a new object has no id until its
INSERT (the column is ``GENERATED ALWAYS AS IDENTITY``).  A row read from the
database, or added and flushed, always has one: ``saved_id`` says so once
instead of an ``assert`` at every use, and ``saved_ids`` for ids selected on
their own (``select(col(Model.id))``, typed ``int | None`` likewise).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class _Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def saved_id(row: _Identified) -> int:
    """``row.id``; a row not yet flushed is a programming error, not a missing value."""
    if row.id is None:
        raise RuntimeError(f"{type(row).__name__} has no id yet: it was never flushed")
    return row.id


def saved_ids(ids: Iterable[int | None]) -> list[int]:
    """Ids read from an identity column, which is never NULL."""
    found: list[int] = []
    for i in ids:
        if i is None:
            raise RuntimeError("an id read from an identity column is NULL")
        found.append(i)
    return found
