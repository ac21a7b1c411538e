"""The insurance page: each city's policy in force and its history, with the
figures the reference disputes marked; the tenant's housing-fund and
work-injury rates per city; and one worker's monthly contributions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.cities.names import CITY_NAMES
from service.errors import N_, DomainError
from service.insurance import actions, store
from service.insurance.models import InsurancePolicy
from service.insurance.worker_contributions import (
    CEILING,
    CITY_AVERAGE,
    DECLARED,
    FLOOR,
    WITHIN,
    WORK_INJURY_RATES,
    for_worker,
    percent,
)
from service.money import Rounding, parse_yuan
from service.web.access import allow
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from service.workforce.models import Worker
from tenants.isolation import tenant_session

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
    request: Request, *, status: int = 200, form_city: str = "", values: dict | None = None, errors: dict | None = None
) -> Response:
    ctx = request.state.ctx
    today = clock.today()
    with tenant_session(ctx.tenant_id) as db:
        rows = store.all_versions(db, ctx.tenant_id)
        settings = actions.all_settings(db, ctx.tenant_id)
    return page(
        request,
        "insurance/index.html",
        status=status,
        cities=_cities(rows, settings, today),
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


def parse_percent(text: str, field: str, places: int) -> Decimal | None:
    """'7' or '7%' -> 0.07; blank -> None (not chosen)."""
    cleaned = text.strip().rstrip("%％").strip()
    if not cleaned:
        return None
    try:
        value = Decimal(cleaned)
        exact = value.is_finite() and value == round(value, places)
    except ArithmeticError:  # Decimal() and round() refuse "x" and "1e999999"
        exact = False
    if not exact:
        raise DomainError(N_("Enter a percentage, such as 7 or 0.2."), field=field)
    return value / 100


class InsuranceController(Controller):
    path = "/insurance"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return _render(request)

    @post("/settings/{city:str}", opt=allow(*WRITERS), sync_to_thread=True)
    def set_rates(self, request: Request, city: FromPath[str], data: FormData) -> Response:
        ctx = request.state.ctx
        values = {f: field_text(data, f) for f in ("housing_fund_rate", "work_injury_rate")}
        problems: list[DomainError] = []
        rates: dict[str, Decimal | None] = {}
        for field, places in (("housing_fund_rate", 2), ("work_injury_rate", 3)):
            try:
                rates[field] = parse_percent(values[field], field, places)
            except DomainError as error:
                problems.append(error)
        try:
            if problems:
                raise actions.RateErrors(problems)
            with tenant_session(ctx.tenant_id) as db:
                if store.row_in_force(db, ctx.tenant_id, city, clock.today()) is None:
                    raise NotFoundException()
                actions.set_rates(db, ctx.tenant_id, ctx.actor, city, rates["housing_fund_rate"], rates["work_injury_rate"])
        except (actions.RateErrors, DomainError) as failure:
            errors = failure.errors if isinstance(failure, actions.RateErrors) else [failure]
            return _render(request, status=400, form_city=city, values=values, errors=translated_errors(errors, ctx.translate))
        return see_other(ctx.tenant_path(f"/insurance?done=rates#city-{city}"))

    @get("/preview", opt=allow(*READERS), sync_to_thread=True)
    def preview(self, request: Request, worker_id: FromQuery[int], on: FromQuery[date | None] = None) -> Response:
        return _preview(request, worker_id, on or clock.today())

    @post("/workers/{worker_id:int}/base", opt=allow(*WRITERS), sync_to_thread=True)
    def set_base(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        text = field_text(data, "contribution_base")
        try:
            try:
                base = parse_yuan(text) if text else None
            except ValueError:
                raise DomainError(N_("Enter an amount in yuan, such as 6500 or 6500.50."), field="contribution_base") from None
            with tenant_session(ctx.tenant_id) as db:
                worker = _worker(db, ctx.tenant_id, worker_id)
                actions.set_contribution_base(db, ctx.tenant_id, ctx.actor, worker, base)
        except DomainError as error:
            return _preview(
                request,
                worker_id,
                clock.today(),
                status=400,
                base_value=text,
                base_errors=translated_errors([error], ctx.translate),
            )
        return see_other(ctx.tenant_path(f"/insurance/preview?worker_id={worker_id}&done=base"))


def _worker(db, tenant_id, worker_id: int) -> Worker:
    worker = db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id == worker_id)).first()
    if worker is None:
        raise NotFoundException()
    return worker


def _preview(
    request: Request,
    worker_id: int,
    on: date,
    *,
    status: int = 200,
    base_value: str | None = None,
    base_errors: dict | None = None,
) -> Response:
    ctx = request.state.ctx
    result, problem = None, None
    with tenant_session(ctx.tenant_id) as db:
        worker = _worker(db, ctx.tenant_id, worker_id)
        try:
            result = for_worker(db, ctx.tenant_id, worker, on)
        except DomainError as error:
            problem = ctx.translate.error(error)
    if base_value is None:
        base_value = "" if worker.contribution_base is None else str(worker.contribution_base)
    return page(
        request,
        "insurance/preview.html",
        status=status,
        worker=worker,
        on=on,
        result=result,
        problem=problem,
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
