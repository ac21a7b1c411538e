"""Small helpers shared by the form-handling routes."""

from __future__ import annotations

from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.params import Body

from service.errors import DomainError
from service.i18n import Translator

FormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
MultipartData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def field_text(data: dict[str, Any], name: str) -> str:
    """One text field; a repeated field or a file where text belongs counts as empty."""
    value = data.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def whole_number(text: str, *, below: int = 10**9) -> int | None:
    """A positive whole number typed in ASCII digits and below ``below``, else None.

    ``str.isdigit`` alone lets "²" through (``int`` then raises) and a
    5,000-digit string past Python's conversion limit: both are refused here.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(below)):
        return None
    value = int(text)
    return value if 0 < value < below else None


def translated_errors(errors: list[DomainError], t: Translator) -> dict[str, str]:
    """{field: message} for showing each message next to its field (first one wins)."""
    shown: dict[str, str] = {}
    for error in errors:
        shown.setdefault(error.field or "", t.error(error))
    return shown


MAX_PAGE = 100_000


def page_number(text: str) -> int:
    """The page a list was asked for: 1 unless a sensible whole number was given."""
    return whole_number(text, below=MAX_PAGE) or 1
