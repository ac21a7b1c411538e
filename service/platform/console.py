"""The operator console at /ops: every tenant's state, and the few things
operators do (create, suspend, reactivate, support access).  Control plane:
operator sessions have no tenant and count nowhere else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.billing import queries as billing_queries
from service.billing.models import STATUS_BADGES, STATUS_LABELS
from service.billing.subscriptions import count_billable
from service.database.ids import id_of
from service.platform import actions, queries
from service.platform.operators import OperatorRole, sign_in
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.dependencies import PlatformDb, RequestCtx
from service.web.forms import FormData, field_text, whole_number
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.web.sign_in import signed_in
from tenants.isolation import TenantSession
from tenants.models import Tenant

OPERATOR = allow(OperatorRole.OPERATOR)
NEW_TENANT_FIELDS = ("name", "slug", "admin_email", "plan")


def _tenant_or_404(db: TenantSession, code: str) -> Tenant:
    tenant = queries.tenant_by_slug(db, code)
    if tenant is None:
        raise NotFoundException()
    return tenant


def _common() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES}


def _sign_in_refused(request: Request, ctx: RequestContext, _db: TenantSession, refused: RefusedForm) -> Response:
    return page(request, "ops/login.html", email=refused.text("email")[:254], error=refused.message)


def _new_tenant_page(request: Request, db: TenantSession, **extra: Any) -> Response:
    context = {"values": {"plan": "standard"}, "errors": {}, "created": None} | extra
    return page(request, "ops/new_tenant.html", plans=billing_queries.active_plans(db), **context)


def _new_tenant_refused(request: Request, _ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _new_tenant_page(request, db, values=refused.values(NEW_TENANT_FIELDS), errors=refused.errors)


def _tenant_page(request: Request, db: TenantSession, code: str, **extra: Any) -> Response:
    tenant = _tenant_or_404(db, code)
    billing = billing_queries.account(db, tenant.id)
    context = {"errors": {}, "values": {"hours": "4"}} | extra
    return page(
        request,
        "ops/tenant.html",
        tenant=tenant,
        billing=billing,
        plan=billing_queries.plan(db, billing.plan_code) if billing else None,
        events=billing_queries.recent_events(db, tenant.id),
        grants=queries.support_grants(db, tenant.id),
        active=count_billable(tenant.id),
        now=datetime.now(UTC),
        **_common(),
        **context,
    )


def _change_refused(request: Request, _ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _tenant_page(request, db, request.path_params["code"], errors=refused.errors)


class OpsController(Controller):
    path = "/ops"

    @get("/login", opt=PUBLIC, sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        return page(request, "ops/login.html", email="", error=None)

    @post("/login", opt=PUBLIC | shown_again_by(_sign_in_refused), sync_to_thread=True)
    def login(self, request: Request, db: PlatformDb, data: FormData) -> Response:
        settings = request.app.state.settings
        password = data.get("password", "")
        # Refused attempts are counted by sign_in in transactions of its own: this one rolls back.
        operator = sign_in(
            settings,
            email=field_text(data, "email"),
            password=password if isinstance(password, str) else "",
            client_address=request.client.host if request.client else "-",
        )
        return signed_in(request, db, tenant_id=None, principal_kind="operator", principal_id=id_of(operator), then="/ops/")

    @post("/logout", opt=OPERATOR, sync_to_thread=True)
    def logout(self, request: Request, ctx: RequestCtx, db: PlatformDb) -> Response:
        sessions.end(db, ctx.session_token or "")
        return set_cookie(see_other("/ops/login"), request.app.state.settings, sessions.COOKIE, "", 0)

    @get("/", opt=OPERATOR, sync_to_thread=True)
    def index(self, request: Request, db: PlatformDb) -> Response:
        status = request.query_params.get("status", "")
        tenants = [
            {"tenant": t, "billing": b, "plan": p, "active": count_billable(t.id)}
            for t, b, p in queries.tenants_with_billing(db)
            if not status or t.status.value == status
        ]
        return page(request, "ops/tenants.html", tenants=tenants, status_filter=status, **_common())

    @get("/tenants/new", opt=OPERATOR, sync_to_thread=True)
    def new(self, request: Request, db: PlatformDb) -> Response:
        return _new_tenant_page(request, db)

    @post("/tenants", opt=OPERATOR | shown_again_by(_new_tenant_refused), sync_to_thread=True)
    def create(self, request: Request, ctx: RequestCtx, db: PlatformDb, data: FormData) -> Response:
        values = {f: field_text(data, f) for f in NEW_TENANT_FIELDS}
        result = actions.open_tenant(
            db,
            request.app.state.settings,
            ctx.actor,
            slug=values["slug"],
            name=values["name"],
            admin_email=values["admin_email"],
            plan=values["plan"],
        )
        return _new_tenant_page(request, db, created=result)

    @get("/tenants/{code:str}", opt=OPERATOR, sync_to_thread=True)
    def detail(self, request: Request, db: PlatformDb, code: FromPath[str]) -> Response:
        return _tenant_page(request, db, code)

    @post("/tenants/{code:str}/suspend", opt=OPERATOR | shown_again_by(_change_refused), sync_to_thread=True)
    def suspend(self, ctx: RequestCtx, db: PlatformDb, code: FromPath[str], data: FormData) -> Response:
        actions.suspend(db, _tenant_or_404(db, code), ctx.actor, field_text(data, "reason"))
        return see_other(f"/ops/tenants/{code}?notice=saved")

    @post("/tenants/{code:str}/reactivate", opt=OPERATOR | shown_again_by(_change_refused), sync_to_thread=True)
    def reactivate(self, ctx: RequestCtx, db: PlatformDb, code: FromPath[str]) -> Response:
        actions.reactivate(db, _tenant_or_404(db, code), ctx.actor)
        return see_other(f"/ops/tenants/{code}?notice=saved")

    @post("/tenants/{code:str}/support", opt=OPERATOR | shown_again_by(_change_refused), sync_to_thread=True)
    def grant_support(self, ctx: RequestCtx, db: PlatformDb, code: FromPath[str], data: FormData) -> Response:
        hours = whole_number(field_text(data, "hours"), below=1000) or 0
        actions.grant_support(db, _tenant_or_404(db, code), ctx.actor, reason=field_text(data, "reason"), hours=hours)
        return see_other(f"/ops/tenants/{code}?notice=created")

    @post("/tenants/{code:str}/support/{grant_id:int}/enter", opt=OPERATOR, sync_to_thread=True)
    def enter(
        self, request: Request, ctx: RequestCtx, db: PlatformDb, code: FromPath[str], grant_id: FromPath[int]
    ) -> Response:
        """Use a live grant: the browser's session becomes a read-only support
        session inside the tenant (the console needs signing in again after)."""
        tenant = _tenant_or_404(db, code)
        grant = queries.support_grant(db, tenant.id, grant_id)
        if grant is None or not grant.is_active(datetime.now(UTC)) or grant.operator_id != ctx.signed_in.id:
            raise NotFoundException()
        actions.record_support_entry(db, tenant.id, grant, actor=ctx.actor)
        return signed_in(
            request,
            db,
            tenant_id=tenant.id,
            principal_kind="support",
            principal_id=id_of(grant),
            then=f"/t/{tenant.slug}/",
            replacing=ctx.session_token,
        )
