"""The admin's view of the audit trail, with filters."""

from __future__ import annotations

from litestar import Request, Response, get

from service.accounts.models import StaffRole
from service.audit_queries import AuditFilter, audit_page
from service.errors import N_
from service.web.access import allow
from service.web.dependencies import RequestCtx, TenantDb
from service.web.pages import page
from service.workforce.roster.excel import HEADERS
from service.workforce.roster.input import date_or_none

# What the audit snapshots' keys are called on the page.
FIELD_LABELS = {
    **HEADERS,
    "email": N_("Email"),
    "display_name": N_("Name"),
    "role": N_("Role"),
    "active": N_("Account enabled"),
}


@get("/audit", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
def audit_log(request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
    params = request.query_params
    filters = {k: params.get(k, "")[:60] for k in ("entity", "entity_id", "action", "actor", "since", "until")}
    since, until = date_or_none(filters["since"]), date_or_none(filters["until"])
    # A date that cannot be read is dropped from the filter and from the form.
    filters |= {"since": filters["since"] if since else "", "until": filters["until"] if until else ""}
    f = AuditFilter(filters["entity"], filters["entity_id"], filters["action"], filters["actor"], since, until)
    found = audit_page(db, f)
    return page(
        request,
        "audit/log.html",
        entries=found.entries,
        filters=filters,
        entities=found.entities,
        total=found.total,
        field_labels=FIELD_LABELS,
    )
