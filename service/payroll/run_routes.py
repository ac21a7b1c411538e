"""The payroll clerk's pages: the runs, one run's register, one payslip.

Every change goes through ``service.payroll.runs`` (create, correct,
approve, publish) and ``run_progress`` (calculate in the background); this
module parses, calls and renders.  ``/payroll/<id>/progress`` answers the
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

from service.accounts.models import StaffRole
from service.errors import N_, DomainError
from service.payroll import payslip_feedback as portal_queries
from service.payroll import run_progress, run_queries, runs
from service.payroll.payslip_view import payslip_groups, year_to_date
from service.payroll.run_models import (
    KIND_LABELS,
    PHASE_LABELS,
    STATUS_LABELS,
    PayrollRun,
    ProgressPhase,
    RunKind,
    RunProgress,
    RunStatus,
)
from service.web.access import allow
from service.web.forms import FormData, field_text, page_number, translated_errors
from service.web.pages import page, see_other
from tenants.isolation import tenant_session

READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
WRITERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)

STATUS_BADGES = {
    RunStatus.DRAFT.value: "badge-left",
    RunStatus.CALCULATED.value: "badge-probation",
    RunStatus.APPROVED.value: "badge-candidate",
    RunStatus.PUBLISHED.value: "badge-active",
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DONE = {
    "created": N_("The payroll run has been created. Calculate it when the month's inputs are ready."),
    "calculated": N_("The payroll run has been calculated."),
    "approved": N_("The payroll run has been approved."),
    "published": N_("The payroll run has been published. It can no longer be changed."),
    "correction": N_("The correction run has been created. Correct the inputs if needed, then calculate it."),
    "running": N_("The calculation is running: this page shows its progress."),
}


def parse_month(text: str) -> date:
    match = MONTH.match(text)
    if match is None or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
        raise DomainError(N_("Choose the pay month (year and month)."), field="month")
    return date(int(match.group(1)), int(match.group(2)), 1)


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {s.value: label for s, label in STATUS_LABELS.items()},
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "status_badges": STATUS_BADGES,
    }


def _load(db, ctx, run_id: int) -> PayrollRun:
    run = runs.get_run(db, ctx.tenant_id, run_id)
    if run is None:
        raise NotFoundException()
    return run


def _not_running(db, ctx, run_id: int) -> PayrollRun:
    """The run, refused while its calculation runs (approving it would approve figures not yet seen)."""
    run = _load(db, ctx, run_id)
    if run_progress.is_running(run_progress.current(db, ctx.tenant_id, run.id)):
        raise DomainError(N_("This run is already being calculated: wait for it to finish."), field="status")
    return run


def _index(
    request: Request,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    published: PayrollRun | None = None,
) -> Response:
    ctx = request.state.ctx
    with tenant_session(ctx.tenant_id) as db:
        all_runs = runs.all_runs(db, ctx.tenant_id)
        bureaus = run_queries.client_bureaus(db, ctx.tenant_id)
    return page(
        request,
        "payroll/runs.html",
        status=status,
        runs=all_runs,
        bureaus=bureaus,
        values=values,
        errors=errors,
        can_edit=ctx.has_role(*WRITERS),
        published_run=published,
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
    run_id: int,
    *,
    status: int = 200,
    refused: list[dict[str, Any]] | None = None,
    error: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    ctx = request.state.ctx
    number = page_number(request.query_params.get("page", ""))
    only_changes = request.query_params.get("changes", "") == "1"
    with tenant_session(ctx.tenant_id) as db:
        run = _load(db, ctx, run_id)
        progress = run_progress.current(db, ctx.tenant_id, run.id)
        register = run_queries.register_page(db, ctx.tenant_id, run, number, only_changes)
        corrected = runs.get_run(db, ctx.tenant_id, run.corrects_run_id) if run.corrects_run_id else None
        corrections = [r for r in runs.all_runs(db, ctx.tenant_id) if r.corrects_run_id == run.id]
        open_correction = None
        if run.status == RunStatus.PUBLISHED.value:
            open_correction = next(
                (
                    r
                    for r in runs.all_runs(db, ctx.tenant_id)
                    if r.month == run.month
                    and r.client_bureau == run.client_bureau
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
        **_labels(),
    )


class PayrollRunsController(Controller):
    path = "/payroll"

    @get("/", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return _index(request, values={}, errors={})

    @post("/", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def create(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        values = {"month": field_text(data, "month")[:7], "client_bureau": field_text(data, "client_bureau")[:80]}
        try:
            month = parse_month(values["month"])
            with tenant_session(ctx.tenant_id) as db:
                run = runs.create_run(db, ctx.tenant_id, ctx.actor, month, values["client_bureau"] or None)
        except DomainError as problem:
            published = None
            if problem.field == "month" and values["month"]:
                try:
                    with tenant_session(ctx.tenant_id) as db:
                        published = runs.published_in_force(
                            db, ctx.tenant_id, parse_month(values["month"]), values["client_bureau"] or None
                        )
                except DomainError:
                    published = None
            return _index(
                request,
                values=values,
                errors=translated_errors([problem], ctx.translate),
                status=400,
                published=published,
            )
        return see_other(ctx.tenant_path(f"/payroll/{run.id}?done=created"))

    @get("/{run_id:int}", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, run_id: FromPath[int]) -> Response:
        return _run_page(request, run_id)

    @post("/{run_id:int}/calculate", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def calculate(self, request: Request, run_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        t = ctx.translate
        try:
            result = run_progress.start(ctx.tenant_id, ctx.actor, run_id)
        except LookupError:
            raise NotFoundException() from None
        except DomainError as problem:
            return _run_page(request, run_id, status=400, error=t.error(problem))
        if result is None:  # still running: the page shows its progress
            return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=running"))
        if result.refused is not None:
            problems = [
                {"worker_id": p.worker_id, "name": p.name, "reason": t(p.reason, **p.params)} for p in result.refused.problems
            ]
            return _run_page(request, run_id, status=400, refused=problems)
        if result.error is not None:
            return _run_page(request, run_id, status=400, error=t.error(result.error))
        if result.crashed:
            return _run_page(request, run_id, status=500, error=t(run_progress.UNEXPECTED))
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=calculated"))

    @get("/{run_id:int}/progress", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def progress(self, request: Request, run_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            run = _load(db, ctx, run_id)
            row = run_progress.current(db, ctx.tenant_id, run.id)
        return JSONResponse(
            content=_progress_json(row, ctx.translate) | {"status": run.status},
            media_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    @post("/{run_id:int}/correct", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def correct(self, request: Request, run_id: FromPath[int], data: FormData) -> Response:
        """Open a correction run for the month and scope of this published run."""
        ctx = request.state.ctx
        values = {"explanation": field_text(data, "explanation")[: runs.EXPLANATION_MAX + 1]}
        try:
            with tenant_session(ctx.tenant_id) as db:
                run = _load(db, ctx, run_id)
                created = runs.create_correction(
                    db, ctx.tenant_id, ctx.actor, run.month, run.client_bureau, values["explanation"]
                )
        except DomainError as problem:
            return _run_page(
                request,
                run_id,
                status=400,
                errors=translated_errors([problem], ctx.translate),
                values=values,
                error="" if problem.field == "explanation" else ctx.translate.error(problem),
            )
        return see_other(ctx.tenant_path(f"/payroll/{created.id}?done=correction"))

    @post("/{run_id:int}/approve", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def approve(self, request: Request, run_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        try:
            with tenant_session(ctx.tenant_id) as db:
                runs.approve(db, ctx.tenant_id, ctx.actor, _not_running(db, ctx, run_id))
        except DomainError as problem:
            return _run_page(request, run_id, status=400, error=ctx.translate.error(problem))
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=approved"))

    @post("/{run_id:int}/publish", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def publish(self, request: Request, run_id: FromPath[int], data: FormData) -> Response:
        ctx = request.state.ctx
        try:
            if field_text(data, "confirm") != "yes":
                raise DomainError(N_("Tick the box to confirm: a published run is never edited again."), field="confirm")
            with tenant_session(ctx.tenant_id) as db:
                runs.publish(db, ctx.tenant_id, ctx.actor, _not_running(db, ctx, run_id))
        except DomainError as problem:
            return _run_page(request, run_id, status=400, error=ctx.translate.error(problem))
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=published"))

    @get("/{run_id:int}/payslips/{payslip_id:int}", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def payslip(self, request: Request, run_id: FromPath[int], payslip_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            run = _load(db, ctx, run_id)
            slip = run_queries.get_payslip(db, ctx.tenant_id, run.id, payslip_id)
            if slip is None:
                raise NotFoundException()
            lines = run_queries.lines_of(db, ctx.tenant_id, [slip.id])[slip.id]
            worker = run_queries.workers_of(db, ctx.tenant_id, [slip.worker_id]).get(slip.worker_id)
            correction = run_queries.correction_of(db, ctx.tenant_id, slip)
            corrected_by = run_queries.corrected_by(db, ctx.tenant_id, slip.id)
            feedback = portal_queries.feedback_of(db, ctx.tenant_id, slip.id)
        return page(
            request,
            "payroll/payslip.html",
            run=run,
            slip=slip,
            worker=worker,
            groups=payslip_groups(lines),
            ytd=year_to_date(slip.year_to_date),
            feedback=feedback,
            correction=correction,
            corrected_by=corrected_by,
            **_labels(),
        )
