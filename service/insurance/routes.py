"""The insurance page: each city's policy in force and its history, with the
figures the reference disputes marked; the tenant's housing-fund and
work-injury rates per city; and one worker's monthly contributions."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery

from service import clock
from service.accounts.models import StaffRole
from service.cities.names import CITY_NAMES
from service.errors import N_
from service.insurance import actions, store
from service.insurance.inputs import RATE_PLACES, parse_contribution_base, parse_rates
from service.insurance.models import InsurancePolicy
from service.insurance.worker_contributions import (
    CEILING,
    CITY_AVERAGE,
    DECLARED,
    FLOOR,
    WITHIN,
    WORK_INJURY_RATES,
    percent,
    preview_for_worker,
)
from service.money import Rounding
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.workforce.models import Worker
from service.workforce.roster.queries import get_worker
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
WRITERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)

ROUNDING_LABELS = {
    Rounding.FEN_HALF_UP: N_("To the fen, half up"),
    Rounding.JIAO_UP: N_("Up to the jiao (见分进角)"),
    Rounding.YUAN_HALF_UP: N_("To the yuan, half up"),
    Rounding.YUAN_UP: N_("Up to the yuan"),
}
ITEM_LABELS = {
    "pension": N_("Pension"),
    "medical": N_("Medical"),
    "unemployment": N_("Unemployment"),
    "maternity": N_("Maternity"),
    "work_injury": N_("Work injury"),
    "housing_fund": N_("Housing fund"),
}
REASONS = {
    FLOOR: N_("raised to the lower limit {limit}"),
    CEILING: N_("cut to the upper limit {limit}"),
    WITHIN: N_("within the limits"),
}
SOURCES = {
    DECLARED: N_("the worker's declared contribution base"),
    CITY_AVERAGE: N_("the city's previous-year average monthly wage (no base declared)"),
}

# Which figures a ``disputed`` note is about, by the words it starts its parts with.
_DISPUTE_KEYWORDS = {
    "effective": "effective",
    "medical": "medical",
    "unemployment": "unemployment",
    "housing-fund": "housing_fund",
    "rounding": "rounding",
    "work-injury": "work_injury",
}


def disputed_figures(notes: tuple[str, ...]) -> dict[str, list[str]]:
    """{figure key: its notes}: a note naming several figures marks each."""
    marked: dict[str, list[str]] = {}
    for note in notes:
        text = note.lower()
        for word, key in _DISPUTE_KEYWORDS.items():
            if word in text:
                marked.setdefault(key, []).append(note)
    return marked


def _version(row: InsurancePolicy) -> dict[str, Any]:
    policy = store.policy_of(row)
    return {
        "id": row.id,
        "policy": policy,
        "source": row.source,
        "disputed": disputed_figures(policy.disputed),
        "items": [(name, scheme) for name, scheme in policy.schemes()],
    }


def _cities(rows: list[InsurancePolicy], settings: dict, today: date) -> list[dict[str, Any]]:
    known = list(CITY_NAMES)
    codes = sorted({r.city for r in rows}, key=lambda c: (known.index(c) if c in known else len(known), c))
    cities = []
    for code in codes:
        history = [_version(r) for r in rows if r.city == code]  # newest first
        current = next((v for v in history if v["policy"].effective <= today), None)
        cities.append(
            {
                "code": code,
                "name": CITY_NAMES.get(code),
                "current": current,
                "history": history,
                "setting": settings.get(code),
            }
        )
    return cities


def _render(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    form_city: str = "",
    values: dict | None = None,
    errors: dict | None = None,
) -> Response:
    today = clock.today()
    return page(
        request,
        "insurance/index.html",
        cities=_cities(store.all_versions(db), actions.all_settings(db), today),
        today=today,
        can_edit=ctx.has_role(*WRITERS),
        form_city=form_city,
        values=values or {},
        errors=errors or {},
        pct=percent,
        rounding_labels=ROUNDING_LABELS,
        item_labels=ITEM_LABELS,
        injury_range=WORK_INJURY_RATES,
        done=request.query_params.get("done", ""),
    )


def _rates_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    city = request.path_params["city"]
    return _render(request, ctx, db, form_city=city, values=refused.values(tuple(RATE_PLACES)), errors=refused.errors)


def _base_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    worker_id = request.path_params["worker_id"]
    return _preview(
        request, ctx, db, worker_id, clock.today(), base_value=refused.text("contribution_base"), base_errors=refused.errors
    )


class InsuranceController(Controller):
    path = "/insurance"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _render(request, ctx, db)

    @post("/settings/{city:str}", opt=allow(*WRITERS) | shown_again_by(_rates_refused), sync_to_thread=True)
    def set_rates(self, ctx: RequestCtx, db: TenantDb, city: FromPath[str], data: FormData) -> Response:
        rates = parse_rates({f: field_text(data, f) for f in RATE_PLACES})
        if store.row_in_force(db, city, clock.today()) is None:
            raise NotFoundException()
        actions.set_rates(db, city, rates["housing_fund_rate"], rates["work_injury_rate"], actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/insurance?done=rates#city-{city}"))

    @get("/preview", opt=allow(*READERS), sync_to_thread=True)
    def preview(
        self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromQuery[int], on: FromQuery[date | None] = None
    ) -> Response:
        return _preview(request, ctx, db, worker_id, on or clock.today())

    @post("/workers/{worker_id:int}/base", opt=allow(*WRITERS) | shown_again_by(_base_refused), sync_to_thread=True)
    def set_base(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        base = parse_contribution_base(field_text(data, "contribution_base"))
        actions.set_contribution_base(db, _worker(db, ctx, worker_id), base, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/insurance/preview?worker_id={worker_id}&done=base"))


def _worker(db: TenantSession, ctx: RequestContext, worker_id: int) -> Worker:
    worker = get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _preview(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    worker_id: int,
    on: date,
    *,
    base_value: str | None = None,
    base_errors: dict | None = None,
) -> Response:
    worker = _worker(db, ctx, worker_id)
    result, problem = preview_for_worker(db, worker, on)
    if base_value is None:
        base_value = "" if worker.contribution_base is None else str(worker.contribution_base)
    return page(
        request,
        "insurance/preview.html",
        worker=worker,
        on=on,
        result=result,
        problem=None if problem is None else ctx.translate.error(problem),
        city_name=CITY_NAMES.get(worker.city or ""),
        can_edit=ctx.has_role(*WRITERS),
        pct=percent,
        item_labels=ITEM_LABELS,
        reasons=REASONS,
        sources=SOURCES,
        rounding_labels=ROUNDING_LABELS,
        base_value=base_value,
        base_errors=base_errors or {},
        done=request.query_params.get("done", ""),
    )
