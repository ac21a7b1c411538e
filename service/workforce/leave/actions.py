"""Leave requests and balances: the only code that writes them.

A request is recorded on a worker's behalf by an HR clerk today (the
assistants' portal will let the worker submit it), and approved or rejected
by an HR clerk or administrator who did not submit it, standing in for the
street office that approves leave (seed 003 篇1).  Every change is audited in
the caller's transaction.  Submitting and approving lock the worker's row,
so two requests for the same worker cannot both pass the overlap and balance
checks at the same moment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import case, func
from sqlmodel import col, select

from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError, Label
from service.workforce.daily_models import DAILY_LABELS, LeaveEntitlement, LeaveRequest, LeaveStatus, LeaveType
from service.workforce.leave.rules import (
    LeaveInput,
    Span,
    annual_leave_for_year,
    leave_days_in_year,
    refuse_over_entitlement,
    refuse_overlap,
)
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession

HOLDING = (LeaveStatus.PENDING, LeaveStatus.APPROVED)  # requests that take up days
COMMENT_LIMIT = 500
PER_PAGE = 50


@dataclass(frozen=True)
class LeaveBalance:
    leave_type: LeaveType
    entitlement: int | None  # None: this type is not limited
    configured: bool  # set by HR rather than computed
    used: int  # approved
    pending: int

    @property
    def remaining(self) -> int | None:
        return None if self.entitlement is None else self.entitlement - self.used


def _lock_worker(db: TenantSession, worker_id: int) -> Worker | None:
    return db.exec(select(Worker).where(Worker.tenant_id == db.tenant_id, Worker.id == worker_id).with_for_update()).first()


def load_request(db: TenantSession, request_id: int, *, for_update: bool = False) -> LeaveRequest | None:
    query = select(LeaveRequest).where(LeaveRequest.tenant_id == db.tenant_id, LeaveRequest.id == request_id)
    return db.exec(query.with_for_update() if for_update else query).first()


def _holding(db: TenantSession, worker_id: int, start: date, end: date, exclude_id: int | None = None) -> list[LeaveRequest]:
    """The worker's pending and approved requests touching ``start``..``end``."""
    query = select(LeaveRequest).where(
        LeaveRequest.tenant_id == db.tenant_id,
        LeaveRequest.worker_id == worker_id,
        col(LeaveRequest.status).in_(HOLDING),
        LeaveRequest.start_date <= end,
        LeaveRequest.end_date >= start,
    )
    if exclude_id is not None:
        query = query.where(LeaveRequest.id != exclude_id)
    return list(db.exec(query))


def _configured(db: TenantSession, worker_id: int, year: int) -> dict[LeaveType, int]:
    rows = db.exec(
        select(LeaveEntitlement).where(
            LeaveEntitlement.tenant_id == db.tenant_id,
            LeaveEntitlement.worker_id == worker_id,
            LeaveEntitlement.year == year,
        )
    )
    return {row.leave_type: row.days for row in rows}


def entitlement(worker: Worker, leave_type: LeaveType, year: int, configured: dict[LeaveType, int]) -> int | None:
    """HR's figure if set; else annual leave by the statute; else not limited."""
    if leave_type in configured:
        return configured[leave_type]
    if leave_type is LeaveType.ANNUAL:
        return annual_leave_for_year(worker.hire_date, year)
    return None


def _refuse_over_entitlement(
    db: TenantSession, worker: Worker, leave_type: LeaveType, start: date, end: date, exclude_id: int | None
) -> None:
    for year in range(start.year, end.year + 1):
        limit = entitlement(worker, leave_type, year, _configured(db, id_of(worker), year))
        if limit is None:
            continue
        others = _holding(db, id_of(worker), date(year, 1, 1), date(year, 12, 31), exclude_id)
        taken = sum(
            leave_days_in_year(r.leave_type, r.start_date, r.end_date, year) for r in others if r.leave_type is leave_type
        )
        requested = leave_days_in_year(leave_type, start, end, year)
        refuse_over_entitlement(leave_type, year, requested, limit, taken)


def submit_leave(db: TenantSession, data: LeaveInput, *, actor: Actor) -> LeaveRequest:
    """Record a request on behalf of the worker (``actor`` is who submits it)."""
    tenant_id = db.tenant_id
    worker = _lock_worker(db, data.worker_id)
    if worker is None:
        raise DomainError(N_("Choose a worker."), field="worker_id")
    if worker.status in (WorkerStatus.CANDIDATE, WorkerStatus.LEFT):
        raise DomainError(N_("Leave can be recorded only for a worker who is employed."), field="worker_id")
    if data.start_date < worker.hire_date:
        raise DomainError(
            N_("Leave cannot start before the hire date, {hire_date}."),
            field="start_date",
            hire_date=worker.hire_date.isoformat(),
        )
    existing = _holding(db, id_of(worker), data.start_date, data.end_date)
    refuse_overlap(data.start_date, data.end_date, [Span(id_of(r), r.start_date, r.end_date) for r in existing])
    _refuse_over_entitlement(db, worker, data.leave_type, data.start_date, data.end_date, None)
    request = LeaveRequest(
        tenant_id=tenant_id,
        worker_id=id_of(worker),
        leave_type=data.leave_type,
        start_date=data.start_date,
        end_date=data.end_date,
        days=data.days(),
        reason=data.reason,
        status=LeaveStatus.PENDING,
        submitted_by_kind=actor.kind,
        submitted_by_id=actor.id,
        submitted_by=actor.label,
    )
    db.add(request)
    db.flush()
    record(db, tenant_id, actor, "leave.submit", "leave_request", request.id, after=request.snapshot())
    return request


def is_submitter(actor: Actor, request: LeaveRequest) -> bool:
    if actor.kind != request.submitted_by_kind:
        return False
    if actor.id is not None or request.submitted_by_id is not None:
        return actor.id == request.submitted_by_id
    return actor.label == request.submitted_by


def _comment(text: str, *, required: bool) -> str:
    text = text.strip()
    if required and not text:
        raise DomainError(N_("Say why the request is rejected."), field="comment")
    if len(text) > COMMENT_LIMIT:
        raise DomainError(N_("At most {limit} characters."), field="comment", limit=COMMENT_LIMIT)
    return text


def _decide(db: TenantSession, request: LeaveRequest, status: LeaveStatus, comment: str, *, actor: Actor) -> LeaveRequest:
    if request.status is not LeaveStatus.PENDING:
        raise DomainError(
            N_("This request is already {status}; only a request awaiting approval can be decided."),
            field="comment",
            status=Label(DAILY_LABELS[request.status]),
        )
    if is_submitter(actor, request):
        raise DomainError(N_("You submitted this request, so someone else must approve or reject it."), field="comment")
    before = request.snapshot()
    request.status = status
    request.decided_by_kind, request.decided_by_id, request.decided_by = actor.kind, actor.id, actor.label
    request.decided_at = datetime.now(UTC)
    request.decision_comment = comment
    db.add(request)
    db.flush()
    action = "leave.approve" if status is LeaveStatus.APPROVED else "leave.reject"
    record(db, db.tenant_id, actor, action, "leave_request", request.id, before=before, after=request.snapshot())
    return request


def approve_leave(db: TenantSession, request: LeaveRequest, comment: str = "", *, actor: Actor) -> LeaveRequest:
    comment = _comment(comment, required=False)
    worker = _lock_worker(db, request.worker_id)
    assert worker is not None  # the foreign key
    if request.status is LeaveStatus.PENDING and not is_submitter(actor, request):
        # The entitlement may have changed since the request was submitted.
        _refuse_over_entitlement(db, worker, request.leave_type, request.start_date, request.end_date, request.id)
    return _decide(db, request, LeaveStatus.APPROVED, comment, actor=actor)


def reject_leave(db: TenantSession, request: LeaveRequest, comment: str, *, actor: Actor) -> LeaveRequest:
    return _decide(db, request, LeaveStatus.REJECTED, _comment(comment, required=True), actor=actor)


def cancel_leave(db: TenantSession, request: LeaveRequest, *, actor: Actor) -> LeaveRequest:
    """Withdraw a pending request or cancel an approved one; its days are free again."""
    if request.status not in HOLDING:
        raise DomainError(
            N_("This request is already {status} and cannot be cancelled."),
            field="comment",
            status=Label(DAILY_LABELS[request.status]),
        )
    before = request.snapshot()
    request.status = LeaveStatus.CANCELLED
    request.cancelled_by = actor.label
    request.cancelled_at = datetime.now(UTC)
    db.add(request)
    db.flush()
    record(db, db.tenant_id, actor, "leave.cancel", "leave_request", request.id, before=before, after=request.snapshot())
    return request


def set_entitlement(
    db: TenantSession, worker: Worker, year: int, leave_type: LeaveType, days: int | None, *, actor: Actor
) -> None:
    """HR's figure for one worker, year and type; ``None`` goes back to the default."""
    tenant_id = db.tenant_id
    if not 2000 <= year <= 2100:
        raise DomainError(N_("Enter a year between 2000 and 2100."), field="year")
    if days is not None and not 0 <= days <= 366:
        raise DomainError(N_("Enter a whole number of days from 0 to 366."), field="days")
    row = db.exec(
        select(LeaveEntitlement).where(
            LeaveEntitlement.tenant_id == tenant_id,
            LeaveEntitlement.worker_id == worker.id,
            LeaveEntitlement.year == year,
            LeaveEntitlement.leave_type == leave_type,
        )
    ).first()
    before = None if row is None else {"days": row.days}
    if days is None:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(LeaveEntitlement(tenant_id=tenant_id, worker_id=id_of(worker), year=year, leave_type=leave_type, days=days))
    else:
        row.days = days
        row.updated_at = datetime.now(UTC)
        db.add(row)
    db.flush()
    after = None if days is None else {"days": days}
    if before != after:
        record(
            db,
            tenant_id,
            actor,
            "leave.entitlement",
            "worker",
            worker.id,
            before=before and {"year": year, "leave_type": leave_type.value, **before},
            after=after and {"year": year, "leave_type": leave_type.value, **after},
        )


def balances(db: TenantSession, worker: Worker, year: int) -> list[LeaveBalance]:
    """Every leave type's figures for ``year``: entitlement, approved and pending days."""
    configured = _configured(db, id_of(worker), year)
    used = dict.fromkeys(LeaveType, 0)
    pending = dict.fromkeys(LeaveType, 0)
    for r in _holding(db, id_of(worker), date(year, 1, 1), date(year, 12, 31)):
        days = leave_days_in_year(r.leave_type, r.start_date, r.end_date, year)
        (used if r.status is LeaveStatus.APPROVED else pending)[r.leave_type] += days
    return [LeaveBalance(t, entitlement(worker, t, year, configured), t in configured, used[t], pending[t]) for t in LeaveType]


@dataclass(frozen=True)
class LeaveFilter:
    status: LeaveStatus | None = None
    leave_type: LeaveType | None = None
    q: str = ""  # part of the worker's name
    year: int | None = None


@dataclass(frozen=True)
class LeaveRow:
    request: LeaveRequest
    worker_name: str
    unit: str


@dataclass(frozen=True)
class LeavePage:
    rows: list[LeaveRow]
    total: int
    page: int
    pages: int


def search(db: TenantSession, f: LeaveFilter, page: int = 1) -> LeavePage:
    """Requests awaiting approval first (oldest first), then the rest, latest first."""
    tenant_id = db.tenant_id
    conditions = [col(LeaveRequest.tenant_id) == tenant_id, col(Worker.tenant_id) == tenant_id]
    if f.status:
        conditions.append(col(LeaveRequest.status) == f.status)
    if f.leave_type:
        conditions.append(col(LeaveRequest.leave_type) == f.leave_type)
    if f.q:
        escaped = f.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(col(Worker.name).ilike(f"%{escaped}%", escape="\\"))
    if f.year:
        conditions += [col(LeaveRequest.start_date) <= date(f.year, 12, 31), col(LeaveRequest.end_date) >= date(f.year, 1, 1)]
    joined = select(LeaveRequest, Worker.name, Worker.unit).join(
        Worker, (col(Worker.tenant_id) == LeaveRequest.tenant_id) & (col(Worker.id) == LeaveRequest.worker_id)
    )
    total = db.exec(
        select(func.count())
        .select_from(LeaveRequest)
        .join(Worker, (col(Worker.tenant_id) == LeaveRequest.tenant_id) & (col(Worker.id) == LeaveRequest.worker_id))
        .where(*conditions)
    ).one()
    pages = max(1, math.ceil(total / PER_PAGE))
    page = max(1, min(page, pages))
    is_pending = case((col(LeaveRequest.status) == LeaveStatus.PENDING, 0), else_=1)
    pending_age = case((col(LeaveRequest.status) == LeaveStatus.PENDING, col(LeaveRequest.submitted_at)), else_=None)
    rows = db.exec(
        joined.where(*conditions)
        .order_by(is_pending, pending_age.asc(), col(LeaveRequest.start_date).desc(), col(LeaveRequest.id).desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return LeavePage([LeaveRow(r, name, unit) for r, name, unit in rows], total, page, pages)


def recent_requests(db: TenantSession, worker_id: int, limit: int = 10) -> list[LeaveRequest]:
    return list(
        db.exec(
            select(LeaveRequest)
            .where(LeaveRequest.tenant_id == db.tenant_id, LeaveRequest.worker_id == worker_id)
            .order_by(col(LeaveRequest.start_date).desc(), col(LeaveRequest.id).desc())
            .limit(limit)
        )
    )
