"""Assessment pages: rule catalogue, daily records (bulk entry), running totals, periods and results."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF, StaffRole
from service.assessment import actions, queries
from service.assessment.actions import Photo, RowProblems
from service.assessment.inputs import (
    COMPONENTS,
    DEFAULT_THRESHOLDS,
    ITEM_FIELDS,
    QUOTA_RATINGS,
    SHEET_COMPONENTS,
    THRESHOLD_FIELDS,
    parse_item,
    parse_period,
    parse_points,
    period_form_fields,
    short_text,
)
from service.assessment.models import (
    CATEGORY_LABELS,
    LIFECYCLE_BADGES,
    LIFECYCLE_LABELS,
    PERIOD_KIND_LABELS,
    Lifecycle,
    PeriodKind,
)
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.assessment.scoring import Category
from service.assessment.sheets import (
    ITEM_HEADERS,
    RowError,
    SheetRefused,
    item_template,
    parse_item_sheet,
    parse_score_sheet,
    score_template,
)
from service.errors import N_, DomainError, InputErrors
from service.keys import keys_for
from service.web.access import allow
from service.web.context import RequestContext
from service.web.forms import FormData, MultipartData, field_text, translated_errors, whole_number
from service.web.pages import page, see_other, xlsx_download
from service.workforce.actions import find_by_id_number, reveal_id_number
from service.workforce.worker_input import parse_date
from tenants.isolation import tenant_session

WRITERS = (StaffRole.ADMIN, StaffRole.ASSESSOR)
READERS = tuple(ALL_STAFF)

COMMON = {
    "category_labels": CATEGORY_LABELS,
    "kind_labels": PERIOD_KIND_LABELS,
    "lifecycle_labels": LIFECYCLE_LABELS,
    "lifecycle_badges": LIFECYCLE_BADGES,
    "rating_labels": RATING_LABELS,
    "rating_names": {r.value: RATING_LABELS[r] for r in Rating},
    "component_labels": COMPONENTS,
}


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


def _render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    ctx = _ctx(request)
    return page(request, f"assessment/{template}", status=status, can_write=ctx.has_role(*WRITERS), **COMMON, **context)


def _errors(problems: Exception, request: Request) -> dict[str, str]:
    errors = problems.errors if isinstance(problems, InputErrors) else [problems]
    return translated_errors(errors, _ctx(request).translate)


def _values(data: dict, fields: tuple[str, ...]) -> dict[str, str]:
    return {f: field_text(data, f) for f in fields}


def _many(data: dict, name: str) -> list[str]:
    value = data.get(name)
    if value is None:
        return []
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str)]
    return [value.strip()] if isinstance(value, str) else []


def _upload(data: dict, name: str):
    upload = data.get(name)
    if upload is None or isinstance(upload, (str, list)) or not getattr(upload, "filename", ""):
        return None
    return upload


def _limit_mb(request: Request) -> int:
    return request.app.state.settings.import_max_bytes // (1024 * 1024)


class AssessmentController(Controller):
    path = "/assessment"

    # ---- overview -------------------------------------------------------------

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            periods = queries.list_periods(db, ctx.tenant_id)[:10]
            items = queries.items_in_force(db, ctx.tenant_id, today)
            records = queries.records_on(db, ctx.tenant_id, today, limit=20)
        return _render(request, "index.html", periods=periods, item_count=len(items), records=records, today=today)

    # ---- rule catalogue -------------------------------------------------------

    @get("/items", opt=allow(*READERS), sync_to_thread=True)
    def items(self, request: Request) -> Response:
        ctx = _ctx(request)
        history = request.query_params.get("history") == "1"
        with tenant_session(ctx.tenant_id) as db:
            items = queries.list_items(db, ctx.tenant_id, history=history)
        notice = request.query_params.get("notice", "")
        return _render(request, "items.html", items=items, history=history, notice=notice)

    @get("/items/new", opt=allow(*WRITERS), sync_to_thread=False)
    def new_item(self, request: Request) -> Response:
        values = {"effective_from": clock.today().isoformat()}
        return _render(request, "item_form.html", item=None, values=values, errors={}, categories=list(Category))

    @post("/items", opt=allow(*WRITERS), sync_to_thread=True)
    def create_item(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, ITEM_FIELDS)
        try:
            item_input = parse_item(values)
            with tenant_session(ctx.tenant_id) as db:
                item = actions.create_item(db, ctx.tenant_id, ctx.actor, item_input)
        except (InputErrors, DomainError) as problems:
            return _render(
                request,
                "item_form.html",
                status=400,
                item=None,
                values=values,
                errors=_errors(problems, request),
                categories=list(Category),
            )
        return see_other(ctx.tenant_path(f"/assessment/items/{item.id}?notice=created"))

    @get("/items/{item_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def item_detail(self, request: Request, item_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            item = queries.get_item(db, ctx.tenant_id, item_id)
            if item is None:
                raise NotFoundException()
            versions = queries.versions_of(db, ctx.tenant_id, item)
        latest = versions[-1]
        values = dict.fromkeys(ITEM_FIELDS, "") | {
            "name": latest.name,
            "category": latest.category,
            "min_points": str(latest.min_points),
            "max_points": str(latest.max_points),
            "period_cap": "" if latest.period_cap is None else str(latest.period_cap),
            "note": latest.note,
            "effective_from": "",
        }
        return _render(
            request,
            "item_detail.html",
            item=item,
            versions=versions,
            latest=latest,
            values=values,
            errors={},
            categories=list(Category),
            notice=request.query_params.get("notice", ""),
        )

    @post("/items/{item_id:int}/versions", opt=allow(*WRITERS), sync_to_thread=True)
    def add_version(self, request: Request, item_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, ITEM_FIELDS)
        try:
            with tenant_session(ctx.tenant_id) as db:
                item = queries.get_item(db, ctx.tenant_id, item_id)
                if item is None:
                    raise NotFoundException()
                values |= {"code": item.code, "client_bureau": item.client_bureau or ""}
                version = actions.new_item_version(db, ctx.tenant_id, ctx.actor, item, parse_item(values))
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                item = queries.get_item(db, ctx.tenant_id, item_id)
                versions = queries.versions_of(db, ctx.tenant_id, item)
            return _render(
                request,
                "item_detail.html",
                status=400,
                item=item,
                versions=versions,
                latest=versions[-1],
                values=values,
                errors=_errors(problems, request),
                categories=list(Category),
                notice="",
            )
        return see_other(ctx.tenant_path(f"/assessment/items/{version.id}?notice=versioned"))

    @get("/items/import", opt=allow(*WRITERS), sync_to_thread=False)
    def import_items_form(self, request: Request) -> Response:
        return _render(request, "items_import.html", errors=[], outcome=None, limit_mb=_limit_mb(request))

    @get("/items/import/template", opt=allow(*WRITERS), sync_to_thread=False)
    def items_template(self, request: Request) -> Response:
        return xlsx_download(item_template(_ctx(request).translate), "assessment-items.xlsx")

    @post("/items/import", opt=allow(*WRITERS), sync_to_thread=True)
    def import_items(self, request: Request, data: MultipartData) -> Response:
        ctx, t = _ctx(request), _ctx(request).translate
        upload = _upload(data, "file")
        if upload is None:
            return _render(
                request,
                "items_import.html",
                status=400,
                outcome=None,
                limit_mb=_limit_mb(request),
                errors=[RowError("", "", t(N_("Choose an .xlsx file to upload.")))],
            )
        try:
            rows = parse_item_sheet(upload.file.read(), t)
            with tenant_session(ctx.tenant_id) as db:
                outcome = actions.import_items(db, ctx.tenant_id, ctx.actor, rows)
        except SheetRefused as refused:
            return _render(
                request, "items_import.html", status=400, outcome=None, limit_mb=_limit_mb(request), errors=refused.errors
            )
        except RowProblems as refused:
            errors = [
                RowError(n, t(ITEM_HEADERS[e.field]) if e.field in ITEM_HEADERS else "", t.error(e))
                for n, e in refused.problems
            ]
            return _render(request, "items_import.html", status=400, outcome=None, limit_mb=_limit_mb(request), errors=errors)
        return _render(request, "items_import.html", outcome=outcome, errors=[], limit_mb=_limit_mb(request))

    # ---- daily records ----------------------------------------------------------

    def _entry_page(
        self, request: Request, values: dict[str, Any], errors: dict[str, str], status: int = 200, notice: str = ""
    ) -> Response:
        ctx = _ctx(request)
        day = values.get("on_date_parsed") or clock.today()
        with tenant_session(ctx.tenant_id) as db:
            items = queries.items_in_force(db, ctx.tenant_id, day)
            workers = queries.workers_for_entry(db, ctx.tenant_id, values.get("bureau", ""), values.get("unit", ""))
            bureaus = queries.bureau_choices(db, ctx.tenant_id)
            units = queries.unit_choices(db, ctx.tenant_id)
            records = queries.records_on(db, ctx.tenant_id, day)
        return _render(
            request,
            "records.html",
            status=status,
            values=values,
            errors=errors,
            items=items,
            workers=workers,
            bureaus=bureaus,
            units=units,
            records=records,
            day=day,
            notice=notice,
        )

    @get("/records", opt=allow(*READERS), sync_to_thread=True)
    def records(self, request: Request) -> Response:
        params = request.query_params
        values: dict[str, Any] = {
            "bureau": params.get("bureau", "")[:80],
            "unit": params.get("unit", "")[:80],
            "on_date": params.get("on_date", "")[:10],
            "item_id": params.get("item_id", "")[:12],
            "points": "",
            "note": "",
            "workers": [],
        }
        try:
            values["on_date_parsed"] = parse_date(values["on_date"], "on_date") if values["on_date"] else clock.today()
        except DomainError:
            values["on_date_parsed"] = clock.today()
        values["on_date"] = values["on_date_parsed"].isoformat()
        return self._entry_page(request, values, {}, notice=params.get("notice", ""))

    @post("/records", opt=allow(*WRITERS), sync_to_thread=True)
    def record(self, request: Request, data: MultipartData) -> Response:
        ctx = _ctx(request)
        values: dict[str, Any] = _values(data, ("bureau", "unit", "on_date", "item_id", "points", "note"))
        chosen = _many(data, "workers")
        values["workers"] = chosen
        values["overrides"] = {k: field_text(data, k) for k in data if k.startswith("points_")}
        errors: list[DomainError] = []
        day = None
        try:
            day = parse_date(values["on_date"], "on_date")
        except DomainError as error:
            errors.append(error)
        item_id = whole_number(values["item_id"])
        if item_id is None:
            errors.append(DomainError(N_("Choose an item."), field="item_id"))
        note = ""
        try:
            note = short_text(values["note"], "note", 500)
        except DomainError as error:
            errors.append(error)
        points: dict[int, Decimal] = {}
        for text in chosen:
            worker_id = whole_number(text)
            if worker_id is None:
                errors.append(DomainError(N_("Unknown worker {id}."), field="workers", id=text[:20]))
                continue
            typed = values["overrides"].get(f"points_{worker_id}") or values["points"]
            try:
                own = bool(values["overrides"].get(f"points_{worker_id}"))
                points[worker_id] = parse_points(typed, f"points_{worker_id}" if own else "points")
            except DomainError as error:
                errors.append(error)
        if not chosen:
            errors.append(DomainError(N_("Tick at least one worker."), field="workers"))
        photo = None
        upload = _upload(data, "photo")
        if upload is not None:
            photo = Photo(upload.filename, upload.content_type or "", upload.file.read())
        if not errors:
            try:
                with tenant_session(ctx.tenant_id) as db:
                    item = queries.get_item(db, ctx.tenant_id, item_id)
                    if item is None:
                        raise DomainError(N_("Choose an item."), field="item_id")
                    actions.record_points(
                        db, ctx.tenant_id, ctx.actor, item=item, on_date=day, points=points, note=note, photo=photo
                    )
            except DomainError as error:
                errors.append(error)
        if errors:
            values["on_date_parsed"] = day or clock.today()
            return self._entry_page(request, values, translated_errors(errors, ctx.translate), status=400)
        query = f"?on_date={day.isoformat()}&item_id={item_id}&notice=recorded"
        return see_other(ctx.tenant_path("/assessment/records") + query)

    @get("/records/{record_id:int}/photo", opt=allow(*READERS), sync_to_thread=True)
    def photo(self, request: Request, record_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            row = queries.get_record(db, ctx.tenant_id, record_id)
        if row is None or row.photo is None:
            raise NotFoundException()
        return Response(
            row.photo,
            media_type=row.photo_media_type,
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )

    @post("/records/{record_id:int}/delete", opt=allow(*WRITERS), sync_to_thread=True)
    def delete_record(self, request: Request, record_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        day = None
        try:
            with tenant_session(ctx.tenant_id) as db:
                row = queries.get_record(db, ctx.tenant_id, record_id)
                if row is None:
                    raise NotFoundException()
                day = row.on_date
                actions.delete_record(db, ctx.tenant_id, ctx.actor, row)
        except DomainError as error:
            values = {
                "bureau": "",
                "unit": "",
                "on_date": day.isoformat(),
                "item_id": "",
                "points": "",
                "note": "",
                "workers": [],
                "on_date_parsed": day,
            }
            return self._entry_page(request, values, translated_errors([error], ctx.translate), status=400)
        return see_other(ctx.tenant_path(f"/assessment/records?on_date={day.isoformat()}&notice=deleted"))

    # ---- a worker's running total ------------------------------------------------

    @get("/workers/{worker_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def worker_total(self, request: Request, worker_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            worker = queries.workers_by_id(db, ctx.tenant_id, [worker_id]).get(worker_id)
            if worker is None:
                raise NotFoundException()
            periods = queries.periods_containing(db, ctx.tenant_id, today)
            chosen_id = whole_number(request.query_params.get("period", ""))
            period = queries.get_period(db, ctx.tenant_id, chosen_id) if chosen_id else (periods[0] if periods else None)
            if period is not None:
                start, end, base = period.starts_on, period.ends_on, period.base_score
            else:  # no period yet: the calendar month so far
                start, end, base = today.replace(day=1), today, Decimal(100)
            total = queries.running_total(db, ctx.tenant_id, worker.id, start, end, base)
            results = queries.results_of_worker(db, ctx.tenant_id, worker.id)
            all_periods = queries.list_periods(db, ctx.tenant_id)
        return _render(
            request, "worker_total.html", worker=worker, period=period, total=total, results=results, periods=all_periods
        )

    # ---- periods -------------------------------------------------------------------

    @get("/periods", opt=allow(*READERS), sync_to_thread=True)
    def periods(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            periods = queries.list_periods(db, ctx.tenant_id)
        return _render(request, "periods.html", periods=periods)

    def _period_form(self, request: Request, values: dict, errors: dict, status: int = 200, period=None) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            bureaus = queries.bureau_choices(db, ctx.tenant_id)
        return _render(
            request,
            "period_form.html",
            status=status,
            values=values,
            errors=errors,
            bureaus=bureaus,
            period=period,
            kinds=list(PeriodKind),
            thresholds=THRESHOLD_FIELDS,
            quota_ratings=QUOTA_RATINGS,
        )

    @get("/periods/new", opt=allow(*WRITERS), sync_to_thread=True)
    def new_period(self, request: Request) -> Response:
        today = clock.today()
        values = dict.fromkeys(period_form_fields(), "") | {
            "kind": "monthly",
            "starts_on": today.replace(day=1).isoformat(),
            "base_score": "100",
            "weight_daily": "100",
            **{f"cutoff_{k}": v for k, v in DEFAULT_THRESHOLDS.items()},
        }
        return self._period_form(request, values, {})

    @post("/periods", opt=allow(*WRITERS), sync_to_thread=True)
    def create_period(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, period_form_fields())
        try:
            period_input = parse_period(values)
            with tenant_session(ctx.tenant_id) as db:
                period = actions.create_period(db, ctx.tenant_id, ctx.actor, period_input)
        except (InputErrors, DomainError) as problems:
            return self._period_form(request, values, _errors(problems, request), status=400)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period.id}?notice=created"))

    @get("/periods/{period_id:int}/edit", opt=allow(*WRITERS), sync_to_thread=True)
    def edit_period(self, request: Request, period_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            period = queries.get_period(db, ctx.tenant_id, period_id)
            if period is None:
                raise NotFoundException()
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
        return self._period_form(request, values, {}, period=period)

    @post("/periods/{period_id:int}", opt=allow(*WRITERS), sync_to_thread=True)
    def update_period(self, request: Request, period_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, period_form_fields())
        with tenant_session(ctx.tenant_id) as db:
            period = queries.get_period(db, ctx.tenant_id, period_id)
            if period is None:
                raise NotFoundException()
        try:
            period_input = parse_period(values)
            with tenant_session(ctx.tenant_id) as db:
                period = queries.get_period(db, ctx.tenant_id, period_id)
                actions.update_period(db, ctx.tenant_id, ctx.actor, period, period_input)
        except (InputErrors, DomainError) as problems:
            return self._period_form(request, values, _errors(problems, request), status=400, period=period)
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=updated"))

    def _period_page(
        self,
        request: Request,
        period_id: int,
        status: int = 200,
        errors: dict | None = None,
        sheet_errors: list | None = None,
        notice: str = "",
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            period = queries.get_period(db, ctx.tenant_id, period_id)
            if period is None:
                raise NotFoundException()
            results = queries.results_of(db, ctx.tenant_id, period.id)
            counts = queries.sheet_counts(db, ctx.tenant_id, period.id)
        bureaus: dict[str, dict[str, int]] = {}
        for row in results:
            tally = bureaus.setdefault(row.result.bureau, {r.value: 0 for r in Rating})
            tally[row.result.rating] += 1
        return _render(
            request,
            "period_detail.html",
            status=status,
            period=period,
            results=results,
            counts=counts,
            errors=errors or {},
            sheet_errors=sheet_errors or [],
            notice=notice,
            bureaus=bureaus,
            ratings=list(Rating),
            thresholds=THRESHOLD_FIELDS,
            sheet_components=SHEET_COMPONENTS,
            limit_mb=_limit_mb(request),
            Lifecycle=Lifecycle,
        )

    @get("/periods/{period_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def period_detail(self, request: Request, period_id: FromPath[int]) -> Response:
        return self._period_page(request, period_id, notice=request.query_params.get("notice", ""))

    @post("/periods/{period_id:int}/compute", opt=allow(*WRITERS), sync_to_thread=True)
    def compute(self, request: Request, period_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                period = queries.get_period(db, ctx.tenant_id, period_id)
                if period is None:
                    raise NotFoundException()
                actions.compute_results(db, ctx.tenant_id, ctx.actor, period)
        except DomainError as error:
            return self._period_page(request, period_id, status=400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=computed"))

    @post("/periods/{period_id:int}/status", opt=allow(*WRITERS), sync_to_thread=True)
    def change_status(self, request: Request, period_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        action = field_text(data, "action")
        try:
            with tenant_session(ctx.tenant_id) as db:
                period = queries.get_period(db, ctx.tenant_id, period_id)
                if period is None:
                    raise NotFoundException()
                actions.advance(db, ctx.tenant_id, ctx.actor, period, action)
        except DomainError as error:
            return self._period_page(request, period_id, status=400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice={action}"))

    @get("/periods/{period_id:int}/sheet-template", opt=allow(*WRITERS), sync_to_thread=True)
    def sheet_template(self, request: Request, period_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        keys = keys_for(request.app.state.settings)
        with tenant_session(ctx.tenant_id) as db:
            period = queries.get_period(db, ctx.tenant_id, period_id)
            if period is None:
                raise NotFoundException()
            workers = actions.scope_workers(db, ctx.tenant_id, period)
            rows = [(w.name, reveal_id_number(keys, w)) for w in workers]
        return xlsx_download(score_template(ctx.translate, rows), f"assessment-scores-{period_id}.xlsx")

    @post("/periods/{period_id:int}/sheet", opt=allow(*WRITERS), sync_to_thread=True)
    def import_sheet(self, request: Request, period_id: FromPath[int], data: MultipartData) -> Response:
        ctx, t = _ctx(request), _ctx(request).translate
        keys = keys_for(request.app.state.settings)
        component = field_text(data, "component")
        if component not in SHEET_COMPONENTS:
            component = "concentrated"
        upload = _upload(data, "file")
        if upload is None:
            return self._period_page(
                request, period_id, status=400, sheet_errors=[RowError("", "", t(N_("Choose an .xlsx file to upload.")))]
            )
        try:
            with tenant_session(ctx.tenant_id) as db:
                period = queries.get_period(db, ctx.tenant_id, period_id)
                if period is None:
                    raise NotFoundException()
                scores = parse_score_sheet(
                    upload.file.read(), t, lambda number: find_by_id_number(db, keys, ctx.tenant_id, number)
                )
                count = actions.import_sheet_scores(db, ctx.tenant_id, ctx.actor, period, component, scores, upload.filename)
        except SheetRefused as refused:
            return self._period_page(request, period_id, status=400, sheet_errors=refused.errors)
        except DomainError as error:
            return self._period_page(request, period_id, status=400, sheet_errors=[RowError("", "", t.error(error))])
        return see_other(ctx.tenant_path(f"/assessment/periods/{period_id}?notice=imported&count={count}"))
