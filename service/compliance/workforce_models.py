"""A client bureau's recorded workforce: what the 10% dispatch cap needs.

Since migration 0016 the figure lives on the bureau record itself
(``service.bureaus.models.ClientBureau.direct_headcount`` and ``cap_warning``);
``client_workforce`` was merged into ``client_bureaus`` and dropped.
"""

from __future__ import annotations

from service.bureaus.models import ClientBureau

__all__ = ["ClientBureau"]
