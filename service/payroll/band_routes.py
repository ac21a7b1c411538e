"""The salary bands page: the matrix in force per scope (tenant-wide and each
client bureau with a table of its own), every version, and the 5 × 5 form to
add or correct a version."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.errors import DomainError
from service.payroll import band_actions as actions
from service.payroll.band_models import SalaryBandTable
from service.payroll.salary_bands import (
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
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from service.workforce.models import GRADES, Worker
from tenants.isolation import tenant_session

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)


def _matrix(cells: list[BandCell]) -> dict[tuple[int, str], BandCell]:
    return {(c.grade, c.rating.value): c for c in cells}


def _scopes(db, tenant_id, versions: list[SalaryBandTable], today: date) -> list[dict[str, Any]]:
    """One entry per scope: tenant-wide first, then each bureau with versions of its own."""
    keys: list[str | None] = []
    for v in versions:
        if v.client_bureau not in keys:
            keys.append(v.client_bureau)
    if None in keys:
        keys.remove(None)
    keys.insert(0, None)
    scopes = []
    for bureau in keys:
        history = [v for v in versions if v.client_bureau == bureau]
        current = band_in_force(history, bureau, today) if history else None
        scopes.append({"bureau": bureau, "current": current, "history": history})
    cells = actions.cells_of_tables(db, tenant_id, [s["current"].id for s in scopes if s["current"]])  # one query
    for scope in scopes:
        scope["cells"] = _matrix(cells[scope["current"].id]) if scope["current"] else {}
    return scopes


def _bureaus(db, tenant_id) -> list[str]:
    return sorted(db.exec(select(Worker.client_bureau).where(Worker.tenant_id == tenant_id).distinct()).all())


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
    *,
    values: dict[str, str],
    errors: dict[str, str],
    edit: SalaryBandTable | None,
    status: int = 200,
    source: SalaryBandTable | None = None,
) -> Response:
    ctx = request.state.ctx
    with tenant_session(ctx.tenant_id) as db:
        bureaus = _bureaus(db, ctx.tenant_id)
    return page(
        request,
        "payroll/band_form.html",
        status=status,
        values=values,
        errors=errors,
        edit=edit,
        source=source,
        bureaus=bureaus,
        grades=GRADES,
        ratings=RATINGS,
        cell_field=cell_field,
    )


def _errors(problems: DomainError, request: Request) -> dict[str, str]:
    errors = problems.errors if isinstance(problems, BandInputErrors) else [problems]
    return translated_errors(errors, request.state.ctx.translate)


class SalaryBandsController(Controller):
    path = "/salary-bands"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        ctx = request.state.ctx
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            versions = actions.all_versions(db, ctx.tenant_id)
            scopes = _scopes(db, ctx.tenant_id, versions, today)
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
    def new(self, request: Request) -> Response:
        """The form, prefilled from the version in force today for the scope asked for
        (``?client_bureau=``), or the tenant-wide one when the bureau has none."""
        ctx = request.state.ctx
        bureau = request.query_params.get("client_bureau", "").strip()[:80] or None
        with tenant_session(ctx.tenant_id) as db:
            source = band_in_force(actions.all_versions(db, ctx.tenant_id), bureau, clock.today())
            cells = actions.cells_of(db, ctx.tenant_id, source.id) if source else []
        base = source.performance_base if source is not None else None
        values = _values_from(None, cells, client_bureau=bureau or "", performance_base="" if base is None else str(base))
        return _form(request, values=values, errors={}, edit=None, source=source)

    @post("/", opt=allow(*EDITORS), sync_to_thread=True)
    def create(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in form_fields()}
        try:
            band_input = parse_band_form(values)
            with tenant_session(ctx.tenant_id) as db:
                table = actions.create_version(db, ctx.tenant_id, ctx.actor, band_input)
        except DomainError as problems:
            return _form(request, status=400, values=values, errors=_errors(problems, request), edit=None)
        return see_other(ctx.tenant_path(f"/salary-bands?done=added#version-{table.id}"))

    @get("/{table_id:int}/edit", opt=allow(*EDITORS), sync_to_thread=True)
    def edit(self, request: Request, table_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            table = actions.get_version(db, ctx.tenant_id, table_id)
            if table is None:
                raise NotFoundException()
            cells = actions.cells_of(db, ctx.tenant_id, table.id)
        return _form(request, values=_values_from(table, cells), errors={}, edit=table)

    @post("/{table_id:int}", opt=allow(*EDITORS), sync_to_thread=True)
    def correct(self, request: Request, table_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in form_fields()}
        with tenant_session(ctx.tenant_id) as db:
            table = actions.get_version(db, ctx.tenant_id, table_id)
        if table is None:
            raise NotFoundException()
        values["client_bureau"] = table.client_bureau or ""  # the scope stays
        try:
            band_input = parse_band_form(values)
            with tenant_session(ctx.tenant_id) as db:
                table = actions.get_version(db, ctx.tenant_id, table_id)
                actions.correct_version(db, ctx.tenant_id, ctx.actor, table, band_input)
        except DomainError as problems:
            return _form(request, status=400, values=values, errors=_errors(problems, request), edit=table)
        return see_other(ctx.tenant_path(f"/salary-bands?done=corrected#version-{table_id}"))
