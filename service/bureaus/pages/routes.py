"""Pages for client bureaus, their units and the establishment offices.  Service agreements
(``bureaus/agreements/routes.py``) and monthly statements (``bureaus/statements/routes.py``) have their
own pages; the roles all three use are named in ``bureaus/access.py``.  Controllers parse, call the
actions, render; every handler declares who may call it, and a refused form is shown again by its
renderer (``service/web/refusals.py``)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.bureaus import actions, directory
from service.bureaus.access import AGREEMENT_EDITORS, BUREAU_EDITORS, STATEMENT_READERS, bureau_or_404
from service.bureaus.agreements import queries as agreements
from service.bureaus.bureau_input import parse_bureau, parse_office, parse_unit
from service.bureaus.models import (
    AGREEMENT_LABELS,
    STATEMENT_LABELS,
    UNIT_KIND_LABELS,
    BureauUnit,
    ClientBureau,
    EstablishmentOffice,
    UnitKind,
)
from service.bureaus.statements import queries as statements
from service.cities.names import CITY_NAMES
from service.database.ids import id_of
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

BUREAU_FIELDS = ("name", "city", "contact_name", "contact_phone", "contact_email", "address", "establishment_office_id")
UNIT_FIELDS = ("name", "kind", "city", "contact_name", "contact_phone", "contact_email", "address")
OFFICE_FIELDS = ("name", "city", "contact_name", "contact_phone", "contact_email", "address")

_COMMON: dict[str, Any] = {"cities": CITY_NAMES, "unit_kinds": list(UnitKind), "unit_kind_labels": UNIT_KIND_LABELS}


def _unit_or_404(db: TenantSession, ctx: RequestContext, bureau_id: int, unit_id: int) -> BureauUnit:
    unit = directory.get_unit(db, unit_id)
    if unit is None or unit.bureau_id != bureau_id:
        raise NotFoundException()
    return unit


def _office_or_404(db: TenantSession, ctx: RequestContext, office_id: int) -> EstablishmentOffice:
    office = directory.get_office(db, office_id)
    if office is None:
        raise NotFoundException()
    return office


# ---------------------------------------------------------------------- pages (each also shows a refused form)


def _bureau_form(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    bureau: ClientBureau | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "bureaus/bureau_form.html",
        bureau=bureau,
        values=values,
        errors=errors or {},
        offices=directory.offices(db),
        **_COMMON,
    )


def _bureau_page(
    request: Request, ctx: RequestContext, db: TenantSession, bureau_id: int, unit_form: RefusedForm | None = None
) -> Response:
    today = clock.today()
    bureau = bureau_or_404(db, ctx, bureau_id)
    office = directory.get_office(db, bureau.establishment_office_id) if bureau.establishment_office_id else None
    return page(
        request,
        "bureaus/bureau_detail.html",
        bureau=bureau,
        units=directory.units_of(db, id_of(bureau)),
        office=office,
        agreements=agreements.agreements_of(db, id_of(bureau)),
        workforce=next((r for r in directory.workforce_rows(db, today) if r.bureau_id == bureau.id), None),
        statements=statements.statements_of(db, bureau.id) if ctx.has_role(*STATEMENT_READERS) else [],
        today=today,
        can_edit=ctx.has_role(*BUREAU_EDITORS),
        can_edit_agreements=ctx.has_role(*AGREEMENT_EDITORS),
        agreement_labels=AGREEMENT_LABELS,
        statement_labels=STATEMENT_LABELS,
        unit_values=unit_form.values(UNIT_FIELDS) if unit_form else {},
        unit_errors=unit_form.errors if unit_form else {},
        notice=request.query_params.get("notice", ""),
        **_COMMON,
    )


def _unit_form(
    request: Request,
    bureau: ClientBureau,
    unit: BureauUnit,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    return page(request, "bureaus/unit_form.html", bureau=bureau, unit=unit, values=values, errors=errors or {}, **_COMMON)


def _offices_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
    office: EstablishmentOffice | None = None,
) -> Response:
    return page(
        request,
        "bureaus/offices.html",
        offices=directory.offices(db),
        values=values,
        errors=errors or {},
        office=office,
        can_edit=ctx.has_role(*BUREAU_EDITORS),
        **_COMMON,
    )


def _new_bureau_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _bureau_form(request, ctx, db, None, refused.values(BUREAU_FIELDS), refused.errors)


def _bureau_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    bureau = bureau_or_404(db, ctx, request.path_params["bureau_id"])
    return _bureau_form(request, ctx, db, bureau, refused.values(BUREAU_FIELDS), refused.errors)


def _new_unit_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _bureau_page(request, ctx, db, request.path_params["bureau_id"], unit_form=refused)


def _unit_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    bureau_id = request.path_params["bureau_id"]
    unit = _unit_or_404(db, ctx, bureau_id, request.path_params["unit_id"])
    return _unit_form(request, bureau_or_404(db, ctx, bureau_id), unit, refused.values(UNIT_FIELDS), refused.errors)


def _new_office_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _offices_page(request, ctx, db, refused.values(OFFICE_FIELDS), refused.errors)


def _office_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    office = directory.get_office(db, request.path_params["office_id"])
    return _offices_page(request, ctx, db, refused.values(OFFICE_FIELDS), refused.errors, office=office)


class BureausController(Controller):
    path = "/bureaus"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return page(
            request,
            "bureaus/index.html",
            bureaus=directory.bureaus(db),
            counts=directory.worker_counts(db),
            offices={o.id: o for o in directory.offices(db)},
            can_edit=ctx.has_role(*BUREAU_EDITORS),
            **_COMMON,
        )

    @get("/new", opt=allow(*BUREAU_EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _bureau_form(request, ctx, db, None, {})

    @post("/", opt=allow(*BUREAU_EDITORS) | shown_again_by(_new_bureau_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        parsed = parse_bureau({f: field_text(data, f) for f in BUREAU_FIELDS})
        bureau = actions.create_bureau(db, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau.id}?notice=created"))

    @get("/{bureau_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int]) -> Response:
        return _bureau_page(request, ctx, db, bureau_id)

    @get("/{bureau_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int]) -> Response:
        bureau = bureau_or_404(db, ctx, bureau_id)
        return _bureau_form(request, ctx, db, bureau, {f: getattr(bureau, f) for f in BUREAU_FIELDS})

    @post("/{bureau_id:int}", opt=allow(*BUREAU_EDITORS) | shown_again_by(_bureau_refused), sync_to_thread=True)
    def update(self, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int], data: FormData) -> Response:
        bureau = bureau_or_404(db, ctx, bureau_id)  # before parsing: a refused form is shown again with its bureau
        actions.update_bureau(db, bureau, parse_bureau({f: field_text(data, f) for f in BUREAU_FIELDS}), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=saved"))

    # ---------------------------------------------------------- units

    @post("/{bureau_id:int}/units", opt=allow(*BUREAU_EDITORS) | shown_again_by(_new_unit_refused), sync_to_thread=True)
    def add_unit(self, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int], data: FormData) -> Response:
        bureau = bureau_or_404(db, ctx, bureau_id)
        actions.create_unit(db, bureau, parse_unit({f: field_text(data, f) for f in UNIT_FIELDS}), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=created#units"))

    @get("/{bureau_id:int}/units/{unit_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True)
    def edit_unit(
        self, request: Request, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int], unit_id: FromPath[int]
    ) -> Response:
        unit = _unit_or_404(db, ctx, bureau_id, unit_id)
        values = {f: getattr(unit, f) for f in UNIT_FIELDS} | {"kind": unit.kind.value}
        return _unit_form(request, bureau_or_404(db, ctx, bureau_id), unit, values)

    @post(
        "/{bureau_id:int}/units/{unit_id:int}", opt=allow(*BUREAU_EDITORS) | shown_again_by(_unit_refused), sync_to_thread=True
    )
    def update_unit(
        self, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int], unit_id: FromPath[int], data: FormData
    ) -> Response:
        unit = _unit_or_404(db, ctx, bureau_id, unit_id)
        actions.update_unit(db, unit, parse_unit({f: field_text(data, f) for f in UNIT_FIELDS}), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=saved#units"))

    # ---------------------------------------------------------- establishment offices

    @get("/offices", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def offices(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _offices_page(request, ctx, db, {})

    @post("/offices", opt=allow(*BUREAU_EDITORS) | shown_again_by(_new_office_refused), sync_to_thread=True)
    def create_office(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        actions.create_office(db, parse_office({f: field_text(data, f) for f in OFFICE_FIELDS}), actor=ctx.actor)
        return see_other(ctx.tenant_path("/bureaus/offices?notice=created"))

    @get("/offices/{office_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True)
    def edit_office(self, request: Request, ctx: RequestCtx, db: TenantDb, office_id: FromPath[int]) -> Response:
        office = _office_or_404(db, ctx, office_id)
        return _offices_page(request, ctx, db, {f: getattr(office, f) for f in OFFICE_FIELDS}, office=office)

    @post("/offices/{office_id:int}", opt=allow(*BUREAU_EDITORS) | shown_again_by(_office_refused), sync_to_thread=True)
    def update_office(self, ctx: RequestCtx, db: TenantDb, office_id: FromPath[int], data: FormData) -> Response:
        parsed = parse_office({f: field_text(data, f) for f in OFFICE_FIELDS})
        actions.update_office(db, _office_or_404(db, ctx, office_id), parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path("/bureaus/offices?notice=saved"))
