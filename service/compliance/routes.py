"""The compliance page: open alerts to act on, and the ones acknowledged."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.compliance import actions, listing
from service.compliance.titles import RULE_TITLES, SEVERITIES, SEVERITY_LABELS
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text, page_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK, StaffRole.VIEWER)
ACKNOWLEDGERS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
# Existing badge colours (web/static/app.css) for the three severities.
SEVERITY_BADGES = {"high": "suspended", "medium": "probation", "low": "candidate"}


def _filter_from(request: Request) -> listing.AlertFilter:
    params = request.query_params
    severity = params.get("severity", "")
    rule = params.get("rule", "")
    return listing.AlertFilter(
        tab=listing.ACKNOWLEDGED if params.get("tab") == listing.ACKNOWLEDGED else listing.OPEN,
        severity=severity if severity in SEVERITIES else "",
        rule=rule if rule in RULE_TITLES else "",
    )


def _query(request: Request):
    """Links to the same list with some parameters changed (None drops one)."""

    def with_changes(**changes: Any) -> str:
        dropped = {"done", *changes} | ({"page"} if changes else set())  # a new filter starts at page 1
        params = {k: v for k, v in request.query_params.items() if k not in dropped}
        params.update({k: v for k, v in changes.items() if v not in (None, "")})
        return urlencode(params)

    return with_changes


def _render(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    errors: dict[int, str] | None = None,
    comments: dict[int, str] | None = None,
) -> Response:
    f = _filter_from(request)
    result = listing.alert_page(db, f, page_number(request.query_params.get("page", "")))
    return page(
        request,
        "compliance/alerts.html",
        result=result,
        filter=f,
        rule_titles=RULE_TITLES,
        severities=SEVERITIES,
        severity_labels=SEVERITY_LABELS,
        severity_badges=SEVERITY_BADGES,
        can_acknowledge=ctx.has_role(*ACKNOWLEDGERS),
        link_query=_query(request),
        errors=errors or {},
        comments=comments or {},
        done=request.query_params.get("done", ""),
    )


def _acknowledge_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """The list again, the refusal beside the alert's comment box."""
    alert_id = request.path_params["alert_id"]
    message = "；".join(refused.errors.values())
    return _render(request, ctx, db, errors={alert_id: message}, comments={alert_id: refused.text("comment")})


class ComplianceController(Controller):
    path = "/compliance"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _render(request, ctx, db)

    @post("/{alert_id:int}/acknowledge", opt=allow(*ACKNOWLEDGERS) | shown_again_by(_acknowledge_refused), sync_to_thread=True)
    def acknowledge(self, request: Request, ctx: RequestCtx, db: TenantDb, alert_id: FromPath[int], data: FormData) -> Response:
        alert = actions.get_alert(db, alert_id)
        if alert is None:
            raise NotFoundException()
        actions.acknowledge(db, alert, field_text(data, "comment"), actor=ctx.actor)
        # The form posts to a URL carrying the list's query string: go back to that list.
        return see_other(ctx.tenant_path("/compliance") + "?" + _with_done(request.url.query))


def _with_done(query: str) -> str:
    params = [(k, v) for k, v in parse_qsl(query) if k in ("severity", "rule", "page", "tab")]
    return urlencode([*params, ("done", "acknowledged")])
