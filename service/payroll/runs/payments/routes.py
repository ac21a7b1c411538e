"""The payment layout page: start from a shipped layout, adjust it, save it for the tenant.

The form has one row per column slot (``content_<n>``, ``header_<n>``,
``width_<n>``); a slot left without content is no column.  ``?start=<key>``
fills the form with a shipped layout; nothing is stored until it is saved.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post

from service.errors import N_, DomainError, InputErrors
from service.payroll.runs.payments import actions, queries
from service.payroll.runs.payments.access import LAYOUT_EDITORS
from service.payroll.runs.payments.layouts import (
    AMOUNT_FORMAT_LABELS,
    CONTENT_LABELS,
    DELIMITERS,
    ENCODING_LABELS,
    FILE_TYPE_LABELS,
    MAX_COLUMNS,
    SHIPPED,
    SUMMARY_LABELS,
    AmountFormat,
    Column,
    Content,
    FileType,
    Layout,
    Summary,
    TextEncoding,
)
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, choice, field_text, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

# The delimiter as the form names it (a tab cannot be typed in a select's value reliably).
DELIMITER_NAMES = {"comma": ",", "bar": "|", "tab": "\t", "semicolon": ";"}
SCALARS = ("base", "file_type", "encoding", "amount_format", "summary", "header_row", "delimiter")


def _values(layout: Layout) -> dict[str, str]:
    """The form's fields for a layout."""
    values = {
        "base": layout.base,
        "file_type": layout.file_type.value,
        "encoding": layout.encoding.value,
        "amount_format": layout.amount_format.value,
        "summary": layout.summary.value,
        "header_row": "yes" if layout.header_row else "no",
        "delimiter": next((name for name, d in DELIMITER_NAMES.items() if d == layout.delimiter), "comma"),
    }
    for n, column in enumerate(layout.columns, start=1):
        values |= {f"content_{n}": column.content.value, f"header_{n}": column.header, f"width_{n}": str(column.width or "")}
    return values


def _parse(form: dict[str, Any]) -> Layout:
    problems: list[DomainError] = []

    def chosen(name: str, enum: type) -> Any:
        try:
            return choice(form, name, enum, required=True)
        except DomainError as error:
            problems.append(error)
            return None

    file_type, encoding = chosen("file_type", FileType), chosen("encoding", TextEncoding)
    amount_format, summary = chosen("amount_format", AmountFormat), chosen("summary", Summary)
    base = field_text(form, "base")
    if base not in SHIPPED:
        problems.append(DomainError(N_("Choose one of the listed values."), field="base"))
    columns = []
    for n in range(1, MAX_COLUMNS + 1):
        content = field_text(form, f"content_{n}")
        if not content:
            continue
        try:
            kind = Content(content)
        except ValueError:
            problems.append(DomainError(N_("Choose one of the listed values."), field="columns"))
            continue
        width_text = field_text(form, f"width_{n}")
        width = whole_number(width_text) if width_text else None
        columns.append(Column(kind, field_text(form, f"header_{n}")[:60] or content, width))
    if problems:
        raise InputErrors(problems)
    return Layout(
        base=base,
        file_type=file_type,
        encoding=encoding,
        amount_format=amount_format,
        summary=summary,
        header_row=field_text(form, "header_row") != "no",
        delimiter=DELIMITER_NAMES.get(field_text(form, "delimiter"), ","),
        columns=tuple(columns),
    )


def _page(
    request: Request, db: TenantSession, *, values: dict[str, str], errors: dict[str, str], status: int = 200
) -> Response:
    row = queries.stored_layout(db)
    return page(
        request,
        "payroll/payment_layout.html",
        status=status,
        values=values,
        errors=errors,
        stored=row,
        shipped=SHIPPED.values(),
        slots=range(1, MAX_COLUMNS + 1),
        content_labels={c.value: label for c, label in CONTENT_LABELS.items()},
        file_type_labels={k.value: label for k, label in FILE_TYPE_LABELS.items()},
        encoding_labels={k.value: label for k, label in ENCODING_LABELS.items()},
        amount_format_labels={k.value: label for k, label in AMOUNT_FORMAT_LABELS.items()},
        summary_labels={k.value: label for k, label in SUMMARY_LABELS.items()},
        delimiter_labels={name: DELIMITERS[d] for name, d in DELIMITER_NAMES.items()},
        saved=request.query_params.get("done") == "saved",
    )


def _refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    names = [*SCALARS, *(f"{p}_{n}" for n in range(1, MAX_COLUMNS + 1) for p in ("content", "header", "width"))]
    return _page(request, db, values=refused.values(names), errors=refused.errors, status=400)


class PaymentLayoutController(Controller):
    path = "/payroll/payment-layout"

    @get("/", opt=allow(*LAYOUT_EDITORS), sync_to_thread=True)
    def show(self, request: Request, db: TenantDb) -> Response:
        start = request.query_params.get("start", "")
        layout = SHIPPED[start].layout if start in SHIPPED else queries.layout_of(db)
        return _page(request, db, values=_values(layout), errors={})

    @post("/", opt=allow(*LAYOUT_EDITORS) | shown_again_by(_refused), sync_to_thread=True)
    def save(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        actions.save_layout(db, _parse(data), actor=ctx.actor)
        return see_other(ctx.tenant_path("/payroll/payment-layout?done=saved"))
