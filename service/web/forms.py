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


def translated_errors(errors: list[DomainError], t: Translator) -> dict[str, str]:
    """{field: message} for showing each message next to its field (first one wins)."""
    shown: dict[str, str] = {}
    for error in errors:
        shown.setdefault(error.field or "", t.error(error))
    return shown
