"""Pages for monthly bureau statements: generating one, sending it, recording the bureau's confirmation
or dispute, correcting, discarding, and the statement as a workbook or PDF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service.bureaus import directory
from service.bureaus.access import STATEMENT_DECIDERS, STATEMENT_READERS, STATEMENT_WRITERS
from service.bureaus.agreements.inputs import amount
from service.bureaus.models import AGREEMENT_LABELS, STATEMENT_LABELS, StatementStatus
from service.bureaus.statements import actions, queries
from service.bureaus.statements import files as statement_files
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.errors import error_page
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

GENERATE_FIELDS = ("bureau_id", "month")
ACTION_FIELDS = ("comment", "adjustment", "adjustment_note")  # what the statement page's forms send


def _month(text: str) -> date:
    text = text.strip()[:7]
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise DomainError(N_("Enter a month like 2026-03."), field="month") from None


def _signed_amount(typed: str) -> Decimal:
    negative = typed.startswith("-")
    parsed = amount(typed[1:] if negative else typed, "adjustment") or Decimal("0")
    return -parsed if negative else parsed


def _statements_page(request: Request, ctx: RequestContext, db: TenantSession, generate: RefusedForm | None = None) -> Response:
    values = generate.values(GENERATE_FIELDS) if generate else {}
    if values:
        values["month"] = values["month"][:7]
    return page(
        request,
        "bureaus/statements.html",
        statements=queries.statements_of(db),
        bureaus={b.id: b for b in directory.bureaus(db)},
        labels=STATEMENT_LABELS,
        values=values,
        errors=generate.errors if generate else {},
        can_write=ctx.has_role(*STATEMENT_WRITERS),
    )


def _statement_page(
    request: Request, ctx: RequestContext, db: TenantSession, statement_id: int, action: RefusedForm | None = None
) -> Response:
    statement, lines, bureau, agreement, related = statement_files.load(db, statement_id)
    return page(
        request,
        "bureaus/statement_detail.html",
        statement=statement,
        lines=lines,
        bureau=bureau,
        agreement=agreement,
        related=related,
        labels=STATEMENT_LABELS,
        fee_labels=AGREEMENT_LABELS,
        can_write=ctx.has_role(*STATEMENT_WRITERS),
        can_decide=ctx.has_role(*STATEMENT_DECIDERS),
        errors=action.errors if action else {},
        values=action.values(ACTION_FIELDS) if action else {},
        notice=request.query_params.get("notice", ""),
        Status=StatementStatus,
    )


def _generate_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _statements_page(request, ctx, db, generate=refused)


def _action_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _statement_page(request, ctx, db, request.path_params["statement_id"], action=refused)


def _not_found(request: Request, _missing: queries.StatementNotFound) -> Response:
    """The actions look the statement up themselves: one that does not exist is this tenant's 404."""
    return error_page(request, 404)


def _saved(ctx: RequestContext, statement_id: int) -> Response:
    return see_other(ctx.tenant_path(f"/statements/{statement_id}?notice=saved"))


class StatementsController(Controller):
    path = "/statements"
    exception_handlers = {queries.StatementNotFound: _not_found}  # noqa: RUF012 - Litestar's own (instance) attribute, set per controller

    @get("/", opt=allow(*STATEMENT_READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _statements_page(request, ctx, db)

    @post("/", opt=allow(*STATEMENT_WRITERS) | shown_again_by(_generate_refused), sync_to_thread=True)
    def generate(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        month = _month(field_text(data, "month"))
        typed_id = field_text(data, "bureau_id")
        bureau_id = int(typed_id) if typed_id.isascii() and typed_id.isdigit() and len(typed_id) < 18 else None
        bureau = directory.get_bureau(db, bureau_id) if bureau_id else None
        if bureau is None:
            raise DomainError(N_("Choose a value."), field="bureau_id")
        statement = actions.generate_statement(db, bureau, month, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/statements/{statement.id}?notice=created"))

    @get("/{statement_id:int}", opt=allow(*STATEMENT_READERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        return _statement_page(request, ctx, db, statement_id)

    @post("/{statement_id:int}/send", opt=allow(*STATEMENT_WRITERS) | shown_again_by(_action_refused), sync_to_thread=True)
    def send(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        actions.send_statement(db, statement_id, actor=ctx.actor)
        return _saved(ctx, statement_id)

    @post("/{statement_id:int}/confirm", opt=allow(*STATEMENT_DECIDERS) | shown_again_by(_action_refused), sync_to_thread=True)
    def confirm(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        actions.confirm_statement(db, statement_id, actor=ctx.actor)
        return _saved(ctx, statement_id)

    @post("/{statement_id:int}/dispute", opt=allow(*STATEMENT_DECIDERS) | shown_again_by(_action_refused), sync_to_thread=True)
    def dispute(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int], data: FormData) -> Response:
        comment = field_text(data, "comment")
        actions.dispute_statement(db, statement_id, comment, actor=ctx.actor)
        return _saved(ctx, statement_id)

    @post("/{statement_id:int}/correct", opt=allow(*STATEMENT_WRITERS) | shown_again_by(_action_refused), sync_to_thread=True)
    def correct(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int], data: FormData) -> Response:
        adjustment = _signed_amount(field_text(data, "adjustment"))
        correction = actions.correct_statement(
            db, statement_id, adjustment, field_text(data, "adjustment_note"), actor=ctx.actor
        )
        return _saved(ctx, id_of(correction))

    @post("/{statement_id:int}/discard", opt=allow(*STATEMENT_WRITERS) | shown_again_by(_action_refused), sync_to_thread=True)
    def discard(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        actions.discard_draft(db, statement_id, actor=ctx.actor)
        return see_other(ctx.tenant_path("/statements"))

    @get("/{statement_id:int}/xlsx", opt=allow(*STATEMENT_READERS), sync_to_thread=True)
    def xlsx(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        loaded = statement_files.load(db, statement_id)
        content = statement_files.workbook(*loaded[:4], ctx.translate)
        return xlsx_download(content, statement_files.filename(loaded[0], "xlsx"))

    @get("/{statement_id:int}/pdf", opt=allow(*STATEMENT_READERS), sync_to_thread=True)
    def pdf(self, request: Request, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        statement, lines, bureau, agreement, _related = statement_files.load(db, statement_id)
        return statement_files.pdf(request, ctx.tenant.name if ctx.tenant else "", statement, lines, bureau, agreement)
