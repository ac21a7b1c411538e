"""The salary bands page: the matrix in force per scope (tenant-wide and each
client bureau with a table of its own), every version, and the 5 × 5 form to
add or correct a version."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import StaffRole
from service.bureaus import directory
from service.database.ids import id_of
from service.payroll.bands import actions
from service.payroll.bands.models import SalaryBandTable
from service.payroll.bands.queries import bureaus_with_workers
from service.payroll.bands.rules import (
    COMPONENTS,
    RATINGS,
    BandCell,
    BandInputErrors,
    band_in_force,
    cell_field,
    form_fields,
    parse_band_form,
)
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.models import GRADES
from tenants.isolation import TenantSession

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)


def _matrix(cells: list[BandCell]) -> dict[tuple[int, str], BandCell]:
    return {(c.grade, c.rating.value): c for c in cells}


def _scopes(db: TenantSession, versions: list[SalaryBandTable], today: date) -> list[dict[str, Any]]:
    """One entry per scope: tenant-wide first, then each bureau with versions of its own."""
    keys: dict[int | None, str | None] = {None: None}  # bureau id -> name, in the versions' order
    for v in versions:
        keys.setdefault(v.bureau_id, v.client_bureau)
    scopes: list[dict[str, Any]] = []  # the page's rows: bureau (its name), current version, history, cells
    for bureau_id, name in keys.items():
        history = [v for v in versions if v.bureau_id == bureau_id]
        current = band_in_force(history, bureau_id, today) if history else None
        scopes.append({"bureau": name, "current": current, "history": history})
    cells = actions.cells_of_tables(db, [id_of(s["current"]) for s in scopes if s["current"]])  # one query
    for scope in scopes:
        scope["cells"] = _matrix(cells[scope["current"].id]) if scope["current"] else {}
    return scopes


def _values_from(table: SalaryBandTable | None, cells: list[BandCell], **extra: str) -> dict[str, str]:
    values = dict.fromkeys(form_fields(), "")
    if table is not None:
        values.update(
            effective_from=table.effective_from.isoformat(),
            note=table.note,
            client_bureau=table.client_bureau or "",
            performance_base="" if table.performance_base is None else str(table.performance_base),
        )
    for c in cells:
        for component in COMPONENTS:
            amount = getattr(c, component)
            values[cell_field(c.grade, c.rating, component)] = "" if amount is None else str(amount)
    values.update(extra)
    return values


def _form(
    request: Request,
    db: TenantSession,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    edit: SalaryBandTable | None,
    source: SalaryBandTable | None = None,
) -> Response:
    return page(
        request,
        "payroll/band_form.html",
        values=values,
        errors=errors,
        edit=edit,
        source=source,
        bureaus=bureaus_with_workers(db),
        grades=GRADES,
        ratings=RATINGS,
        cell_field=cell_field,
    )


def _errors(refused: RefusedForm, ctx: RequestContext) -> dict[str, str]:
    """Every cell's problem beside its cell: a band table's refusal carries them all."""
    error = refused.error
    return translated_errors(error.errors, ctx.translate) if isinstance(error, BandInputErrors) else refused.errors


def _version(db: TenantSession, ctx: RequestContext, table_id: int) -> SalaryBandTable:
    table = actions.get_version(db, table_id)
    if table is None:
        raise NotFoundException()
    return table


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _form(request, db, values=refused.values(form_fields()), errors=_errors(refused, ctx), edit=None)


def _correction_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    table = _version(db, ctx, request.path_params["table_id"])
    values = refused.values(form_fields()) | {"client_bureau": table.client_bureau or ""}
    return _form(request, db, values=values, errors=_errors(refused, ctx), edit=table)


class SalaryBandsController(Controller):
    path = "/salary-bands"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        today = clock.today()
        scopes = _scopes(db, actions.all_versions(db), today)
        return page(
            request,
            "payroll/bands.html",
            scopes=scopes,
            today=today,
            grades=GRADES,
            ratings=RATINGS,
            can_edit=ctx.has_role(*EDITORS),
            default_rating=actions.DEFAULT_RATING,
            done=request.query_params.get("done", ""),
        )

    @get("/new", opt=allow(*EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        """The form, prefilled from the version in force today for the scope asked for
        (``?client_bureau=``), or the tenant-wide one when the bureau has none."""
        bureau = request.query_params.get("client_bureau", "").strip()[:80] or None
        record = directory.bureau_by_name(db, bureau) if bureau else None
        source = band_in_force(actions.all_versions(db), record.id if record else None, clock.today())
        cells = actions.cells_of(db, id_of(source)) if source else []
        base = source.performance_base if source is not None else None
        values = _values_from(None, cells, client_bureau=bureau or "", performance_base="" if base is None else str(base))
        return _form(request, db, values=values, errors={}, edit=None, source=source)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        band_input = parse_band_form({f: field_text(data, f) for f in form_fields()}, directory.load_assignments(db).bureaus)
        table = actions.create_version(db, band_input, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/salary-bands?done=added#version-{table.id}"))

    @get("/{table_id:int}/edit", opt=allow(*EDITORS), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, table_id: FromPath[int]) -> Response:
        table = _version(db, ctx, table_id)
        return _form(request, db, values=_values_from(table, actions.cells_of(db, id_of(table))), errors={}, edit=table)

    @post("/{table_id:int}", opt=allow(*EDITORS) | shown_again_by(_correction_refused), sync_to_thread=True)
    def correct(self, ctx: RequestCtx, db: TenantDb, table_id: FromPath[int], data: FormData) -> Response:
        table = _version(db, ctx, table_id)
        values = {f: field_text(data, f) for f in form_fields()} | {
            "client_bureau": table.client_bureau or ""
        }  # the scope stays
        scope = {table.client_bureau: table.bureau_id} if table.client_bureau and table.bureau_id else {}
        actions.correct_version(db, table, parse_band_form(values, scope), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/salary-bands?done=corrected#version-{table_id}"))
