"""The rating charts page: distribution per period and trend over periods, by bureau or post line."""

from __future__ import annotations

from litestar import Controller, Request, Response, get

from service.accounts.models import ALL_STAFF
from service.assessment import charts
from service.assessment.models import PERIOD_KIND_LABELS, PeriodKind
from service.assessment.ratings import LABELS as RATING_LABELS
from service.assessment.ratings import Rating
from service.web.access import allow
from service.web.dependencies import RequestCtx, TenantDb
from service.web.pages import page


class ChartsController(Controller):
    path = "/charts"

    @get("/assessment", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def assessment(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        t = ctx.translate
        params = request.query_params
        by = params.get("by", "bureau")
        by = by if by in charts.GROUPINGS else "bureau"
        kind = params.get("kind", "")
        kind = kind if kind in {k.value for k in PeriodKind} else ""
        group = params.get("group", "")[:120]
        data = charts.load(db, by, group, kind or None)
        if group and group not in data.groups:
            group = ""
        labels = {r: t(RATING_LABELS[r]) for r in Rating}
        distribution = charts.distribution_svg(
            data.distribution, labels, t("Ratings per period: {group}", group=group or t("All"))
        )
        trend = charts.trend_svg([name for _, name in data.periods], data.series, t("Average score over periods"))
        return page(
            request,
            "grades/charts.html",
            data=data,
            by=by,
            kind=kind,
            group=group,
            distribution=distribution,
            trend=trend,
            ratings=list(Rating),
            rating_labels=RATING_LABELS,
            kinds=list(PeriodKind),
            kind_labels=PERIOD_KIND_LABELS,
        )
