"""The cities page: each city's figures in force today and their history;
the admin adds a version or corrects one.  Each version says when a new
hire's housing fund starts, with what that means for the payroll."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF, StaffRole
from service.cities import actions
from service.cities.housing_fund import DEFAULT_START, START_EXPLANATIONS, START_LABELS
from service.cities.models import CityParameter
from service.cities.names import CITY_NAMES
from service.cities.reference import version_in_force
from service.cities.version_input import AMOUNT_FIELDS, FIELDS, parse_city_version
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

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
        "housing_fund_start": parameter.housing_fund_start,
    }


def _cities_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    added: RefusedForm | None = None,
    corrected: RefusedForm | None = None,
    corrected_id: int | None = None,
) -> Response:
    """The page, with the add form or one version's correction form showing what was refused."""
    today = clock.today()
    return page(
        request,
        "cities/index.html",
        cities=_cities(actions.all_versions(db), today),
        today=today,
        city_names=CITY_NAMES,
        start_labels={s.value: label for s, label in START_LABELS.items()},
        start_explanations={s.value: text for s, text in START_EXPLANATIONS.items()},
        default_start=DEFAULT_START.value,
        can_edit=ctx.has_role(*EDITORS),
        values_of=_values,
        add_values=added.values(FIELDS) if added else {},
        add_errors=added.errors if added else {},
        edit_id=corrected_id,
        edit_values=corrected.values(FIELDS) if corrected else {},
        edit_errors=corrected.errors if corrected else {},
        done=request.query_params.get("done", ""),
    )


def _add_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _cities_page(request, ctx, db, added=refused)


def _correction_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _cities_page(request, ctx, db, corrected=refused, corrected_id=request.path_params["parameter_id"])


class CitiesController(Controller):
    path = "/cities"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _cities_page(request, ctx, db)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_add_refused), sync_to_thread=True)
    def add(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        version = parse_city_version({f: field_text(data, f) for f in FIELDS})
        actions.add_version(db, version, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/cities?done=added#city-{version.city}"))

    @post("/{parameter_id:int}", opt=allow(*EDITORS) | shown_again_by(_correction_refused), sync_to_thread=True)
    def correct(self, ctx: RequestCtx, db: TenantDb, parameter_id: FromPath[int], data: FormData) -> Response:
        parameter = actions.get_version(db, parameter_id)
        if parameter is None:
            raise NotFoundException()
        # The city is fixed by the version being corrected, whatever the form says.
        values = {f: field_text(data, f) for f in FIELDS} | {"city": parameter.city}
        actions.correct_version(db, parameter, parse_city_version(values), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/cities?done=corrected#city-{parameter.city}"))
