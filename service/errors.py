"""What the domain raises when it refuses input.

Rules are pure and know nothing of languages: a message is an English msgid
(looked up in the zh-CN and en catalogues at the edge), with ``{name}``
placeholders filled from ``params`` after translation.  ``field`` names the
form field or Excel column the message belongs next to.
"""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """Every refusal of input.  The web edge answers it in one place (``service/web/refusals.py``):
    it re-renders the form the input came from, with the errors beside their fields, and status 400."""


class DomainError(Refused):
    def __init__(self, message: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.field = field
        self.params = params


class NotFound(LookupError):
    """What a domain lookup raises for a row that is missing (or that the caller may not see): the web edge
    answers 404 (``service/web/errors.py``), so domain code never raises an HTTP exception itself."""


class InputErrors(Refused):
    """Every problem a form or a sheet row has, each a DomainError with its field, raised at once."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


def N_(message: str) -> str:
    """Mark a msgid for extraction without translating it here."""
    return message


class Label(str):
    """A message parameter that is itself a msgid (a rating, an education
    level...), so the edge translates it before placing it in the sentence.
    Plain strings (names, numbers typed by a person) are never translated."""

    __slots__ = ()
