"""The admin's view of the audit trail, with filters."""

from __future__ import annotations

from datetime import timedelta

from litestar import Request, Response, get
from sqlalchemy import func
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import AuditEntry
from service.errors import N_, DomainError
from service.web.access import allow
from service.web.pages import page
from service.workforce.roster_excel import HEADERS
from service.workforce.worker_input import parse_date
from tenants.isolation import tenant_session

PER_PAGE = 100
# What the audit snapshots' keys are called on the page.
FIELD_LABELS = {
    **HEADERS,
    "email": N_("Email"),
    "display_name": N_("Name"),
    "role": N_("Role"),
    "active": N_("Account enabled"),
}


@get("/audit", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
def audit_log(request: Request) -> Response:
    ctx = request.state.ctx
    params = request.query_params
    filters = {k: params.get(k, "")[:60] for k in ("entity", "entity_id", "action", "actor", "since", "until")}
    conditions = [AuditEntry.tenant_id == ctx.tenant_id]
    if filters["entity"]:
        conditions.append(AuditEntry.entity == filters["entity"])
    if filters["entity_id"]:
        conditions.append(AuditEntry.entity_id == filters["entity_id"])
    if filters["action"]:
        conditions.append(AuditEntry.action.startswith(filters["action"], autoescape=True))
    if filters["actor"]:
        conditions.append(AuditEntry.actor_label.contains(filters["actor"], autoescape=True))
    for key, compare in (
        ("since", lambda d: AuditEntry.occurred_at >= d),
        ("until", lambda d: AuditEntry.occurred_at < d + timedelta(days=1)),
    ):
        if filters[key]:
            try:
                conditions.append(compare(parse_date(filters[key], key)))
            except DomainError:
                filters[key] = ""
    with tenant_session(ctx.tenant_id) as db:
        entries = db.exec(select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).limit(PER_PAGE)).all()
        entities = db.exec(select(AuditEntry.entity).where(AuditEntry.tenant_id == ctx.tenant_id).distinct()).all()
        total = db.exec(select(func.count()).select_from(AuditEntry).where(*conditions)).one()
    return page(
        request,
        "audit/log.html",
        entries=entries,
        filters=filters,
        entities=sorted(entities),
        total=total,
        field_labels=FIELD_LABELS,
    )
