"""The worker's page (the roster entry with the worker's contracts and
records) and adding training, certificate and discipline records from it.

The forms sit on the worker's page; a refused form comes back on a page of
its own with each message next to its field and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.cities.names import CITY_NAMES
from service.database.ids import id_of
from service.dates import parse_date
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import FormRenderer, RefusedForm, shown_again_by
from service.workforce.access import EDITORS
from service.workforce.bank_accounts.routes import worker_page_account
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.state import STATE_BADGES, STATE_LABELS, contract_state
from service.workforce.daily_models import DAILY_LABELS, DisciplineKind, TrainingResult
from service.workforce.models import LABELS, Worker
from service.workforce.records import actions as training
from service.workforce.records.input import (
    CERTIFICATE_FIELDS,
    DISCIPLINE_FIELDS,
    TRAINING_FIELDS,
    parse_certificate,
    parse_discipline,
    parse_training,
)
from service.workforce.roster import actions as roster_actions
from service.workforce.roster import queries as roster
from service.workforce.roster.routes import id_number_for
from tenants.isolation import TenantSession

KINDS: dict[str, tuple[tuple[str, ...], Callable, Callable, str]] = {
    "training": (TRAINING_FIELDS, parse_training, training.add_training, "training"),
    "certificates": (CERTIFICATE_FIELDS, parse_certificate, training.add_certificate, "certificates"),
    "discipline": (DISCIPLINE_FIELDS, parse_discipline, training.add_discipline, "discipline"),
}


def form_context() -> dict[str, Any]:
    """What the forms' menus need (the same names as ``training.WorkerRecords``)."""
    return {"labels": DAILY_LABELS, "training_results": list(TrainingResult), "discipline_kinds": list(DisciplineKind)}


def _load(db: TenantSession, worker_id: int) -> Worker:
    worker = roster.get_worker(db, worker_id)
    if worker is None:
        raise NotFoundException()
    return worker


def _shown_again(kind: str) -> FormRenderer:
    """How a refused record of ``kind`` comes back: on a page of its own, each message beside its field."""
    fields = KINDS[kind][0]

    def render(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
        return page(
            request,
            "workforce/record_form.html",
            kind=kind,
            worker=_load(db, request.path_params["worker_id"]),
            values=refused.values(fields),
            errors=refused.errors,
            **form_context(),
        )

    return render


def _add(ctx: RequestContext, db: TenantSession, worker_id: int, data: dict[str, Any], kind: str) -> Response:
    fields, parse, add, anchor = KINDS[kind]
    worker = _load(db, worker_id)
    add(db, worker, parse({f: field_text(data, f) for f in fields}, today=clock.today()), actor=ctx.actor)
    return see_other(ctx.tenant_path(f"/workers/{worker_id}?notice=created#{anchor}"))


def _worker_page(
    request: Request, ctx: RequestContext, db: TenantSession, worker: Worker, refused: RefusedForm | None = None
) -> Response:
    """The worker's page; ``refused``: the "Mark as left" form came back with its error (nothing written)."""
    today = clock.today()
    records = training.worker_records(db, worker, today=today, include_discipline=ctx.has_role(*training.DISCIPLINE_READERS))
    return page(
        request,
        "workforce/worker_detail.html",
        status=400 if refused else 200,
        worker=worker,
        labels=LABELS,
        id_number=id_number_for(request, ctx, worker),
        can_edit=ctx.has_role(*EDITORS),
        contracts=[(c, contract_state(c, today)) for c in reversed(contracts.contracts_of_worker(db, id_of(worker)))],
        state_labels=STATE_LABELS,
        state_badges=STATE_BADGES,
        records=records,
        cities=CITY_NAMES,
        bank_account=worker_page_account(request, ctx, db, worker),
        today=today,
        left_on=refused.text("left_on") if refused else today.isoformat(),
        left_on_error=refused.message if refused else None,
    )


def _deactivate_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _worker_page(request, ctx, db, _load(db, request.path_params["worker_id"]), refused)


class WorkerRecordsController(Controller):
    path = "/workers"

    @get("/{worker_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        return _worker_page(request, ctx, db, _load(db, worker_id))

    @post("/{worker_id:int}/deactivate", opt=allow(*EDITORS) | shown_again_by(_deactivate_refused), sync_to_thread=True)
    def deactivate(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        """Mark the worker as left; the last day employed typed in the form, today when left empty."""
        typed = field_text(data, "left_on")
        last_day = parse_date(typed, "left_on") if typed else None
        roster_actions.deactivate_worker(db, _load(db, worker_id), last_day=last_day, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/workers/{worker_id}?notice=deactivated"))

    @post("/{worker_id:int}/training", opt=allow(*EDITORS) | shown_again_by(_shown_again("training")), sync_to_thread=True)
    def add_training(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        return _add(ctx, db, worker_id, data, "training")

    @post(
        "/{worker_id:int}/certificates", opt=allow(*EDITORS) | shown_again_by(_shown_again("certificates")), sync_to_thread=True
    )
    def add_certificate(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        return _add(ctx, db, worker_id, data, "certificates")

    @post("/{worker_id:int}/discipline", opt=allow(*EDITORS) | shown_again_by(_shown_again("discipline")), sync_to_thread=True)
    def add_discipline(self, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int], data: FormData) -> Response:
        return _add(ctx, db, worker_id, data, "discipline")
