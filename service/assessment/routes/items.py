"""The rule catalogue: items with their versions, a new item or version, and the Excel import
with its page while the import's job runs and once it is over."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.assessment import actions, queries
from service.assessment import jobs as import_jobs
from service.assessment.inputs import ITEM_FIELDS, parse_item
from service.assessment.routes.common import READERS, WRITERS, render
from service.assessment.scoring import Category
from service.assessment.sheets import item_template
from service.bureaus.directory import load_assignments
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, required_file, upload_limit_mb
from service.web.pages import see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.imports.refusals import refused_rows
from tenants.isolation import TenantSession


def _item_form(request: Request, ctx: RequestContext, values: dict[str, str], errors: dict[str, str]) -> Response:
    return render(request, ctx, "item_form.html", item=None, values=values, errors=errors, categories=list(Category))


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _item_form(request, ctx, refused.values(ITEM_FIELDS), refused.errors)


def _item_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    item_id: int,
    *,
    refused: RefusedForm | None = None,
) -> Response:
    """One item with its versions and the form of a new version (prefilled from the latest, or as refused)."""
    item = queries.get_item(db, item_id)
    if item is None:
        raise NotFoundException()
    versions = queries.versions_of(db, item)
    latest = versions[-1]
    if refused is not None:
        values = refused.values(ITEM_FIELDS) | {"code": item.code, "client_bureau": item.client_bureau or ""}
    else:
        values = dict.fromkeys(ITEM_FIELDS, "") | {
            "name": latest.name,
            "category": latest.category,
            "min_points": str(latest.min_points),
            "max_points": str(latest.max_points),
            "period_cap": "" if latest.period_cap is None else str(latest.period_cap),
            "note": latest.note,
            "effective_from": "",
        }
    return render(
        request,
        ctx,
        "item_detail.html",
        item=item,
        versions=versions,
        latest=latest,
        values=values,
        errors=refused.errors if refused else {},
        categories=list(Category),
        notice="" if refused else request.query_params.get("notice", ""),
    )


def _version_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _item_page(request, ctx, db, request.path_params["item_id"], refused=refused)


def _import_page(request: Request, ctx: RequestContext, **context: Any) -> Response:
    context = {"current": None, "outcome": None, "errors": [], **context}
    return render(request, ctx, "items_import.html", limit_mb=upload_limit_mb(request), **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems by row and column (as read, or as a rule refused them), or the one problem
    with the upload itself."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, ctx, errors=errors)


class ItemsController(Controller):
    path = "/assessment/items"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def items(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        history = request.query_params.get("history") == "1"
        items = queries.list_items(db, history=history)
        return render(request, ctx, "items.html", items=items, history=history, notice=request.query_params.get("notice", ""))

    @get("/new", opt=allow(*WRITERS), sync_to_thread=False)
    def new_item(self, request: Request, ctx: RequestCtx) -> Response:
        return _item_form(request, ctx, {"effective_from": clock.today().isoformat()}, {})

    @post("/", opt=allow(*WRITERS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create_item(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        item_input = parse_item({f: field_text(data, f) for f in ITEM_FIELDS}, load_assignments(db).bureaus)
        item = actions.create_item(db, item_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/items/{item.id}?notice=created"))

    @get("/{item_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def item_detail(self, request: Request, ctx: RequestCtx, db: TenantDb, item_id: FromPath[int]) -> Response:
        return _item_page(request, ctx, db, item_id)

    @post("/{item_id:int}/versions", opt=allow(*WRITERS) | shown_again_by(_version_refused), sync_to_thread=True)
    def add_version(self, ctx: RequestCtx, db: TenantDb, item_id: FromPath[int], data: FormData) -> Response:
        item = queries.get_item(db, item_id)
        if item is None:
            raise NotFoundException()
        # A version keeps the item's code and bureau, whatever the form says.
        values = {f: field_text(data, f) for f in ITEM_FIELDS} | {"code": item.code, "client_bureau": item.client_bureau or ""}
        version = actions.new_item_version(db, item, parse_item(values, load_assignments(db).bureaus), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/items/{version.id}?notice=versioned"))

    @get("/import", opt=allow(*WRITERS), sync_to_thread=False)
    def import_items_form(self, request: Request, ctx: RequestCtx) -> Response:
        return _import_page(request, ctx)

    @get("/import/template", opt=allow(*WRITERS), sync_to_thread=False)
    def items_template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(item_template(ctx.translate), "assessment-items.xlsx")

    @post("/import", opt=allow(*WRITERS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_items(self, ctx: RequestCtx, data: MultipartData) -> Response:
        upload = required_file(data)
        # The import is a job (assessment.jobs) on transactions of its own, so a large sheet never holds the
        # request; a small sheet is over within the wait: refused, its rows show here as they always did.
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read()
        )
        return see_other(ctx.tenant_path(f"/assessment/items/import/{import_id}"))

    @get("/import/{import_id:int}", opt=allow(*WRITERS), sync_to_thread=True)
    def import_status(self, request: Request, ctx: RequestCtx, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        return _import_page(request, ctx, current=current, outcome=current.counts, errors=errors)
