"""The payroll clerk's pages: the runs, one run's register, one payslip.

Every change goes through ``service.payroll.runs`` (create, calculate,
approve, publish); this module parses, calls and renders.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.errors import N_, DomainError
from service.payroll import run_queries, runs
from service.payroll.payslip import Category
from service.payroll.run_models import KIND_LABELS, STATUS_LABELS, PayrollRun, RunKind, RunStatus
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
CATEGORY_LABELS = {
    Category.EARNING: N_("Earnings"),
    Category.DEDUCTION: N_("Deductions"),
    Category.EMPLOYEE_CONTRIBUTION: N_("Employee contributions"),
    Category.TAX: N_("Income tax"),
    Category.EMPLOYER_CONTRIBUTION: N_("Employer contributions (not deducted from pay)"),
    Category.INFO: N_("For information"),
}
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DONE = {
    "created": N_("The payroll run has been created. Calculate it when the month's inputs are ready."),
    "calculated": N_("The payroll run has been calculated."),
    "approved": N_("The payroll run has been approved."),
    "published": N_("The payroll run has been published. It can no longer be changed."),
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


def _load(db, ctx, run_id: int) -> PayrollRun:  # noqa: ANN001
    run = runs.get_run(db, ctx.tenant_id, run_id)
    if run is None:
        raise NotFoundException()
    return run


def _index(request: Request, *, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
    ctx = request.state.ctx
    with tenant_session(ctx.tenant_id) as db:
        all_runs = runs.all_runs(db, ctx.tenant_id)
        bureaus = run_queries.client_bureaus(db, ctx.tenant_id)
    return page(
        request, "payroll/runs.html", status=status, runs=all_runs, bureaus=bureaus, values=values, errors=errors,
        can_edit=ctx.has_role(*WRITERS), **_labels(),
    )  # fmt: skip


def _run_page(
    request: Request, run_id: int, *, status: int = 200, refused: list[dict[str, Any]] | None = None,
    error: str = "",
) -> Response:  # fmt: skip
    ctx = request.state.ctx
    number = page_number(request.query_params.get("page", ""))
    with tenant_session(ctx.tenant_id) as db:
        run = _load(db, ctx, run_id)
        register = run_queries.register_page(db, ctx.tenant_id, run, number)

    def link(n: int) -> str:
        return f"page={n}"

    done = request.query_params.get("done", "")
    return page(
        request, "payroll/run.html", status=status, run=run, register=register, refused=refused or [],
        error=error, can_edit=ctx.has_role(*WRITERS), notice=DONE.get(done, ""), page_link=link,
        previous_month=run_queries.previous_month(run.month), RunStatus=RunStatus, RunKind=RunKind, **_labels(),
    )  # fmt: skip


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
            return _index(request, values=values, errors=translated_errors([problem], ctx.translate), status=400)
        return see_other(ctx.tenant_path(f"/payroll/{run.id}?done=created"))

    @get("/{run_id:int}", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, run_id: FromPath[int]) -> Response:
        return _run_page(request, run_id)

    @post("/{run_id:int}/calculate", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def calculate(self, request: Request, run_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        t = ctx.translate
        try:
            with tenant_session(ctx.tenant_id) as db:
                runs.calculate(db, ctx.tenant_id, ctx.actor, _load(db, ctx, run_id))
        except runs.CalculationRefused as refused:
            problems = [{"worker_id": p.worker_id, "name": p.name, "reason": t(p.reason, **p.params)} for p in refused.problems]
            return _run_page(request, run_id, status=400, refused=problems)
        except DomainError as problem:
            return _run_page(request, run_id, status=400, error=t.error(problem))
        return see_other(ctx.tenant_path(f"/payroll/{run_id}?done=calculated"))

    @post("/{run_id:int}/approve", opt=allow(*WRITERS), sync_to_thread=True, include_in_schema=False)
    def approve(self, request: Request, run_id: FromPath[int]) -> Response:
        ctx = request.state.ctx
        try:
            with tenant_session(ctx.tenant_id) as db:
                runs.approve(db, ctx.tenant_id, ctx.actor, _load(db, ctx, run_id))
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
                runs.publish(db, ctx.tenant_id, ctx.actor, _load(db, ctx, run_id))
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
        groups = []
        for category, label in CATEGORY_LABELS.items():
            members = [line for line in lines if line.category == category.value]
            if members:
                groups.append(
                    {
                        "label": label,
                        "lines": members,
                        "total": sum(line.amount for line in members),
                        "info": category is Category.INFO,
                    }
                )
        return page(
            request, "payroll/payslip.html", run=run, slip=slip, worker=worker, groups=groups,
            **_labels(),
        )  # fmt: skip
