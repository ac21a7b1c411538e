"""Adding training, certificate and discipline records from the worker's page.

The forms sit on the worker's page; a refused form comes back on a page of
its own with each message next to its field and nothing written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Controller, Request, Response, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.errors import DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from service.workforce import roster, training
from service.workforce.access import EDITORS
from service.workforce.daily_models import DAILY_LABELS, DisciplineKind, TrainingResult
from service.workforce.record_input import (
    CERTIFICATE_FIELDS,
    DISCIPLINE_FIELDS,
    TRAINING_FIELDS,
    RecordInputErrors,
    parse_certificate,
    parse_discipline,
    parse_training,
)
from tenants.isolation import tenant_session

KINDS: dict[str, tuple[tuple[str, ...], Callable, Callable, str]] = {
    "training": (TRAINING_FIELDS, parse_training, training.add_training, "training"),
    "certificates": (CERTIFICATE_FIELDS, parse_certificate, training.add_certificate, "certificates"),
    "discipline": (DISCIPLINE_FIELDS, parse_discipline, training.add_discipline, "discipline"),
}


def form_context() -> dict[str, Any]:
    """What the forms' menus need (the same names as ``training.WorkerRecords``)."""
    return {"labels": DAILY_LABELS, "training_results": list(TrainingResult), "discipline_kinds": list(DisciplineKind)}


class WorkerRecordsController(Controller):
    path = "/workers"

    def _add(self, request: Request, worker_id: int, data: dict[str, Any], kind: str) -> Response:
        ctx: RequestContext = request.state.ctx
        fields, parse, add, anchor = KINDS[kind]
        values = {f: field_text(data, f) for f in fields}
        with tenant_session(ctx.tenant_id) as db:
            worker = roster.get_worker(db, ctx.tenant_id, worker_id)
        if worker is None:
            raise NotFoundException()
        try:
            parsed = parse(values, today=clock.today())
            with tenant_session(ctx.tenant_id) as db:
                add(db, ctx.tenant_id, ctx.actor, worker, parsed)
        except (RecordInputErrors, DomainError) as problems:
            errors = problems.errors if isinstance(problems, RecordInputErrors) else [problems]
            return page(
                request,
                "workforce/record_form.html",
                status=400,
                kind=kind,
                worker=worker,
                values=values,
                errors=translated_errors(errors, ctx.translate),
                **form_context(),
            )
        return see_other(ctx.tenant_path(f"/workers/{worker_id}?notice=created#{anchor}"))

    @post("/{worker_id:int}/training", opt=allow(*EDITORS), sync_to_thread=True)
    def add_training(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        return self._add(request, worker_id, data, "training")

    @post("/{worker_id:int}/certificates", opt=allow(*EDITORS), sync_to_thread=True)
    def add_certificate(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        return self._add(request, worker_id, data, "certificates")

    @post("/{worker_id:int}/discipline", opt=allow(*EDITORS), sync_to_thread=True)
    def add_discipline(self, request: Request, worker_id: FromPath[int], data: FormData) -> Response:
        return self._add(request, worker_id, data, "discipline")
