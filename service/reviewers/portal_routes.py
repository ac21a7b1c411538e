"""The bureau reviewer's portal: their bureau's dispatched workers and headcount.

Every query goes through ``service.reviewers.scope`` (the one bureau filter);
ID numbers only ever appear masked.
"""

from __future__ import annotations

import math
from collections import Counter

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from service import clock
from service.bureaus.agreements import queries as agreements
from service.bureaus.models import StatementStatus
from service.reviewers import scope as reviewer_scope
from service.reviewers.models import ALL_REVIEWERS
from service.reviewers.scope import ON_DUTY
from service.web.access import allow
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import page_number
from service.web.pages import page, page_query
from service.workforce.models import LABELS, WorkerStatus

PER_PAGE = 30


class ReviewerPortalController(Controller):
    path = "/review"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def home(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        scope = reviewer_scope.scope_of(db, ctx)
        workers = reviewer_scope.on_duty(db, scope)
        agreement = agreements.in_force(db, scope.bureau_id, clock.today())
        post_use = agreements.headcount_today(db, agreement, clock.today()) if agreement else []
        to_decide = sum(1 for st in reviewer_scope.statements(db, scope) if st.status is StatementStatus.SENT)
        by_status = Counter(w.status for w in workers)
        by_post = Counter(w.post_line for w in workers)
        by_unit = Counter(w.unit or "" for w in workers)
        return page(
            request,
            "reviewer/home.html",
            bureau=reviewer_scope.bureau(db, scope),
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

    @get("/workers", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def workers(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        q = request.query_params.get("q", "").strip()[:50]
        status = request.query_params.get("status", "")
        number = page_number(request.query_params.get("page", ""))
        scope = reviewer_scope.scope_of(db, ctx)
        rows, total = reviewer_scope.worker_page(db, scope, name=q, status=status, page=number, size=PER_PAGE)
        return page(
            request,
            "reviewer/workers.html",
            bureau=reviewer_scope.bureau(db, scope),
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

    @get("/workers/{worker_id:int}", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def worker(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        worker = reviewer_scope.worker(db, reviewer_scope.scope_of(db, ctx), worker_id)
        return page(request, "reviewer/worker.html", worker=worker, labels=LABELS)
