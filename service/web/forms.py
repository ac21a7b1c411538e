"""Small helpers shared by the form-handling routes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Annotated, Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from service.errors import N_, DomainError, InputErrors
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


def stripped(raw: Mapping[str, Any], field: str) -> str:
    """The field's text without surrounding spaces; empty when missing or not text."""
    value = raw.get(field)
    return value.strip() if isinstance(value, str) else ""


def collect(steps: list[Callable[[], None]]) -> None:
    """Run every parsing step and report every problem at once (``InputErrors``)."""
    errors: list[DomainError] = []
    for step in steps:
        try:
            step()
        except DomainError as error:
            errors.append(error)
    if errors:
        raise InputErrors(errors)


def parse_decimal(text: str, field: str, *, upper: Decimal, required: bool = False) -> Decimal | None:
    """A number from 0 to ``upper`` with at most two decimals; thousands commas allowed; None when empty."""
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        if required:
            raise DomainError(N_("This field is required."), field=field)
        return None
    try:
        value = Decimal(cleaned)
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            raise ArithmeticError
    except ArithmeticError:
        raise DomainError(N_("Enter a number with at most two decimals."), field=field) from None
    if not Decimal(0) <= value <= upper:
        raise DomainError(N_("Enter a number from 0 to {max}."), field=field, max=upper)
    return value


def choice(raw: Mapping[str, Any], field: str, enum: type, *, required: bool = False):
    """The enum member the field names; None when empty and not required."""
    text = stripped(raw, field)
    if not text:
        if required:
            raise DomainError(N_("Choose one."), field=field)
        return None
    try:
        return enum(text)
    except ValueError:
        raise DomainError(N_("Choose one of the listed values."), field=field) from None


def chosen_file(data: Mapping[str, Any], name: str) -> UploadFile | None:
    """The file a multipart field carries, or None when none was chosen (a text value where a file belongs
    counts as none)."""
    chosen = data.get(name)
    return chosen if isinstance(chosen, UploadFile) and chosen.filename else None


def required_file(
    data: Mapping[str, Any], name: str = "file", missing: str = N_("Choose an .xlsx file to upload.")
) -> UploadFile:
    """The chosen file, or a refusal beside the field."""
    chosen = chosen_file(data, name)
    if chosen is None:
        raise DomainError(missing, field=name)
    return chosen


def upload_limit_mb(request: Request) -> int:
    """The largest upload the app takes (``import_max_bytes``), in whole MB as the upload forms state it."""
    return request.app.state.settings.import_max_bytes // (1024 * 1024)
