"""The bureau's monthly statements (结算单) in the reviewer portal: read, download, confirm or dispute."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service.bureaus.models import AGREEMENT_LABELS, STATEMENT_LABELS, StatementStatus
from service.bureaus.statements import actions as statements
from service.bureaus.statements import files as statement_files
from service.reviewers import scope as reviewer_scope
from service.reviewers.models import ReviewerRole
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData
from service.web.pages import page, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

# Statements are the bureau's money: its reviewers confirm or dispute them (not the establishment office's).
STATEMENT_DECIDERS = (ReviewerRole.BUREAU,)


def _comment(form: dict) -> str:
    """The dispute's comment as typed (not stripped: the reviewer's words are kept as they are)."""
    raw = form.get("comment", "")
    return raw if isinstance(raw, str) else ""


def _detail(
    request: Request, ctx: RequestContext, db: TenantSession, statement_id: int, refused: RefusedForm | None = None
) -> Response:
    scope = reviewer_scope.scope_of(db, ctx)
    statement, lines, bureau, agreement, related = reviewer_scope.statement(db, scope, statement_id)
    return page(
        request,
        "reviewer/statement.html",
        statement=statement,
        lines=lines,
        bureau=bureau,
        agreement=agreement,
        related=related,
        labels=STATEMENT_LABELS,
        fee_labels=AGREEMENT_LABELS,
        errors=refused.errors if refused else {},
        comment=_comment(refused.form)[: statements.COMMENT_MAX] if refused else "",
        can_decide=statement.status is StatementStatus.SENT,
    )


def _decision_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _detail(request, ctx, db, request.path_params["statement_id"], refused)


class ReviewerStatementsController(Controller):
    path = "/review/statements"

    @get("/", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        rows = reviewer_scope.statements(db, reviewer_scope.scope_of(db, ctx))
        return page(request, "reviewer/statements.html", statements=rows, labels=STATEMENT_LABELS)

    @get("/{statement_id:int}", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        return _detail(request, ctx, db, statement_id)

    # Both decisions load the statement through the scope first: another bureau's, a draft or none is 404.

    @post(
        "/{statement_id:int}/confirm", opt=allow(*STATEMENT_DECIDERS) | shown_again_by(_decision_refused), sync_to_thread=True
    )
    def confirm(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        scope = reviewer_scope.scope_of(db, ctx)
        reviewer_scope.statement(db, scope, statement_id)
        statements.confirm_statement(db, statement_id, actor=ctx.actor, bureau_id=scope.bureau_id)
        return see_other(ctx.tenant_path(f"/review/statements/{statement_id}?notice=saved"))

    @post(
        "/{statement_id:int}/dispute", opt=allow(*STATEMENT_DECIDERS) | shown_again_by(_decision_refused), sync_to_thread=True
    )
    def dispute(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int], data: FormData) -> Response:
        scope = reviewer_scope.scope_of(db, ctx)
        reviewer_scope.statement(db, scope, statement_id)
        statements.dispute_statement(db, statement_id, _comment(data), actor=ctx.actor, bureau_id=scope.bureau_id)
        return see_other(ctx.tenant_path(f"/review/statements/{statement_id}?notice=saved"))

    @get("/{statement_id:int}/xlsx", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True)
    def xlsx(self, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        statement, lines, bureau, agreement, _ = reviewer_scope.statement(db, reviewer_scope.scope_of(db, ctx), statement_id)
        content = statement_files.workbook(statement, lines, bureau, agreement, ctx.translate)
        return xlsx_download(content, statement_files.filename(statement, "xlsx"))

    @get("/{statement_id:int}/pdf", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True)
    def pdf(self, request: Request, ctx: RequestCtx, db: TenantDb, statement_id: FromPath[int]) -> Response:
        scope = reviewer_scope.scope_of(db, ctx)
        statement, lines, bureau, agreement, _ = reviewer_scope.statement(db, scope, statement_id)
        return statement_files.pdf(request, ctx.tenant.name if ctx.tenant else "", statement, lines, bureau, agreement)
