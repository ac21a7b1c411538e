"""Reading alerts for the compliance page, fast at any size.

Open, unacknowledged alerts are listed by severity (high, medium, low),
then by the date to act by.  Each severity is read on its own through the
partial index ``compliance_alerts_open (tenant_id, severity, act_by) where
open and acknowledged_at is null`` and a page is stitched from the counts,
so a page costs a few index probes rather than a sort of every alert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from service.compliance.evaluate import BUREAU_SUBJECT
from service.compliance.titles import SEVERITIES
from tenants.isolation import TenantSession

PER_PAGE = 50
OPEN = "open"
ACKNOWLEDGED = "acknowledged"


@dataclass(frozen=True)
class AlertFilter:
    tab: str = OPEN  # open (to do) or acknowledged
    severity: str = ""
    rule: str = ""


@dataclass(frozen=True)
class AlertRow:
    id: int
    worker_id: int | None
    worker_name: str | None
    bureau_name: str | None  # the client bureau a dispatch-cap alert is about, by its name today
    subject: str
    rule: str
    severity: str
    article: str
    message: str
    params: dict[str, Any]
    act_by: date
    amount: Decimal | None
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    acknowledgement: str | None


@dataclass(frozen=True)
class AlertPage:
    rows: list[AlertRow]
    total: int  # rows matching the filter
    page: int
    counts: dict[str, int]  # open, unacknowledged alerts per severity (rule filter applied)
    acknowledged: int  # open, acknowledged alerts (rule and severity filters applied)
    per_page: int = PER_PAGE
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pages", max(1, math.ceil(self.total / self.per_page)))


_COLUMNS = """
    select a.id, a.worker_id, w.name as worker_name, b.name as bureau_name, a.subject, a.rule, a.severity, a.article,
           a.message, a.params, a.act_by, a.amount, a.acknowledged_at, a.acknowledged_by, a.acknowledgement
    from compliance_alerts a
    left join workers w on w.tenant_id = a.tenant_id and w.id = a.worker_id
    left join client_bureaus b on b.tenant_id = a.tenant_id and a.subject = :bureau_subject || b.id
"""


def _rows(db: Session, sql: str, params: dict[str, Any]) -> list[AlertRow]:
    return [AlertRow(**row._mapping) for row in db.execute(text(_COLUMNS + sql), {**params, "bureau_subject": BUREAU_SUBJECT})]


def alert_page(db: TenantSession, f: AlertFilter, page: int = 1) -> AlertPage:
    rule_sql = " and a.rule = :rule" if f.rule else ""
    params: dict[str, Any] = {"t": db.tenant_id, "rule": f.rule}
    counts = dict.fromkeys(SEVERITIES, 0)
    for severity, count in db.execute(
        text(
            "select a.severity, count(*) from compliance_alerts a"
            " where a.tenant_id = :t and a.open and a.acknowledged_at is null" + rule_sql + " group by a.severity"
        ),
        params,
    ):
        counts[severity] = count
    severity_sql = " and a.severity = :severity" if f.severity else ""
    acknowledged = db.execute(
        text(
            "select count(*) from compliance_alerts a"
            " where a.tenant_id = :t and a.open and a.acknowledged_at is not null" + rule_sql + severity_sql
        ),
        {**params, "severity": f.severity},
    ).scalar_one()
    if f.tab == ACKNOWLEDGED:
        total = acknowledged
        page = _clamp(page, total)
        rows = _rows(
            db,
            " where a.tenant_id = :t and a.open and a.acknowledged_at is not null"
            + rule_sql
            + severity_sql
            + " order by a.acknowledged_at desc, a.id desc limit :limit offset :offset",
            {**params, "severity": f.severity, "limit": PER_PAGE, "offset": (page - 1) * PER_PAGE},
        )
        return AlertPage(rows, total, page, counts, acknowledged)

    severities = [s for s in SEVERITIES if not f.severity or s == f.severity]
    total = sum(counts[s] for s in severities)
    page = _clamp(page, total)
    skip, wanted, rows = (page - 1) * PER_PAGE, PER_PAGE, []
    for severity in severities:  # each one an index scan in act_by order
        if skip >= counts[severity]:
            skip -= counts[severity]
            continue
        found = _rows(
            db,
            " where a.tenant_id = :t and a.open and a.acknowledged_at is null and a.severity = :severity"
            + rule_sql
            + " order by a.act_by, a.id limit :limit offset :offset",
            {**params, "severity": severity, "limit": wanted, "offset": skip},
        )
        rows += found
        skip, wanted = 0, wanted - len(found)
        if wanted <= 0:
            break
    return AlertPage(rows, total, page, counts, acknowledged)


def _clamp(page: int, total: int) -> int:
    return max(1, min(page, max(1, math.ceil(total / PER_PAGE))))
