"""Daily records: the bulk entry of points for a squad, a record's photo, and deleting a record."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.assessment import actions, queries
from service.assessment.actions import Photo
from service.assessment.entry_input import FIELDS, day_or_today, overrides, parse_entry, ticked
from service.assessment.routes.common import READERS, WRITERS, render
from service.errors import N_, DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import MultipartData, chosen_file, field_text
from service.web.pages import see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession


def _entry_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    day: date,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    notice: str = "",
) -> Response:
    """The entry form for ``day`` with the squad chosen in ``values``, and the day's records."""
    return render(
        request,
        ctx,
        "records.html",
        values=values,
        errors=errors or {},
        items=queries.items_in_force(db, day),
        workers=queries.workers_for_entry(db, values.get("bureau", ""), values.get("unit", "")),
        bureaus=queries.bureau_choices(db),
        units=queries.unit_choices(db),
        records=queries.records_on(db, day),
        day=day,
        notice=notice,
    )


def _entry_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    values: dict[str, Any] = refused.values(FIELDS)
    values |= {"workers": ticked(refused.form), "overrides": overrides(refused.form)}
    return _entry_page(request, ctx, db, day_or_today(values["on_date"]), values, refused.errors)


def _delete_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The day of the record that could not be deleted (it is still there: nothing was written)."""
    row = queries.get_record(db, request.path_params["record_id"])
    if row is None:
        raise NotFoundException()
    values = dict.fromkeys(FIELDS, "") | {"on_date": row.on_date.isoformat(), "workers": []}
    return _entry_page(request, ctx, db, row.on_date, values, refused.errors)


class RecordsController(Controller):
    path = "/assessment/records"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def records(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        params = request.query_params
        day = day_or_today(params.get("on_date", "")[:10])
        values: dict[str, Any] = dict.fromkeys(FIELDS, "") | {
            "bureau": params.get("bureau", "")[:80],
            "unit": params.get("unit", "")[:80],
            "on_date": day.isoformat(),
            "item_id": params.get("item_id", "")[:12],
            "workers": [],
        }
        return _entry_page(request, ctx, db, day, values, notice=params.get("notice", ""))

    @post("/", opt=allow(*WRITERS) | shown_again_by(_entry_refused), sync_to_thread=True)
    def record(self, ctx: RequestCtx, db: TenantDb, data: MultipartData) -> Response:
        entry = parse_entry({f: field_text(data, f) for f in FIELDS}, ticked(data), overrides(data))
        photo = chosen_file(data, "photo")
        item = queries.get_item(db, entry.item_id)
        if item is None:
            raise DomainError(N_("Choose an item."), field="item_id")
        actions.record_points(
            db,
            actor=ctx.actor,
            item=item,
            on_date=entry.on_date,
            points=entry.points,
            note=entry.note,
            photo=None if photo is None else Photo(photo.filename, photo.content_type or "", photo.file.read()),
        )
        query = f"?on_date={entry.on_date.isoformat()}&item_id={entry.item_id}&notice=recorded"
        return see_other(ctx.tenant_path("/assessment/records") + query)

    @get("/{record_id:int}/photo", opt=allow(*READERS), sync_to_thread=True)
    def photo(self, ctx: RequestCtx, db: TenantDb, record_id: FromPath[int]) -> Response:
        row = queries.get_record(db, record_id)
        if row is None or row.photo is None:
            raise NotFoundException()
        return Response(
            row.photo,
            media_type=row.photo_media_type,
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )

    @post("/{record_id:int}/delete", opt=allow(*WRITERS) | shown_again_by(_delete_refused), sync_to_thread=True)
    def delete_record(self, ctx: RequestCtx, db: TenantDb, record_id: FromPath[int]) -> Response:
        row = queries.get_record(db, record_id)
        if row is None:
            raise NotFoundException()
        day = row.on_date
        actions.delete_record(db, row, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/assessment/records?on_date={day.isoformat()}&notice=deleted"))
