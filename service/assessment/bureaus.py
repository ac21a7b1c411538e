"""Which bureau a worker is assessed and ranked in: the ONE place that decides.

Workers point at their bureau's record (``Worker.bureau_id``); items, periods
and campaigns scoped to a bureau point at it too (migration 0025), and so does
the group a result was ranked in (migration 0028): a scope and a group are
matched by id, and a page shows the bureau's name as it is now.
"""

from __future__ import annotations

from service.workforce.models import Worker


def bureau_of(worker: Worker) -> int:
    """The bureau a worker is grouped by (quotas): its record's id."""
    return worker.bureau_id


def in_bureau(worker: Worker, bureau_id: int | None) -> bool:
    """Whether a bureau scope (None: every bureau) covers the worker."""
    return bureau_id is None or bureau_of(worker) == bureau_id
