"""Which bureau a worker is assessed and ranked in: the ONE place that decides.

Today the bureau is the text field ``Worker.client_bureau``; when workers
point at bureau records (``Worker.bureau_id``), change this function (and
only it) so grouping, quotas and scoping follow.
"""

from __future__ import annotations

from service.workforce.models import Worker


def bureau_of(worker: Worker) -> str:
    """The key a worker is grouped by (quotas) and matched against a bureau scope."""
    return worker.client_bureau or ""
