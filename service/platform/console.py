"""The operator console at /ops: every tenant's state, and the few things
operators do (create, suspend, reactivate, support access).  Control plane:
operator sessions have no tenant and count nowhere else."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlmodel import select

from service.accounts.models import StaffRole
from service.billing.models import STATUS_BADGES, STATUS_LABELS, Plan, StripeEvent, SupportGrant, TenantBilling
from service.billing.subscriptions import count_billable, ensure_stripe, open_account
from service.errors import N_, DomainError
from service.platform import actions
from service.platform.operators import OperatorRole, sign_in
from service.platform.provisioning import create_tenant
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text, translated_errors, whole_number
from service.web.pages import page, see_other
from tenants.isolation import control_session, tenant_session
from tenants.models import Tenant

OPERATOR = allow(OperatorRole.OPERATOR)


def _tenant(control, code: str) -> Tenant:
    tenant = control.exec(select(Tenant).where(Tenant.slug == code)).first()
    if tenant is None:
        raise NotFoundException()
    return tenant


def _common() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "status_badges": STATUS_BADGES}


class OpsController(Controller):
    path = "/ops"

    @get("/login", opt=PUBLIC, sync_to_thread=False, include_in_schema=False)
    def login_form(self, request: Request) -> Response:
        return page(request, "ops/login.html", email="", error=None)

    @post("/login", opt=PUBLIC, sync_to_thread=True, include_in_schema=False)
    def login(self, request: Request, data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        email, password = field_text(data, "email"), data.get("password", "")
        try:
            operator = sign_in(
                settings,
                email=email,
                password=password if isinstance(password, str) else "",
                client_address=request.client.host if request.client else "-",
            )
        except DomainError as error:
            return page(request, "ops/login.html", status=400, email=email[:254], error=ctx.translate.error(error))
        with control_session() as control:
            token = sessions.start(
                control,
                settings,
                tenant_id=None,
                principal_kind="operator",
                principal_id=operator.id,
                replacing=request.cookies.get(sessions.COOKIE),
            )
        response = see_other("/ops/")
        return set_cookie(response, settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600)

    @post("/logout", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def logout(self, request: Request) -> Response:
        ctx: RequestContext = request.state.ctx
        with control_session() as control:
            sessions.end(control, ctx.session_token or "")
        return set_cookie(see_other("/ops/login"), request.app.state.settings, sessions.COOKIE, "", 0)

    @get("/", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        with control_session() as control:
            rows = control.exec(
                select(Tenant, TenantBilling, Plan)
                .join(TenantBilling, TenantBilling.tenant_id == Tenant.id, isouter=True)
                .join(Plan, Plan.code == TenantBilling.plan_code, isouter=True)
                .order_by(Tenant.created_at.desc())
            ).all()
        status = request.query_params.get("status", "")
        tenants = [
            {"tenant": t, "billing": b, "plan": p, "active": count_billable(t.id)}
            for t, b, p in rows
            if not status or t.status.value == status
        ]
        return page(request, "ops/tenants.html", tenants=tenants, status_filter=status, **_common())

    @get("/tenants/new", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def new(self, request: Request) -> Response:
        return self._new_page(request)

    def _new_page(self, request: Request, status: int = 200, **extra: Any) -> Response:
        with control_session() as control:
            plans = control.exec(select(Plan).where(Plan.active).order_by(Plan.sort_order)).all()
        context = {"values": {"plan": "standard"}, "errors": {}, "created": None} | extra
        return page(request, "ops/new_tenant.html", status=status, plans=plans, **context)

    @post("/tenants", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def create(self, request: Request, data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        values = {f: field_text(data, f) for f in ("name", "slug", "admin_email", "plan")}
        try:
            with control_session() as control:
                if control.get(Plan, values["plan"]) is None:
                    raise DomainError(N_("Choose a plan."), field="plan")
            if "@" not in values["admin_email"]:
                raise DomainError(N_("Enter a valid email address."), field="admin_email")
            result = create_tenant(
                slug=values["slug"],
                name=values["name"],
                admin_email=values["admin_email"],
                populate=lambda db, tid: open_account(db, tid, plan_code=values["plan"], billing_email=values["admin_email"]),
            )
            with tenant_session(result.tenant.id) as db:
                from service.audit import record

                record(
                    db,
                    result.tenant.id,
                    ctx.actor,
                    "tenant.create",
                    "tenant",
                    result.tenant.id,
                    after={"slug": result.tenant.slug, "plan": values["plan"]},
                )
        except DomainError as error:
            return self._new_page(request, 400, values=values, errors=translated_errors([error], ctx.translate))
        ensure_stripe(request.app.state.settings, result.tenant.id)
        return self._new_page(request, 200, created=result)

    @get("/tenants/{code:str}", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, code: FromPath[str]) -> Response:
        return self._detail(request, code)

    def _detail(self, request: Request, code: str, status: int = 200, **extra: Any) -> Response:
        with control_session() as control:
            tenant = _tenant(control, code)
            billing = control.get(TenantBilling, tenant.id)
            plan = control.get(Plan, billing.plan_code) if billing else None
            events = control.exec(
                select(StripeEvent).where(StripeEvent.tenant_id == tenant.id).order_by(StripeEvent.received_at.desc()).limit(20)
            ).all()
        with tenant_session(tenant.id) as db:
            grants = db.exec(
                select(SupportGrant).where(SupportGrant.tenant_id == tenant.id).order_by(SupportGrant.id.desc())
            ).all()
        context = {"errors": {}, "values": {"hours": "4"}} | extra
        return page(
            request,
            "ops/tenant.html",
            status=status,
            tenant=tenant,
            billing=billing,
            plan=plan,
            events=events,
            grants=grants,
            active=count_billable(tenant.id),
            now=datetime.now(UTC),
            **_common(),
            **context,
        )

    def _change(self, request: Request, code: str, change, notice: str) -> Response:
        ctx: RequestContext = request.state.ctx
        try:
            with control_session() as control:
                tenant = _tenant(control, code)
                change(control, tenant, ctx)
        except DomainError as error:
            return self._detail(request, code, 400, errors=translated_errors([error], ctx.translate))
        return see_other(f"/ops/tenants/{code}?notice={notice}")

    @post("/tenants/{code:str}/suspend", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def suspend(self, request: Request, code: FromPath[str], data: FormData) -> Response:
        reason = field_text(data, "reason")
        return self._change(request, code, lambda db, t, ctx: actions.suspend(db, t, ctx.actor, reason), "saved")

    @post("/tenants/{code:str}/reactivate", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def reactivate(self, request: Request, code: FromPath[str]) -> Response:
        return self._change(request, code, lambda db, t, ctx: actions.reactivate(db, t, ctx.actor), "saved")

    @post("/tenants/{code:str}/support", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def grant_support(self, request: Request, code: FromPath[str], data: FormData) -> Response:
        reason, hours = field_text(data, "reason"), whole_number(field_text(data, "hours"), below=1000) or 0

        def grant(db, tenant, ctx):
            actions.grant_support(db, tenant, ctx.actor, reason=reason, hours=hours)

        return self._change(request, code, grant, "created")

    @post("/tenants/{code:str}/support/{grant_id:int}/enter", opt=OPERATOR, sync_to_thread=True, include_in_schema=False)
    def enter(self, request: Request, code: FromPath[str], grant_id: FromPath[int]) -> Response:
        """Use a live grant: the browser's session becomes a read-only support
        session inside the tenant (the console needs signing in again after)."""
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        with control_session() as control:
            tenant = _tenant(control, code)
        with tenant_session(tenant.id) as db:
            grant = db.exec(
                select(SupportGrant).where(SupportGrant.tenant_id == tenant.id, SupportGrant.id == grant_id)
            ).first()
            if grant is None or not grant.is_active(datetime.now(UTC)) or grant.operator_id != ctx.principal.id:
                raise NotFoundException()
            actions.record_support_entry(db, tenant.id, ctx.actor, grant)
        with control_session() as control:
            token = sessions.start(
                control,
                settings,
                tenant_id=tenant.id,
                principal_kind="support",
                principal_id=grant.id,
                replacing=ctx.session_token,
            )
        return set_cookie(
            see_other(f"/t/{tenant.slug}/"), settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600
        )


def tenant_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


__all__ = ["OpsController", "StaffRole"]
