"""The cities page: each city's figures in force today and their history;
the admin adds a version or corrects one."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF, StaffRole
from service.cities import actions
from service.cities.models import CityParameter
from service.cities.names import CITY_NAMES
from service.cities.reference import version_in_force
from service.cities.version_input import AMOUNT_FIELDS, FIELDS, CityInputErrors, parse_city_version
from service.errors import DomainError
from service.web.access import allow
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from tenants.isolation import tenant_session

EDITORS = (StaffRole.ADMIN,)


def _cities(versions: list[CityParameter], today: date) -> list[dict[str, Any]]:
    """One entry per city (the known four first), with the version in force today and the history."""
    known = list(CITY_NAMES)
    codes = sorted({v.city for v in versions}, key=lambda c: (known.index(c) if c in known else len(known), c))
    cities = []
    for code in codes:
        history = [v for v in versions if v.city == code]  # newest first
        current_figures = version_in_force([actions.figures(v) for v in history], code, today)
        current = next((v for v in history if current_figures and v.effective_from == current_figures.effective_from), None)
        cities.append({"code": code, "name": CITY_NAMES.get(code), "current": current, "history": history})
    return cities


def _values(parameter: CityParameter) -> dict[str, str]:
    return {
        "city": parameter.city,
        "effective_from": parameter.effective_from.isoformat(),
        **{f: str(getattr(parameter, f)) for f in AMOUNT_FIELDS},
        "source": parameter.source,
    }


def _render(
    request: Request,
    *,
    status: int = 200,
    add_values: dict | None = None,
    add_errors: dict | None = None,
    edit_id: int | None = None,
    edit_values: dict | None = None,
    edit_errors: dict | None = None,
) -> Response:
    ctx = request.state.ctx
    today = clock.today()
    with tenant_session(ctx.tenant_id) as db:
        versions = actions.all_versions(db, ctx.tenant_id)
    return page(
        request,
        "cities/index.html",
        status=status,
        cities=_cities(versions, today),
        today=today,
        city_names=CITY_NAMES,
        can_edit=ctx.has_role(*EDITORS),
        values_of=_values,
        add_values=add_values or {},
        add_errors=add_errors or {},
        edit_id=edit_id,
        edit_values=edit_values or {},
        edit_errors=edit_errors or {},
        done=request.query_params.get("done", ""),
    )


def _errors(problems: CityInputErrors | DomainError, request: Request) -> dict[str, str]:
    errors = problems.errors if isinstance(problems, CityInputErrors) else [problems]
    return translated_errors(errors, request.state.ctx.translate)


class CitiesController(Controller):
    path = "/cities"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return _render(request)

    @post("/", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def add(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in FIELDS}
        try:
            version = parse_city_version(values)
            with tenant_session(ctx.tenant_id) as db:
                actions.add_version(db, ctx.tenant_id, ctx.actor, version)
        except (CityInputErrors, DomainError) as problems:
            return _render(request, status=400, add_values=values, add_errors=_errors(problems, request))
        return see_other(ctx.tenant_path(f"/cities?done=added#city-{version.city}"))

    @post("/{parameter_id:int}", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def correct(self, request: Request, parameter_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in FIELDS if f != "city"}
        try:
            with tenant_session(ctx.tenant_id) as db:
                parameter = actions.get_version(db, ctx.tenant_id, parameter_id)
                if parameter is None:
                    raise NotFoundException()
                values["city"] = parameter.city
                actions.correct_version(db, ctx.tenant_id, ctx.actor, parameter, parse_city_version(values))
        except (CityInputErrors, DomainError) as problems:
            return _render(
                request, status=400, edit_id=parameter_id, edit_values=values, edit_errors=_errors(problems, request)
            )
        return see_other(ctx.tenant_path(f"/cities?done=corrected#city-{values['city']}"))
