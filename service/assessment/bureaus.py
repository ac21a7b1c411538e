"""Which bureau a worker is assessed and ranked in: the ONE place that decides.

Workers point at their bureau's record (``Worker.bureau_id``); items, periods
and campaigns scoped to a bureau point at it too (migration 0025), so a scope
is matched by id.  Quotas group workers by the bureau's name, which is what
results show and which is unique per tenant.
"""

from __future__ import annotations

from service.workforce.models import Worker


def bureau_of(worker: Worker) -> str:
    """The key a worker is grouped by (quotas) and shown under."""
    return worker.client_bureau or ""


def in_bureau(worker: Worker, bureau_id: int | None) -> bool:
    """Whether a bureau scope (None: every bureau) covers the worker."""
    return bureau_id is None or worker.bureau_id == bureau_id
