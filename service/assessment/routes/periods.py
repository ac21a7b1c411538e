"""Assessment periods: creating and editing one, its results, its lifecycle and a third party's score sheet."""

from __future__ import annotations

from decimal import Decimal

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.assessment import actions, queries
from service.assessment.inputs import (
    DEFAULT_THRESHOLDS,
    QUOTA_RATINGS,
    SHEET_COMPONENTS,
    THRESHOLD_FIELDS,
    parse_period,
    period_form_fields,
)
from service.assessment.models import AssessmentPeriod, Lifecycle, PeriodKind
from service.assessment.ratings import Rating
from service.assessment.routes.common import READERS, WRITERS, render
from service.assessment.sheets import parse_score_sheet, score_template
from service.bureaus.directory import load_assignments
from service.database.ids import id_of
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, required_file, upload_limit_mb
from service.web.pages import see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.imports.refusals import RowError, refused_rows
from service.workforce.roster.actions import find_by_id_number
from service.workforce.roster.queries import get_worker
from service.workforce.roster.routes import id_number_for
from tenants.isolation import TenantSession


def _period_form(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    period: AssessmentPeriod | None = None,
) -> Response:
    return render(
        request,
        ctx,
        "period_form.html",
        values=values,
        errors=errors or {},
        bureaus=queries.bureau_choices(db),
        period=period,
        kinds=list(PeriodKind),
        thresholds=THRESHOLD_FIELDS,
        quota_ratings=QUOTA_RATINGS,
    )


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _period_form(request, ctx, db, refused.values(period_form_fields()), refused.errors)


def _update_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    period = _period(db, ctx, request.path_params["period_id"])
    return _period_form(request, ctx, db, refused.values(period_form_fields()), refused.errors, period)


def _period(db: TenantSession, ctx: RequestContext, period_id: int) -> AssessmentPeriod:
    period = queries.get_period(db, period_id)
    if period is None:
        raise NotFoundException()
    return period


def _period_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    period_id: int,
    *,
    errors: dict[str, str] | None = None,
    sheet_errors: list[RowError] | None = None,
    notice: str = "",
) -> Response:
    period = _period(db, ctx, period_id)
    results = queries.results_of(db, period_id)
    bureaus: dict[str | None, dict[str, int]] = {}  # None: ranked in no bureau
    for row in results:
        tally = bureaus.setdefault(row.result.bureau, {r.value: 0 for r in Rating})
        tally[row.result.rating] += 1
    return render(
        request,
        ctx,
        "period_detail.html",
        period=period,
        results=results,
        counts=queries.sheet_counts(db, period_id),
        errors=errors or {},
        sheet_errors=sheet_errors or [],
        notice=notice,
        bureaus=bureaus,
        ratings=list(Rating),
        thresholds=THRESHOLD_FIELDS,
        sheet_components=SHEET_COMPONENTS,
        limit_mb=upload_limit_mb(request),
        Lifecycle=Lifecycle,
    )


def _lifecycle_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _period_page(request, ctx, db, request.path_params["period_id"], errors=refused.errors)


def _sheet_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """A sheet's problems by row and column; a rule that refuses the whole import has neither."""
    sheet_errors = refused_rows(refused.error, refused.errors)
    return _period_page(request, ctx, db, request.path_params["period_id"], sheet_errors=sheet_errors)


class PeriodsController(Controller):
    path = "/assessment/periods"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def periods(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return render(request, ctx, "periods.html", periods=queries.list_periods(db))

    @get("/new", opt=allow(*WRITERS), sync_to_thread=True)
    def new_period(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        today = clock.today()
        values = dict.fromkeys(period_form_fields(), "") | {
            "kind": "monthly",
            "starts_on": today.replace(day=1).isoformat(),
            "base_score": "100",
            "weight_daily": "100",
            **{f"cutoff_{k}": v for k, v in DEFAULT_THRESHOLDS.items()},
        }
        return _period_form(request, ctx, db, values)

    @post("/", opt=allow(*WRITERS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create_period(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        period_input = parse_period({f: field_text(data, f) for f in period_form_fields()}, load_assignments(db).bureaus)
        period = actions.create_period(db, period_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period.id}?notice=created"))

    @get("/{period_id:int}/edit", opt=allow(*WRITERS), sync_to_thread=True)
    def edit_period(self, request: Request, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int]) -> Response:
        period = _period(db, ctx, period_id)
        config = period.rating_config
        values = dict.fromkeys(period_form_fields(), "") | {
            "kind": period.kind,
            "name": period.name,
            "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(),
            "client_bureau": period.client_bureau or "",
            "base_score": str(period.base_score),
            **{f"weight_{k}": str(v) for k, v in period.weights.items()},
            **{f"cutoff_{k}": v for k, v in (config.get("thresholds") or DEFAULT_THRESHOLDS).items()},
            **{f"quota_{k}": str(Decimal(v) * 100) for k, v in (config.get("quotas") or {}).items()},
        }
        return _period_form(request, ctx, db, values, period=period)

    @post("/{period_id:int}", opt=allow(*WRITERS) | shown_again_by(_update_refused), sync_to_thread=True)
    def update_period(self, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int], data: FormData) -> Response:
        period = _period(db, ctx, period_id)
        period_input = parse_period({f: field_text(data, f) for f in period_form_fields()}, load_assignments(db).bureaus)
        actions.update_period(db, period, period_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=updated"))

    @get("/{period_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def period_detail(self, request: Request, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int]) -> Response:
        return _period_page(request, ctx, db, period_id, notice=request.query_params.get("notice", ""))

    @post("/{period_id:int}/compute", opt=allow(*WRITERS) | shown_again_by(_lifecycle_refused), sync_to_thread=True)
    def compute(self, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int]) -> Response:
        actions.compute_results(db, _period(db, ctx, period_id), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=computed"))

    @post("/{period_id:int}/status", opt=allow(*WRITERS) | shown_again_by(_lifecycle_refused), sync_to_thread=True)
    def change_status(self, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int], data: FormData) -> Response:
        action = field_text(data, "action")
        actions.advance(db, _period(db, ctx, period_id), action, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice={action}"))

    @get("/{period_id:int}/sheet-template", opt=allow(*WRITERS), sync_to_thread=True)
    def sheet_template(self, request: Request, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int]) -> Response:
        workers = actions.scope_workers(db, _period(db, ctx, period_id))
        rows = [(id_of(w), w.name, id_number_for(request, ctx, w)) for w in workers]
        return xlsx_download(score_template(ctx.translate, rows), f"assessment-scores-{period_id}.xlsx")

    @post("/{period_id:int}/sheet", opt=allow(*WRITERS) | shown_again_by(_sheet_refused), sync_to_thread=True)
    def import_sheet(
        self, request: Request, ctx: RequestCtx, db: TenantDb, period_id: FromPath[int], data: MultipartData
    ) -> Response:
        keys = keys_for(request.app.state.settings)
        period = _period(db, ctx, period_id)
        component = field_text(data, "component")
        if component not in SHEET_COMPONENTS:
            component = "concentrated"
        sheet = required_file(data)
        scores = parse_score_sheet(
            sheet.file.read(),
            ctx.translate,
            lambda number: find_by_id_number(db, keys, number),
            lambda worker_id: get_worker(db, worker_id),
        )
        count = actions.import_sheet_scores(db, period, component, scores, sheet.filename, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=imported&count={count}"))
