"""The id of a row that is in the database.

A model declares ``id: int | None`` because a new object has none until its
INSERT (an identity column fills it in); a row read from the database, or
added and flushed, always has one.  ``id_of`` says so once, for the type
checker, instead of an assertion at every use.
"""

from __future__ import annotations

from typing import Protocol


class _Identified(Protocol):
    @property
    def id(self) -> int | None: ...


def id_of(row: _Identified) -> int:
    """The id of a row read or flushed; asking for the id of a row never flushed is a bug."""
    if row.id is None:
        raise RuntimeError(f"this {type(row).__name__} has no id yet: it was never flushed")
    return row.id
