"""The payroll clerk's pages: the runs, one run's register, one payslip.

Every change goes through ``service.payroll.runs.actions`` (create, correct,
approve, publish), ``service.payroll.runs.jobs`` (calculate on the job queue) and
``service.payroll.runs.guards`` (the four-eyes switch); this module parses, calls
and renders.  The approval form lists every worker paid below the minimum wage
with a reason field each (``reason_<worker id>``).  ``/payroll/<id>/progress`` answers the
calculation's progress as JSON for web/static/payroll-progress.js; without
JavaScript the page refreshes itself while the calculation runs.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response as JSONResponse

from service import clock
from service.accounts.models import StaffRole
from service.bureaus import directory
from service.errors import N_, DomainError
from service.payroll.proration import ProrationRule
from service.payroll.runs import actions as runs
from service.payroll.runs import guards, payslip_feedback
from service.payroll.runs import jobs as payroll_jobs
from service.payroll.runs import progress as run_progress
from service.payroll.runs import queries as run_queries
from service.payroll.runs import settings as payroll_settings
from service.payroll.runs.models import (
    KIND_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    PayrollRun,
    ProgressPhase,
    RunKind,
    RunProgress,
    RunStatus,
)
from service.payroll.runs.payments import queries as payments
from service.payroll.runs.payments.access import PRODUCERS
from service.payroll.runs.payslip_view import payslip_groups, proration_note, year_to_date
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number, whole_number
from service.web.pages import NO_STORE, page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
WRITERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
SWITCHERS = (StaffRole.ADMIN,)  # who may switch four-eyes review off or on, and choose the part-month rule

STATUS_BADGES = {
    RunStatus.DRAFT.value: "badge-left",
    RunStatus.CALCULATED.value: "badge-probation",
    RunStatus.APPROVED.value: "badge-candidate",
    RunStatus.PUBLISHED.value: "badge-active",
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
REASON = re.compile(r"reason_(\d+)")  # the approval form's field per worker below the minimum wage
DONE = {
    "created": N_("The payroll run has been created. Calculate it when the month's inputs are ready."),
    "calculated": N_("The payroll run has been calculated."),
    "approved": N_("The payroll run has been approved."),
    "four_eyes_on": N_("Four-eyes review is on: the clerk who calculates a run can no longer approve or publish it."),
    "four_eyes_off": N_("Four-eyes review is off: the clerk who calculates a run may also approve and publish it."),
    "proration": N_("The rule for part months is saved: runs calculated from now on use it."),
    "published": N_("The payroll run has been published. It can no longer be changed."),
    "correction": N_("The correction run has been created. Correct the inputs if needed, then calculate it."),
    "running": N_("The calculation is running: this page shows its progress."),
}


def _month(text: str) -> date | None:
    match = MONTH.match(text)
    if match is None or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
        return None
    return date(int(match.group(1)), int(match.group(2)), 1)


def parse_month(text: str) -> date:
    month = _month(text)
    if month is None:
        raise DomainError(N_("Choose the pay month (year and month)."), field="month")
    return month


def _run_values(form: dict[str, Any]) -> dict[str, str]:
    return {"month": field_text(form, "month")[:7], "client_bureau": field_text(form, "client_bureau")[:80]}


def _reasons(form: dict[str, Any]) -> dict[int, str]:
    """The approval form's reasons by worker id (``reason_<id>`` fields)."""
    reasons = {}
    for name in form:
        match = REASON.fullmatch(name)
        worker_id = whole_number(match.group(1), below=2**63) if match else None
        if worker_id is not None:
            reasons[worker_id] = field_text(form, name)[: guards.REASON_MAX + 1]
    return reasons


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {s.value: label for s, label in STATUS_LABELS.items()},
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "status_badges": STATUS_BADGES,
    }


def _load(db: TenantSession, ctx: RequestContext, run_id: int) -> PayrollRun:
    run = runs.get_run(db, run_id)
    if run is None:
        raise NotFoundException()
    return run


def _not_running(db: TenantSession, ctx: RequestContext, run_id: int) -> PayrollRun:
    """The run, refused while its calculation runs (approving it would approve figures not yet seen)."""
    run = _load(db, ctx, run_id)
    if run_progress.is_running(run_progress.current(db, run_id)):
        raise DomainError(N_("This run is already being calculated: wait for it to finish."), field="status")
    return run


def _index(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    published: PayrollRun | None = None,
    four_eyes_error: str = "",
    proration_error: str = "",
) -> Response:
    return page(
        request,
        "payroll/runs.html",
        runs=runs.all_runs(db),
        bureaus=run_queries.client_bureaus(db),
        values=values,
        errors=errors,
        can_edit=ctx.has_role(*WRITERS),
        published_run=published,
        four_eyes=guards.four_eyes(db),
        can_switch=ctx.has_role(*SWITCHERS),
        four_eyes_error=four_eyes_error,
        proration_rule=payroll_settings.proration_rule(db),
        proration_rules=[(rule.value, rule.label, rule.basis) for rule in ProrationRule],
        proration_error=proration_error,
        notice=DONE.get(request.query_params.get("done", ""), ""),
        **_labels(),
    )


def _failure(row: RunProgress | None, t) -> tuple[list[dict[str, Any]], str]:
    """A failed calculation's refused workers and message, translated."""
    if row is None or row.phase != ProgressPhase.FAILED.value or not row.error:
        return [], ""
    refused = [
        {
            "worker_id": p["worker_id"],
            "name": p["name"],
            "reason": t(p["reason"], **run_progress.params_from_json(p.get("params") or {})),
        }
        for p in row.error.get("refused", [])
    ]
    message = row.error.get("message")
    return refused, t(message, **run_progress.params_from_json(row.error.get("params") or {})) if message else ""


def _progress_json(row: RunProgress | None, t) -> dict[str, Any]:
    if row is None:
        return {"phase": None, "active": False}
    label = PHASE_LABELS.get(ProgressPhase(row.phase), row.phase)
    return {
        "phase": row.phase,
        "label": t(label),
        "done": row.done,
        "total": row.total,
        "percent": row.percent,
        "active": run_progress.is_running(row),
        "failed": row.phase == ProgressPhase.FAILED.value,
    }


def _run_page(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    run_id: int,
    *,
    status: int = 200,
    refused: list[dict[str, Any]] | None = None,
    error: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    number = page_number(request.query_params.get("page", ""))
    only_changes = request.query_params.get("changes", "") == "1"
    run = _load(db, ctx, run_id)
    progress = run_progress.current(db, run_id)
    register = run_queries.register_page(db, run, number, only_changes)
    corrected = runs.get_run(db, run.corrects_run_id) if run.corrects_run_id else None
    corrections = [r for r in runs.all_runs(db) if r.corrects_run_id == run.id]
    open_correction = None
    if run.status == RunStatus.PUBLISHED.value:
        open_correction = next(
            (
                r
                for r in runs.all_runs(db)
                if r.month == run.month
                and r.bureau_id == run.bureau_id
                and r.kind == RunKind.CORRECTION.value
                and r.status != RunStatus.PUBLISHED.value
            ),
            None,
        )
    if not refused and not error:
        refused, error = _failure(progress, ctx.translate)

    def link(n: int) -> str:
        return f"page={n}" + ("&changes=1" if only_changes else "")

    done = request.query_params.get("done", "")
    running = run_progress.is_running(progress)
    if done == "running" and not running:  # finished since (the page refreshed itself)
        done = "calculated" if progress is not None and progress.phase == ProgressPhase.DONE.value else ""
    return page(
        request,
        "payroll/run.html",
        status=status,
        run=run,
        register=register,
        refused=refused or [],
        error=error,
        can_edit=ctx.has_role(*WRITERS),
        notice=DONE.get(done, ""),
        page_link=link,
        previous_month=run_queries.previous_month(run.month),
        RunStatus=RunStatus,
        RunKind=RunKind,
        running=running,
        progress=_progress_json(progress, ctx.translate) if running else None,
        corrected=corrected,
        corrections=corrections,
        open_correction=open_correction,
        errors=errors or {},
        values=values or {},
        threshold=int(run_queries.CHANGE_THRESHOLD * 100),
        four_eyes=guards.four_eyes(db),
        own_run=guards.calculated_by(run, ctx.actor),
        below_minimum=guards.below_minimum(db, run_id) if run.status == RunStatus.CALCULATED.value else [],
        given_reasons=guards.reasons_of(db, run_id),
        approved_alone=guards.same_actor(
            run.calculated_by_kind, run.calculated_by_id, run.approved_by_kind, run.approved_by_id
        ),
        published_alone=guards.same_actor(
            run.calculated_by_kind, run.calculated_by_id, run.published_by_kind, run.published_by_id
        ),
        payment_files=payments.files_of(db, run_id),
        not_paid=payments.not_paid_of(db, run) if run.status == RunStatus.PUBLISHED.value else [],
        can_pay=ctx.has_role(*PRODUCERS),
        today=clock.today(),
        **_labels(),
    )


def _create_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The runs page with the form; a month refused because it is published links to its published run."""
    values = _run_values(refused.form)
    month = _month(values["month"]) if "month" in refused.errors else None
    # The published run of the month and scope, when there is such a bureau (an unknown one is refused on its field).
    named = values["client_bureau"]
    bureau = directory.bureau_by_name(db, named) if named else None
    published = runs.published_in_force(db, month, bureau.id if bureau else None) if month and (bureau or not named) else None
    return _index(request, ctx, db, values=values, errors=refused.errors, published=published)


def run_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The run page after a refused calculation, correction, approval or publication: the workers the
    calculation could not pay, or the explanation's problem beside it, or the message above the register."""
    run_id = request.path_params["run_id"]
    if isinstance(refused.error, runs.CalculationRefused):
        t = ctx.translate
        workers = [
            {"worker_id": p.worker_id, "name": p.name, "reason": t(p.reason, **p.params)} for p in refused.error.problems
        ]
        return _run_page(request, ctx, db, run_id, refused=workers)
    reasons = {guards.reason_field(worker_id): reason for worker_id, reason in _reasons(refused.form).items()}
    return _run_page(
        request,
        ctx,
        db,
        run_id,
        errors=refused.errors,
        values={"explanation": refused.text("explanation")[: runs.EXPLANATION_MAX + 1], **reasons},
        error="" if "explanation" in refused.errors else refused.errors.get("", next(iter(refused.errors.values()), "")),
    )


def _four_eyes_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _index(request, ctx, db, values={}, errors={}, four_eyes_error=refused.message)


def _proration_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _index(request, ctx, db, values={}, errors={}, proration_error=refused.message)


class PayrollRunsController(Controller):
    path = "/payroll"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _index(request, ctx, db, values={}, errors={})

    @post("/", opt=allow(*WRITERS) | shown_again_by(_create_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        values = _run_values(data)
        month = parse_month(values["month"])
        run = runs.create_run(db, month, directory.scope_id(db, values["client_bureau"]), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/payroll/{run.id}?done=created"))

    @post("/four-eyes", opt=allow(*SWITCHERS) | shown_again_by(_four_eyes_refused), sync_to_thread=True)
    def four_eyes(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        """Switch four-eyes review on or off for the tenant (off only with one payroll person)."""
        choice = field_text(data, "four_eyes")
        if choice not in ("on", "off"):
            raise DomainError(N_("Choose on or off."), field="four_eyes")
        guards.set_four_eyes(db, choice == "on", actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/payroll?done=four_eyes_{choice}#four-eyes"))

    @post("/proration", opt=allow(*SWITCHERS) | shown_again_by(_proration_refused), sync_to_thread=True)
    def proration(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        """Choose how a worker's first and last month are paid: by 21.75 pay days or by calendar days."""
        try:
            rule = ProrationRule(field_text(data, "proration_rule"))
        except ValueError:
            raise DomainError(N_("Choose a value."), field="proration_rule") from None
        payroll_settings.set_proration_rule(db, rule, actor=ctx.actor)
        return see_other(ctx.tenant_path("/payroll?done=proration#proration"))

    @get("/{run_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        return _run_page(request, ctx, db, run_id)

    @post("/{run_id:int}/calculate", opt=allow(*WRITERS) | shown_again_by(run_refused), sync_to_thread=True)
    def calculate(self, request: Request, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        # The calculation is long work on transactions of its own (run_progress: the queued row, the
        # calculation, its progress), so another request can read its progress; ``db`` only renders.
        try:
            result = payroll_jobs.start(ctx.tenant_id, ctx.actor, run_id)
        except LookupError:
            raise NotFoundException() from None
        if result is None:  # still running: the page shows its progress
            return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=running"))
        if result.refused is not None:
            raise result.refused
        if result.error is not None:
            raise result.error
        if result.crashed:
            return _run_page(request, ctx, db, run_id, status=500, error=ctx.translate(run_progress.UNEXPECTED))
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=calculated"))

    @get("/{run_id:int}/progress", opt=allow(*READERS), sync_to_thread=True)
    def progress(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int]) -> Response:
        run = _load(db, ctx, run_id)
        row = run_progress.current(db, run_id)
        return JSONResponse(
            content=_progress_json(row, ctx.translate) | {"status": run.status},
            media_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    @post("/{run_id:int}/correct", opt=allow(*WRITERS) | shown_again_by(run_refused), sync_to_thread=True)
    def correct(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int], data: FormData) -> Response:
        """Open a correction run for the month and scope of this published run."""
        run = _load(db, ctx, run_id)
        explanation = field_text(data, "explanation")[: runs.EXPLANATION_MAX + 1]
        created = runs.create_correction(db, run.month, run.bureau_id, explanation, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/payroll/{created.id}?done=correction"))

    @post("/{run_id:int}/approve", opt=allow(*WRITERS) | shown_again_by(run_refused), sync_to_thread=True)
    def approve(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int], data: FormData) -> Response:
        runs.approve(db, _not_running(db, ctx, run_id), _reasons(data), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=approved"))

    @post("/{run_id:int}/publish", opt=allow(*WRITERS) | shown_again_by(run_refused), sync_to_thread=True)
    def publish(self, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int], data: FormData) -> Response:
        if field_text(data, "confirm") != "yes":
            raise DomainError(N_("Tick the box to confirm: a published run is never edited again."), field="confirm")
        runs.publish(db, _not_running(db, ctx, run_id), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=published"))

    @get("/{run_id:int}/payslips/{payslip_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def payslip(
        self, request: Request, ctx: RequestCtx, db: TenantDb, run_id: FromPath[int], payslip_id: FromPath[int]
    ) -> Response:
        run = _load(db, ctx, run_id)
        slip = run_queries.get_payslip(db, run_id, payslip_id)
        if slip is None:
            raise NotFoundException()
        return page(
            request,
            "payroll/payslip.html",
            headers=NO_STORE,
            run=run,
            slip=slip,
            worker=run_queries.workers_of(db, [slip.worker_id]).get(slip.worker_id),
            groups=payslip_groups(run_queries.lines_of(db, [payslip_id])[payslip_id]),
            ytd=year_to_date(slip.year_to_date),
            proration=proration_note(slip.proration),
            feedback=payslip_feedback.feedback_of(db, payslip_id),
            correction=run_queries.correction_of(db, slip),
            corrected_by=run_queries.corrected_by(db, payslip_id),
            paid_into=payments.paid_into(db, payslip_id),
            **_labels(),
        )
