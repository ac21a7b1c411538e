"""The only code that writes what people do with alerts: acknowledging one.

An acknowledgement hides an open alert from the to-do list while the facts
it was raised on stay the same (see ``engine``); it is audited.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from service.audit import Actor, record
from service.compliance.models import ComplianceAlert
from service.errors import N_, DomainError
from tenants.isolation import TenantSession

COMMENT_MAX = 500


def _snapshot(alert: ComplianceAlert) -> dict:
    return {
        "subject": alert.subject,
        "rule": alert.rule,
        "severity": alert.severity,
        "act_by": alert.act_by.isoformat(),
        "acknowledged_by": alert.acknowledged_by,
        "acknowledgement": alert.acknowledgement,
    }


def get_alert(db: TenantSession, alert_id: int) -> ComplianceAlert | None:
    return db.exec(
        select(ComplianceAlert).where(ComplianceAlert.tenant_id == db.tenant_id, ComplianceAlert.id == alert_id)
    ).first()


def acknowledge(db: TenantSession, alert: ComplianceAlert, comment: str, *, actor: Actor) -> ComplianceAlert:
    """Acknowledge an open alert with a comment saying what was done or decided."""
    comment = comment.strip()
    if not comment:
        raise DomainError(N_("Say what was done or decided about this alert."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(N_("At most {limit} characters."), field="comment", limit=COMMENT_MAX)
    if not alert.open:
        raise DomainError(N_("This alert is closed: the rule no longer applies."), field="comment")
    before = _snapshot(alert)
    alert.acknowledged_at = datetime.now(UTC)
    alert.acknowledged_by = actor.label[:120]
    alert.acknowledgement = comment
    db.add(alert)
    db.flush()
    record(
        db,
        db.tenant_id,
        actor,
        "compliance_alert.acknowledge",
        "compliance_alert",
        alert.id,
        before=before,
        after=_snapshot(alert),
    )
    return alert
