"""Client bureaus' recorded workforce (the 10% dispatch cap's denominator):
reading it for the page, and the only code that writes it (audited).

The figure hangs off the bureau record (``client_bureaus.direct_headcount``,
``cap_warning``; migration 0016).  Saving a figure says so
(``BureausChanged``): the bureau's dispatch-cap alert is recomputed before the
commit.  The cap itself (10%, 劳务派遣暂行规定 Art. 4) is here because the page
shows it whatever the warning setting; the compliance alert applies it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service import clock, events
from service.accounts.models import StaffRole
from service.audit import Actor, record
from service.bureaus.events import BureausChanged
from service.bureaus.models import ClientBureau
from service.database.ids import id_of
from service.errors import N_, DomainError
from tenants.isolation import TenantSession

HEADCOUNT_MAX = 10_000_000  # well inside the integer column; no bureau comes near it
BUREAU_MAX = 80
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)  # who records a bureau's figure
DISPATCH_CAP_DIVISOR = 10  # dispatched ≤ 1/10 of direct + dispatched

# Who counts as dispatched to a client bureau: workers on probation, active or
# suspended (still employed and dispatched; a suspension does not end the
# dispatch) whose hire date has come.  Candidates have not started, leavers
# are gone.  The same set the compliance rules examine (``evaluate.EMPLOYED``).
DISPATCHED_STATUSES = ("probation", "active", "suspended")


def exceeds_dispatch_cap(direct_headcount: int, dispatched_headcount: int) -> bool:
    """More than 10% of the unit's workforce (direct-contract plus dispatched) is dispatched."""
    return dispatched_headcount * DISPATCH_CAP_DIVISOR > direct_headcount + dispatched_headcount


@dataclass(frozen=True)
class BureauWorkforce:
    """One row of the page."""

    client_bureau: str
    dispatched: int  # this tenant's dispatched workers there (DISPATCHED_STATUSES)
    direct_headcount: int | None  # None: not recorded
    cap_warning: bool
    bureau_id: int | None = None

    @property
    def total(self) -> int | None:
        return None if self.direct_headcount is None else self.direct_headcount + self.dispatched

    @property
    def ratio(self) -> Decimal | None:
        """Dispatched share of the workforce, in percent (one decimal)."""
        total = self.total
        if not total:
            return None
        return (Decimal(self.dispatched) * 100 / total).quantize(Decimal("0.1"))

    @property
    def above_cap(self) -> bool | None:
        """Above 10% (劳务派遣暂行规定 Art. 4), whatever the warning setting; None when not recorded."""
        if self.direct_headcount is None:
            return None
        return exceeds_dispatch_cap(self.direct_headcount, self.dispatched)


def bureaus_in_use(db: TenantSession) -> list[str]:
    """Client bureaus (records) some worker is assigned to."""
    tenant_id = db.tenant_id
    return list(
        db.execute(
            text(
                "select b.name from client_bureaus b where b.tenant_id = :t and exists"
                " (select 1 from workers w where w.tenant_id = b.tenant_id and w.bureau_id = b.id) order by b.name"
            ),
            {"t": tenant_id},
        ).scalars()
    )


def get_record(db: TenantSession, client_bureau: str) -> ClientBureau | None:
    tenant_id = db.tenant_id
    return db.exec(select(ClientBureau).where(ClientBureau.tenant_id == tenant_id, ClientBureau.name == client_bureau)).first()


def workforce_rows(db: TenantSession, today: date) -> list[BureauWorkforce]:
    """Every client bureau, with its dispatched count and recorded figure."""
    tenant_id = db.tenant_id
    dispatched = count_dispatched(db, today)
    return [
        BureauWorkforce(
            client_bureau=b.name,
            dispatched=dispatched.get(id_of(b), 0),
            direct_headcount=b.direct_headcount,
            cap_warning=b.cap_warning,
            bureau_id=b.id,
        )
        for b in db.exec(select(ClientBureau).where(ClientBureau.tenant_id == tenant_id).order_by(ClientBureau.name))
    ]


def count_dispatched(db: TenantSession, today: date, bureau_ids: Collection[int] | None = None) -> dict[int, int]:
    """Dispatched workers per client bureau id (every bureau, or ``bureau_ids`` only).

    One grouped count over the index ``workers_filters (tenant_id, status,
    bureau_id, ...)``.
    """
    tenant_id = db.tenant_id
    if bureau_ids is not None and not bureau_ids:
        return {}
    sql = (
        "select w.bureau_id, count(*) from workers w"
        " where w.tenant_id = :t and w.status = any(cast(:statuses as text[])) and w.hire_date <= :today"
    )
    if bureau_ids is not None:
        sql += " and w.bureau_id = any(cast(:ids as bigint[]))"
    sql += " group by w.bureau_id"
    params = {"t": tenant_id, "statuses": list(DISPATCHED_STATUSES), "today": today, "ids": sorted(bureau_ids or ())}
    return dict(db.execute(text(sql), params).fetchall())


def parse_headcount(raw: object) -> int:
    """A headcount typed or given: a whole number from 0."""
    if isinstance(raw, bool):
        raise DomainError(N_("Enter the headcount as a whole number."), field="direct_headcount")
    if isinstance(raw, int):
        value = raw
    else:
        typed = str(raw).strip().replace(",", "").replace("，", "")
        if not typed:
            raise DomainError(N_("Enter the unit's direct-contract headcount."), field="direct_headcount")
        if typed.startswith("-") and typed[1:].isdigit():
            raise DomainError(N_("The headcount cannot be negative."), field="direct_headcount")
        if not typed.isascii() or not typed.isdigit():
            raise DomainError(N_("Enter the headcount as a whole number."), field="direct_headcount")
        typed = typed.lstrip("0") or "0"
        value = int(typed) if len(typed) <= len(str(HEADCOUNT_MAX)) else HEADCOUNT_MAX + 1  # int() refuses 4,300+ digits
    if value < 0:
        raise DomainError(N_("The headcount cannot be negative."), field="direct_headcount")
    if value > HEADCOUNT_MAX:
        raise DomainError(N_("At most {limit}."), field="direct_headcount", limit=HEADCOUNT_MAX)
    return value


def set_client_workforce(
    db: TenantSession,
    client_bureau: str,
    direct_headcount: int | str,
    cap_warning: bool,
    today: date | None = None,
    *,
    actor: Actor,
) -> ClientBureau:
    """Record (or change) a bureau's direct-contract headcount and cap-warning setting.

    Refused with a DomainError (nothing written): a headcount that is not a
    whole number from 0, or a name that is not a recorded client bureau.
    Then the bureau's dispatch-cap alert is recomputed, before the commit.
    """
    tenant_id = db.tenant_id
    client_bureau = (client_bureau or "").strip()
    headcount = parse_headcount(direct_headcount)
    entry = get_record(db, client_bureau) if client_bureau and len(client_bureau) <= BUREAU_MAX else None
    if entry is None:
        raise DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=client_bureau[:BUREAU_MAX])
    before = {"direct_headcount": entry.direct_headcount, "cap_warning": entry.cap_warning}
    entry.direct_headcount = headcount
    entry.cap_warning = bool(cap_warning)
    entry.updated_at = datetime.now(UTC)
    db.add(entry)
    db.flush()
    after = {"direct_headcount": entry.direct_headcount, "cap_warning": entry.cap_warning}
    if before != after:
        record(db, tenant_id, actor, "client_workforce.set", "client_bureau", entry.id, before=before, after=after)
    events.record(db, BureausChanged(tenant_id, (id_of(entry),), today or clock.today()))
    return entry
