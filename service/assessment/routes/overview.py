"""The assessment overview and one worker's running total."""

from __future__ import annotations

from decimal import Decimal

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.assessment import queries
from service.assessment.routes.common import READERS, render
from service.web.access import allow
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import whole_number


class AssessmentController(Controller):
    path = "/assessment"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        today = clock.today()
        return render(
            request,
            ctx,
            "index.html",
            periods=queries.list_periods(db)[:10],
            item_count=len(queries.items_in_force(db, today)),
            records=queries.records_on(db, today, limit=20),
            today=today,
        )

    @get("/workers/{worker_id:int}", opt=allow(*READERS), sync_to_thread=True)
    def worker_total(self, request: Request, ctx: RequestCtx, db: TenantDb, worker_id: FromPath[int]) -> Response:
        today = clock.today()
        worker = queries.workers_by_id(db, [worker_id]).get(worker_id)
        if worker is None:
            raise NotFoundException()
        periods = queries.periods_containing(db, today)
        chosen_id = whole_number(request.query_params.get("period", ""))
        period = queries.get_period(db, chosen_id) if chosen_id else (periods[0] if periods else None)
        if period is not None:
            start, end, base = period.starts_on, period.ends_on, period.base_score
        else:  # no period yet: the calendar month so far
            start, end, base = today.replace(day=1), today, Decimal(100)
        return render(
            request,
            ctx,
            "worker_total.html",
            worker=worker,
            period=period,
            total=queries.running_total(db, worker_id, start, end, base),
            results=queries.results_of_worker(db, worker_id),
            periods=queries.list_periods(db),
        )
