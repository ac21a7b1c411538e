"""The bureau reviewer's portal: their bureau's dispatched workers and headcount.

Every query goes through ``service.reviewers.scope`` (the one bureau filter);
ID numbers only ever appear masked.
"""

from __future__ import annotations

import math
from collections import Counter

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlalchemy import func
from sqlmodel import select

from service import clock
from service.assessment import actions as assessment_actions
from service.assessment import appeal_actions
from service.assessment import queries as assessment_queries
from service.assessment.appeal_inputs import ANSWER_FIELDS, parse_answer
from service.assessment.appeal_models import STATUS_LABELS as APPEAL_STATUS_LABELS
from service.assessment.appeals import Decision
from service.assessment.inputs import parse_points, short_text
from service.assessment.models import LIFECYCLE_LABELS, Lifecycle
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.bureaus import agreements, statement_files, statements
from service.bureaus.models import AGREEMENT_LABELS, STATEMENT_LABELS, StatementStatus
from service.errors import N_, DomainError, InputErrors
from service.grades import actions as grade_actions
from service.grades.models import GradeDecision
from service.reviewers import scope as reviewer_scope
from service.reviewers.models import ALL_REVIEWERS, ReviewerRole
from service.web.access import allow
from service.web.context import RequestContext
from service.web.forms import FormData, field_text, page_number, translated_errors, whole_number
from service.web.pages import page, page_query, see_other, xlsx_download
from service.web.pdf import pdf_download, render_pdf
from service.workforce.models import LABELS, Worker, WorkerStatus
from service.workforce.worker_input import parse_date
from tenants.isolation import tenant_session

PER_PAGE = 30
# Dispatched to the bureau today: everyone not a candidate and not gone.
ON_DUTY = (WorkerStatus.PROBATION, WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED)


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ReviewerPortalController(Controller):
    path = "/review"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def home(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            bureau = reviewer_scope.bureau(db, scope)
            workers = list(db.exec(reviewer_scope.workers(scope).where(Worker.status.in_(ON_DUTY))))
            agreement = agreements.in_force(db, ctx.tenant_id, scope.bureau_id, clock.today())
            post_use = agreements.headcount_today(db, ctx.tenant_id, agreement, clock.today()) if agreement else []
            to_decide = sum(1 for st in reviewer_scope.statements(db, scope) if st.status is StatementStatus.SENT)
        by_status = Counter(w.status for w in workers)
        by_post = Counter(w.post_line for w in workers)
        by_unit = Counter(w.unit or "" for w in workers)
        return page(
            request,
            "reviewer/home.html",
            bureau=bureau,
            scope=scope,
            headcount=len(workers),
            by_status=[(status, by_status.get(status, 0)) for status in ON_DUTY],
            by_post=sorted(by_post.items(), key=lambda item: (-item[1], item[0])),
            by_unit=sorted(by_unit.items(), key=lambda item: (-item[1], item[0])),
            labels=LABELS,
            agreement=agreement,
            post_use=post_use,
            statements_to_decide=to_decide,
        )

    @get("/workers", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def workers(self, request: Request) -> Response:
        ctx = _ctx(request)
        q = request.query_params.get("q", "").strip()[:50]
        status = request.query_params.get("status", "")
        number = page_number(request.query_params.get("page", ""))
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            bureau = reviewer_scope.bureau(db, scope)
            query = reviewer_scope.workers(scope)
            if q:
                query = query.where(Worker.name.ilike(f"%{_escape_like(q)}%", escape="\\"))
            if status in WorkerStatus._value2member_map_:
                query = query.where(Worker.status == WorkerStatus(status))
            else:
                query = query.where(Worker.status.in_(ON_DUTY))
            total = db.exec(select(func.count()).select_from(query.subquery())).one()
            rows = list(db.exec(query.order_by(Worker.name, Worker.id).offset((number - 1) * PER_PAGE).limit(PER_PAGE)))
        return page(
            request,
            "reviewer/workers.html",
            bureau=bureau,
            workers=rows,
            total=total,
            q=q,
            status_filter=status,
            statuses=list(WorkerStatus),
            labels=LABELS,
            page_number=number,
            pages=max(1, math.ceil(total / PER_PAGE)),
            with_page=page_query(request),
        )

    @get("/workers/{worker_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def worker(self, request: Request, worker_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            worker = reviewer_scope.worker(db, scope, worker_id)
        return page(request, "reviewer/worker.html", worker=worker, labels=LABELS)


# Statements are the bureau's money: its reviewers confirm or dispute them (not the establishment office's).
STATEMENT_DECIDERS = (ReviewerRole.BUREAU,)


class ReviewerStatementsController(Controller):
    """The bureau's monthly statements (结算单): read, download, confirm or dispute."""

    path = "/review/statements"

    @get("/", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            rows = reviewer_scope.statements(db, scope)
        return page(request, "reviewer/statements.html", statements=rows, labels=STATEMENT_LABELS)

    def _detail(
        self, request: Request, statement_id: int, *, status: int = 200, errors: dict[str, str] | None = None, comment: str = ""
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            statement, lines, bureau, agreement, related = reviewer_scope.statement(db, scope, statement_id)
        return page(
            request,
            "reviewer/statement.html",
            status=status,
            statement=statement,
            lines=lines,
            bureau=bureau,
            agreement=agreement,
            related=related,
            labels=STATEMENT_LABELS,
            fee_labels=AGREEMENT_LABELS,
            errors=errors or {},
            comment=comment,
            can_decide=statement.status is StatementStatus.SENT,
        )

    @get("/{statement_id:int}", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, statement_id: FromPath[int]) -> Response:
        return self._detail(request, statement_id)

    @post("/{statement_id:int}/confirm", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def confirm(self, request: Request, statement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                scope = reviewer_scope.scope_of(db, ctx)
                reviewer_scope.statement(db, scope, statement_id)
                statements.confirm_statement(db, ctx.tenant_id, ctx.actor, statement_id, bureau_id=scope.bureau_id)
        except statements.StatementNotFound:
            raise NotFoundException() from None
        except DomainError as error:
            return self._detail(request, statement_id, status=400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/review/statements/{statement_id}?notice=saved"))

    @post("/{statement_id:int}/dispute", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def dispute(self, request: Request, statement_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        raw = data.get("comment", "")
        comment = raw if isinstance(raw, str) else ""
        try:
            with tenant_session(ctx.tenant_id) as db:
                scope = reviewer_scope.scope_of(db, ctx)
                reviewer_scope.statement(db, scope, statement_id)
                statements.dispute_statement(db, ctx.tenant_id, ctx.actor, statement_id, comment, bureau_id=scope.bureau_id)
        except statements.StatementNotFound:
            raise NotFoundException() from None
        except DomainError as error:
            return self._detail(
                request,
                statement_id,
                status=400,
                errors=translated_errors([error], ctx.translate),
                comment=comment[: statements.COMMENT_MAX],
            )
        return see_other(ctx.tenant_path(f"/review/statements/{statement_id}?notice=saved"))

    @get("/{statement_id:int}/xlsx", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def xlsx(self, request: Request, statement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            loaded = reviewer_scope.statement(db, scope, statement_id)
        content = statement_files.workbook(*loaded[:4], ctx.translate)
        return xlsx_download(content, statement_files.filename(loaded[0], "xlsx"))

    @get("/{statement_id:int}/pdf", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def pdf(self, request: Request, statement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            statement, lines, bureau, agreement, _ = reviewer_scope.statement(db, scope, statement_id)
        content = render_pdf(
            request,
            "pdf/bureau_statement.html",
            statement=statement,
            lines=lines,
            bureau=bureau,
            agreement=agreement,
            labels=STATEMENT_LABELS,
            fee_labels=AGREEMENT_LABELS,
            tenant_name=ctx.tenant.name if ctx.tenant else "",
        )
        return pdf_download(content, statement_files.filename(statement, "pdf"))


class ReviewerGradesController(Controller):
    """Grade evaluation decisions within the reviewer's authority (seed 002 §8): a bureau reviewer decides
    grade 5 with the company, an establishment-office reviewer grades 4 to 1."""

    path = "/review/grades"

    def _page(self, request: Request, *, status: int = 200, errors: dict[str, str] | None = None) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            rows = reviewer_scope.grade_candidates(db, scope)
            body = reviewer_scope.body_of(scope)
            decisions = {
                (d.campaign_id, d.worker_id): d
                for d in db.exec(
                    select(GradeDecision).where(GradeDecision.tenant_id == ctx.tenant_id, GradeDecision.body == body.value)
                )
            }
        return page(
            request, "reviewer/grades.html", status=status, rows=rows, decisions=decisions, body=body, errors=errors or {}
        )

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return self._page(request)

    @post("/{campaign_id:int}/{worker_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def decide(self, request: Request, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        decision = data.get("decision")
        note = data.get("note", "")
        try:
            if decision not in ("approve", "reject"):
                raise DomainError(N_("Choose to approve or reject."), field="decision")
            with tenant_session(ctx.tenant_id) as db:
                scope = reviewer_scope.scope_of(db, ctx)
                campaign, candidate, _ = reviewer_scope.grade_candidate(db, scope, campaign_id, worker_id)
                grade_actions.sign_decision(
                    db,
                    ctx.tenant_id,
                    ctx.actor,
                    scope.role.value,
                    campaign,
                    candidate,
                    reviewer_scope.body_of(scope),
                    decision == "approve",
                    note=note if isinstance(note, str) else "",
                    signer_bureau_id=scope.bureau_id,
                )
        except DomainError as error:
            return self._page(request, status=400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path("/review/grades?notice=saved"))


class ReviewerAssessmentController(Controller):
    """Daily assessment points (日常考核) entered by the bureau for its own workers."""

    path = "/review/assessment"

    def _page(
        self, request: Request, values: dict, *, status: int = 200, errors: dict[str, str] | None = None, recorded: int = 0
    ) -> Response:
        ctx = _ctx(request)
        day = values.get("day") or clock.today()
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            items = reviewer_scope.assessment_items(db, scope, day)
            workers = list(
                db.exec(reviewer_scope.workers(scope).where(Worker.status.in_(ON_DUTY)).order_by(Worker.name, Worker.id))
            )
        return page(
            request,
            "reviewer/assessment.html",
            status=status,
            items=items,
            workers=workers,
            values=values,
            errors=errors or {},
            recorded=recorded,
        )

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def form(self, request: Request) -> Response:
        recorded = whole_number(request.query_params.get("recorded", "")) or 0
        return self._page(request, {"on_date": clock.today().isoformat(), "workers": []}, recorded=recorded)

    @post("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def record(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        chosen = data.get("workers", [])
        chosen = [chosen] if isinstance(chosen, str) else [c for c in chosen if isinstance(c, str)]
        values = {name: field_text(data, name) for name in ("on_date", "item_id", "points", "note")}
        values["workers"] = chosen
        errors: list[DomainError] = []
        day = None
        try:
            day = parse_date(values["on_date"], "on_date")
            values["day"] = day
        except DomainError as error:
            errors.append(error)
        item_id = whole_number(values["item_id"])
        if item_id is None:
            errors.append(DomainError(N_("Choose an item."), field="item_id"))
        points = None
        try:
            points = parse_points(values["points"], "points")
        except DomainError as error:
            errors.append(error)
        note = ""
        try:
            note = short_text(values["note"], "note", 500)
        except DomainError as error:
            errors.append(error)
        ids = [n for n in (whole_number(c) for c in chosen) if n is not None]
        if not ids:
            errors.append(DomainError(N_("Tick at least one worker."), field="workers"))
        if not errors:
            try:
                with tenant_session(ctx.tenant_id) as db:
                    scope = reviewer_scope.scope_of(db, ctx)
                    item = next((i for i in reviewer_scope.assessment_items(db, scope, day) if i.id == item_id), None)
                    if item is None:
                        raise DomainError(N_("Choose an item."), field="item_id")
                    foreign = sorted(set(ids) - reviewer_scope.workers_among(db, scope, ids))
                    if foreign:  # not a worker of this bureau: as if unknown
                        raise DomainError(N_("Unknown worker {id}."), field="workers", id=foreign[0])
                    assessment_actions.record_points(
                        db, ctx.tenant_id, ctx.actor, item=item, on_date=day, points=dict.fromkeys(ids, points), note=note
                    )
            except DomainError as error:
                errors.append(error)
        if errors:
            return self._page(request, values, status=400, errors=translated_errors(errors, ctx.translate))
        return see_other(ctx.tenant_path(f"/review/assessment?recorded={len(ids)}"))


def _rating_label(code: str | None) -> str:
    return RATING_LABELS[Rating(code)] if code in Rating._value2member_map_ else "—"


class ReviewerAppealsController(Controller):
    """Appeals against the results of the bureau's workers: read by the bureau's reviewers, answered by a
    bureau reviewer who did not record the points appealed against (``appeal_actions.answer_appeal``)."""

    path = "/review/appeals"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            rows = [(a, appeal_actions.get_result(db, ctx.tenant_id, a.result_id)) for a in reviewer_scope.appeals(db, scope)]
        return page(request, "reviewer/appeals.html", rows=rows, status_labels=APPEAL_STATUS_LABELS, rating_label=_rating_label)

    def _detail(
        self, request: Request, appeal_id: int, *, status: int = 200, values: dict | None = None, errors: dict | None = None
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            appeal = reviewer_scope.appeal(db, scope, appeal_id)
            result = appeal_actions.get_result(db, ctx.tenant_id, appeal.result_id)
            recorders = appeal_actions.recorders_of(db, ctx.tenant_id, result)
            deadline = appeal_actions.deadline_of(db, ctx.tenant_id, result)
        return page(
            request,
            "reviewer/appeal.html",
            status=status,
            appeal=appeal,
            result=result,
            deadline=deadline,
            status_labels=APPEAL_STATUS_LABELS,
            rating_label=_rating_label,
            ratings=list(Rating),
            rating_labels=RATING_LABELS,
            decisions=list(Decision),
            values=values or {},
            errors=errors or {},
            can_answer=scope.role is ReviewerRole.BUREAU and appeal.status == "open",
            is_recorder=f"reviewer:{scope.reviewer_id}" in recorders,
            done=request.query_params.get("done", ""),
        )

    @get("/{appeal_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, appeal_id: FromPath[int]) -> Response:
        return self._detail(request, appeal_id)

    @post("/{appeal_id:int}/answer", opt=allow(ReviewerRole.BUREAU), sync_to_thread=True, include_in_schema=False)
    def answer(self, request: Request, appeal_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = {f: field_text(data, f) for f in ANSWER_FIELDS}
        try:
            outcome = parse_answer(values)
            with tenant_session(ctx.tenant_id) as db:
                scope = reviewer_scope.scope_of(db, ctx)
                appeal = reviewer_scope.appeal(db, scope, appeal_id)
                appeal_actions.answer_appeal(db, ctx.tenant_id, ctx.actor, appeal, outcome, clock.today())
        except InputErrors as problems:
            return self._detail(
                request, appeal_id, status=400, values=values, errors=translated_errors(problems.errors, ctx.translate)
            )
        except DomainError as error:
            return self._detail(request, appeal_id, status=400, values=values, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/review/appeals/{appeal_id}?done=answered"))


class ReviewerPeriodsController(Controller):
    """The bureau approves the results of its own assessment periods (under review → approved), or returns them."""

    path = "/review/assessment/periods"

    def _detail(self, request: Request, period_id: int, *, status: int = 200, errors: dict[str, str] | None = None) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            scope = reviewer_scope.scope_of(db, ctx)
            period = reviewer_scope.assessment_period(db, scope, period_id)
            results = assessment_queries.results_of(db, ctx.tenant_id, period.id)
        return page(
            request,
            "reviewer/period.html",
            status=status,
            period=period,
            results=results,
            lifecycle_labels=LIFECYCLE_LABELS,
            rating_label=_rating_label,
            errors=errors or {},
            can_decide=period.status == Lifecycle.UNDER_REVIEW.value and scope.role is ReviewerRole.BUREAU,
        )

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            periods = reviewer_scope.assessment_periods(db, reviewer_scope.scope_of(db, ctx))
        return page(request, "reviewer/periods.html", periods=periods, lifecycle_labels=LIFECYCLE_LABELS)

    @get("/{period_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, period_id: FromPath[int]) -> Response:
        return self._detail(request, period_id)

    @post("/{period_id:int}/status", opt=allow(ReviewerRole.BUREAU), sync_to_thread=True, include_in_schema=False)
    def decide(self, request: Request, period_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        action = field_text(data, "action")
        try:
            if action not in ("approve", "return"):
                raise DomainError(N_("Unknown action."), field="action")
            with tenant_session(ctx.tenant_id) as db:
                scope = reviewer_scope.scope_of(db, ctx)
                period = reviewer_scope.assessment_period(db, scope, period_id)
                if period.status != Lifecycle.UNDER_REVIEW.value:
                    raise DomainError(N_("Only results under review can be approved or returned here."), field="action")
                assessment_actions.advance(db, ctx.tenant_id, ctx.actor, period, action)
        except DomainError as error:
            return self._detail(request, period_id, status=400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/review/assessment/periods/{period_id}?notice=saved"))
