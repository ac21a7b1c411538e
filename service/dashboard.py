"""A tenant's home page: the roster at a glance."""

from __future__ import annotations

from litestar import Request, Response, get

from service.accounts.models import ALL_STAFF
from service.web.access import allow
from service.web.dependencies import TenantDb
from service.web.pages import page
from service.workforce.models import LABELS, WorkerStatus
from service.workforce.roster import queries as roster


@get("/", opt=allow(*ALL_STAFF), sync_to_thread=True)
def dashboard(request: Request, db: TenantDb) -> Response:
    counts = roster.status_counts(db)
    return page(
        request, "dashboard.html", counts=counts, statuses=list(WorkerStatus), labels=LABELS, total=sum(counts.values())
    )
