"""``paiqian compliance check``: recompute every tenant's alerts (the daily cron job).

Each tenant is recomputed in its own tenant transaction (``check_tenant``), so
one tenant's failure leaves the others' results committed; the command then
exits 1.  The worker runs the same check every night, one job per tenant
(``service.jobs.periodic``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlmodel import select

from service.compliance.engine import RecomputeCounts, recompute_tenant
from service.compliance.titles import SEVERITIES
from service.grades.actions import apply_due_changes as apply_due_grade_changes
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant, TenantStatus

log = logging.getLogger("paiqian.compliance")

# Cancelled tenants keep their data but nobody works on it any more.
SKIPPED_STATUSES = frozenset({TenantStatus.CANCELLED})


def describe(counts: RecomputeCounts) -> str:
    severities = ", ".join(f"{s} {counts.by_severity.get(s, 0)}" for s in SEVERITIES)
    return f"{counts.workers} workers, {counts.open} open alerts ({severities}), {counts.opened} new, {counts.closed} closed"


def tenants_to_check(slug: str | None = None) -> list[Tenant]:
    """The tenant ``slug``, or every tenant but the cancelled ones."""
    with control_session() as control:
        query = select(Tenant).order_by(Tenant.slug)
        if slug is not None:
            query = query.where(Tenant.slug == slug)
        return [t for t in control.exec(query).all() if slug is not None or t.status not in SKIPPED_STATUSES]


def check_tenant(tenant_id: uuid.UUID, today: date) -> RecomputeCounts:
    """One tenant's check, in one tenant transaction."""
    with tenant_session(tenant_id) as db:
        # Grade changes decided for a later date take effect first, so payroll and alerts see them.
        apply_due_grade_changes(db, today)
        return recompute_tenant(db, today)


def run_check(slug: str | None, today: date, echo: Callable[[str], Any]) -> int:
    """Recompute the tenant ``slug``, or every tenant; print one line each. Returns the exit code."""
    tenants = tenants_to_check(slug)
    if slug is not None and not tenants:
        echo(f"no tenant with the code {slug}")
        return 2
    failures = 0
    for tenant in tenants:
        try:
            counts = check_tenant(tenant.id, today)
        except Exception:  # one tenant's bad data must not stop the others
            log.exception("compliance check failed for tenant %s", tenant.slug)
            echo(f"{tenant.slug}: FAILED (see the log)")
            failures += 1
            continue
        echo(f"{tenant.slug}: {describe(counts)}")
    echo(f"checked {len(tenants) - failures} tenant(s) on {today.isoformat()}" + (f", {failures} failed" if failures else ""))
    return 1 if failures else 0
