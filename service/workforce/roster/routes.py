"""Roster pages and the roster's JSON API."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from service import clock
from service.accounts.models import ALL_STAFF
from service.bureaus import directory
from service.cities.names import CITY_NAMES
from service.keys import Keys, keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, MultipartData, field_text, page_number, required_file, upload_limit_mb, whole_number
from service.web.pages import page, page_query, see_other, xlsx_download
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.access import EDITORS, SEES_FULL_ID
from service.workforce.imports.refusals import refused_rows
from service.workforce.models import (
    GRADES,
    LABELS,
    SUGGESTED_POST_LINES,
    Education,
    Worker,
    WorkerStatus,
)
from service.workforce.roster import actions
from service.workforce.roster import jobs as import_jobs
from service.workforce.roster import queries as roster
from service.workforce.roster.excel import export_workbook
from service.workforce.roster.input import FIELDS, parse_worker
from tenants.isolation import TenantSession


def _keys(request: Request) -> Keys:
    return keys_for(request.app.state.settings)


def id_number_for(request: Request, ctx: RequestContext, worker: Worker) -> str:
    """The worker's ID number in full for those who may see it, masked for the others."""
    if ctx.has_role(*SEES_FULL_ID):
        return actions.reveal_id_number(_keys(request), worker)
    return worker.id_number_masked


def _filter_from(request: Request) -> roster.RosterFilter:
    params = request.query_params
    status = params.get("status", "")
    grade = params.get("grade", "")
    return roster.RosterFilter(
        q=params.get("q", "")[:50],
        status=WorkerStatus(status) if status in WorkerStatus._value2member_map_ else None,
        grade=number if (number := whole_number(grade)) in GRADES else None,
        client_bureau=params.get("client_bureau", "")[:80],
        post_line=params.get("post_line", "")[:40],
    )


def _worker_form(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker: Worker | None,
    values: dict[str, Any],
    errors: dict[str, str],
) -> Response:
    return page(
        request,
        "workforce/worker_form.html",
        worker=worker,
        bureau_names=directory.bureau_names(db),
        unit_names=directory.unit_names(db),
        values=values,
        errors=errors,
        statuses=list(WorkerStatus),
        educations=list(Education),
        grades=GRADES,
        labels=LABELS,
        post_lines=SUGGESTED_POST_LINES,
        cities=CITY_NAMES,
    )


def _load(db: TenantSession, worker_id: int) -> Worker:
    worker = roster.get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _worker_form(request, ctx, db, None, refused.values(FIELDS), refused.errors)


def _update_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    worker = _load(db, request.path_params["worker_id"])
    return _worker_form(request, ctx, db, worker, refused.values(FIELDS), refused.errors)


def _import_page(request: Request, **context: Any) -> Response:
    limit_mb = upload_limit_mb(request)
    return page(request, "workforce/import.html", limit_mb=limit_mb, **context)


def _import_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The sheet's problems row by row; a refusal before any row was read (no file) is one line."""
    errors = refused_rows(refused.error, refused.errors)
    return _import_page(request, current=None, outcome=None, errors=errors)


class RosterController(Controller):
    path = "/workers"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        f = _filter_from(request)
        result = roster.search(db, _keys(request), f, page_number(request.query_params.get("page", "")))
        return page(
            request,
            "workforce/roster.html",
            result=result,
            filter=f,
            choices=roster.filter_choices(db),
            statuses=list(WorkerStatus),
            grades=GRADES,
            labels=LABELS,
            can_edit=ctx.has_role(*EDITORS),
            query_string=request.url.query,
            page_query=page_query(request),
        )

    @get("/export", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def export(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        workers = roster.all_matching(db, _keys(request), _filter_from(request))
        content = export_workbook(workers, ctx.translate, lambda w: id_number_for(request, ctx, w))
        return xlsx_download(content, f"roster-{clock.today().isoformat()}.xlsx")

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _worker_form(request, ctx, db, None, {}, {})

    @post("/", opt=allow(*EDITORS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create(self, request: Request, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        worker_input = parse_worker({f: field_text(data, f) for f in FIELDS}, today=clock.today())
        worker = actions.create_worker(db, _keys(request), worker_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker.id}?notice=created"))

    @get("/import", opt=allow(*EDITORS), sync_to_thread=False)
    def import_form(self, request: Request) -> Response:
        return _import_page(request, current=None, errors=[], outcome=None)

    @get("/import/template", opt=allow(*EDITORS), sync_to_thread=False)
    def import_template(self, ctx: RequestCtx) -> Response:
        return xlsx_download(export_workbook([], ctx.translate, lambda w: ""), "roster-template.xlsx")

    @post("/import", opt=allow(*EDITORS) | shown_again_by(_import_refused), sync_to_thread=True)
    def import_sheet(self, ctx: RequestCtx, data: MultipartData) -> Response:
        upload = required_file(data)
        # The import is a job (roster.jobs) on transactions of its own, so a 50,000-row sheet never holds
        # the request; a small sheet is over within the wait: refused, its rows show here as they always did.
        import_id = import_jobs.SHEET.submit(
            ctx.tenant_id, ctx.actor, ctx.translate.locale, upload.filename, upload.file.read()
        )
        return see_other(ctx.tenant_path(f"/workers/import/{import_id}"))

    @get("/import/{import_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def import_status(self, request: Request, db: TenantDb, import_id: FromPath[int]) -> Response:
        """Queued, running (the page refreshes itself), done with its counts, refused with its rows, or failed."""
        current, errors = import_jobs.SHEET.read(db, import_id)
        return _import_page(request, current=current, outcome=current.counts, errors=errors)

    @get("/{worker_id:int}/edit", opt=allow(*EDITORS), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        worker = _load(db, worker_id)
        values = worker.model_dump() | {
            "id_number": actions.reveal_id_number(_keys(request), worker),
            "client_bureau": worker.client_bureau,
            "unit": worker.unit,
        }
        values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
        return _worker_form(request, ctx, db, worker, values, {})

    @post("/{worker_id:int}", opt=allow(*EDITORS) | shown_again_by(_update_refused), sync_to_thread=True)
    def update(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        worker = _load(db, worker_id)  # before parsing: a refused form is shown again with its worker
        worker_input = parse_worker({f: field_text(data, f) for f in FIELDS}, today=clock.today())
        actions.update_worker(db, _keys(request), worker, worker_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker_id}?notice=saved"))


def _worker_json(request: Request, ctx: RequestContext, worker: Worker) -> dict[str, Any]:
    return {
        "id": worker.id,
        "name": worker.name,
        "id_number": id_number_for(request, ctx, worker),
        "gender": worker.gender.value,
        "birth_date": worker.birth_date.isoformat(),
        "phone": worker.phone,
        "education": worker.education.value,
        "hire_date": worker.hire_date.isoformat(),
        "status": worker.status.value,
        "post_line": worker.post_line,
        "client_bureau": worker.client_bureau,
        "unit": worker.unit,
        "grade": worker.grade,
    }


class RosterApi(Controller):
    path = "/api/workers"
    include_in_schema = True  # the one JSON API: the tenant router leaves every HTML page out of the schema
    tags = ("roster",)

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True, summary="Search the roster")
    def list_workers(
        self, request: Request, ctx: RequestCtx, db: TenantDb, q: FromQuery[str] = "", page: FromQuery[int] = 1
    ) -> dict[str, Any]:
        result = roster.search(db, _keys(request), roster.RosterFilter(q=q[:50]), max(1, page))
        return {
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "workers": [_worker_json(request, ctx, w) for w in result.workers],
        }

    @get("/{worker_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True, summary="One worker")
    def get_worker(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> dict[str, Any]:
        return _worker_json(request, ctx, _load(db, worker_id))
