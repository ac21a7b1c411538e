"""What every assessment page shares: who may read and write, the labels, and the upload helpers."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from service.accounts.models import ALL_STAFF, StaffRole
from service.assessment.inputs import COMPONENTS
from service.assessment.models import CATEGORY_LABELS, LIFECYCLE_BADGES, LIFECYCLE_LABELS, PERIOD_KIND_LABELS
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.web.context import RequestContext
from service.web.pages import page

WRITERS = (StaffRole.ADMIN, StaffRole.ASSESSOR)
READERS = tuple(ALL_STAFF)

COMMON: dict[str, Any] = {  # template context, passed on beside page()'s own keywords
    "category_labels": CATEGORY_LABELS,
    "kind_labels": PERIOD_KIND_LABELS,
    "lifecycle_labels": LIFECYCLE_LABELS,
    "lifecycle_badges": LIFECYCLE_BADGES,
    "rating_labels": RATING_LABELS,
    "rating_names": {r.value: RATING_LABELS[r] for r in Rating},
    "component_labels": COMPONENTS,
}


def render(request: Request, ctx: RequestContext, template: str, **context: Any) -> Response:
    return page(request, f"assessment/{template}", can_write=ctx.has_role(*WRITERS), **COMMON, **context)
