"""The dispatch-cap alert is about the bureau's record: subject ``bureau:<id>``, not ``unit:<name>``.

The 10% dispatch-cap alert was keyed by the client bureau's *name* (subject
``unit:<name>``, or ``unit:#`` and a hash of a name too long for the
60-character subject) and carried the name in its params, so renaming a bureau
closed its alert and raised another.  Now its subject is ``bureau:<id>`` and the
compliance page looks the name up.

- Each ``dispatch_cap`` alert whose name matches a bureau of its tenant (as
  written, or by the hash) gets the subject ``bureau:<id>``; the name leaves
  its params, and its fingerprint is computed again without it (as the code
  does, ``evaluate.Raised.fingerprint``), so an acknowledgement survives.
- A ``dispatch_cap`` alert whose name matches no bureau (one renamed since:
  its alert was closed then) is deleted.  Nothing is lost: the nightly check
  (``paiqian compliance check``) recomputes every alert from the facts.

No schema change: the subject column and its (tenant_id, subject, rule) key
are unchanged.  The downgrade writes the names back.

Revision ID: 0027
Revises: 0026
"""

from __future__ import annotations

import hashlib
import json

from alembic import op
from sqlalchemy import text

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_TABLES = ("client_bureaus", "compliance_alerts")
_RULE = "dispatch_cap"
# The subject the code wrote at 0024 for a bureau's name (``evaluate.unit_subject`` then).
_UNIT_SUBJECT = (
    "case when char_length('unit:' || b.name) <= 60 then 'unit:' || b.name"
    " else 'unit:#' || left(encode(sha256(convert_to(b.name, 'UTF8')), 'hex'), 32) end"
)
# Parameters left out of the fingerprint (``evaluate.VOLATILE_PARAMS``).
_VOLATILE = frozenset({"amount", "days_left"})


def _fingerprint(rule: str, severity: str, message: str, params: dict[str, object]) -> str:
    facts = {
        "rule": rule,
        "severity": severity,
        "message": message,
        "params": {k: v for k, v in params.items() if k not in _VOLATILE},
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _refingerprint() -> None:
    """The dispatch-cap alerts' fingerprints, over their params as they now are."""
    bind = op.get_bind()
    rows = bind.execute(
        text("select tenant_id, id, rule, severity, message, params from compliance_alerts where rule = :rule"),
        {"rule": _RULE},
    ).fetchall()
    for tenant_id, alert_id, rule, severity, message, params in rows:
        bind.execute(
            text("update compliance_alerts set fingerprint = :f where tenant_id = :t and id = :id"),
            {"f": _fingerprint(rule, severity, message, params), "t": tenant_id, "id": alert_id},
        )


def _unforced() -> None:
    """The migration runs as the tables' owner, whom FORCE'd row-level security
    would limit to no tenant at all: FORCE is lifted for the conversion."""
    for table in _TABLES:
        op.execute(f"alter table {table} no force row level security")


def _forced() -> None:
    for table in _TABLES:
        op.execute(f"alter table {table} force row level security")


def upgrade() -> None:
    _unforced()
    op.execute(
        f"""
        update compliance_alerts a set subject = 'bureau:' || b.id, params = a.params - 'unit'
        from client_bureaus b
        where a.rule = '{_RULE}' and a.subject like 'unit:%'
          and b.tenant_id = a.tenant_id and a.subject = {_UNIT_SUBJECT}
        """
    )
    op.execute(f"delete from compliance_alerts where rule = '{_RULE}' and subject like 'unit:%'")
    _refingerprint()
    _forced()


def downgrade() -> None:
    _unforced()
    op.execute(
        f"""
        update compliance_alerts a set subject = {_UNIT_SUBJECT}, params = a.params || jsonb_build_object('unit', b.name)
        from client_bureaus b
        where a.rule = '{_RULE}' and b.tenant_id = a.tenant_id and a.subject = 'bureau:' || b.id
        """
    )
    _refingerprint()
    _forced()
