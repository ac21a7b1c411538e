"""Signing in and out, and the tenant admin's page of staff users."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlmodel import select

from service.accounts import actions
from service.accounts.models import ALL_STAFF, StaffRole, StaffUser
from service.errors import N_, DomainError
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from tenants.isolation import control_session, tenant_session


def _safe_next(ctx: RequestContext, target: str) -> str:
    """Only a path inside this tenant, never another site (open redirect)."""
    prefix = ctx.tenant_path("/")
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return ctx.tenant_path("/")


class SignInController(Controller):
    @get("/login", opt=PUBLIC, sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        return page(request, "accounts/login.html", email="", error=None, next=request.query_params.get("next", ""))

    @post("/login", opt=PUBLIC, sync_to_thread=True)
    def login(self, request: Request, data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        email, password = field_text(data, "email"), data.get("password", "")
        if not isinstance(password, str):
            password = ""
        try:
            with tenant_session(ctx.tenant_id) as db:
                user = actions.sign_in(
                    db,
                    ctx.tenant_id,
                    settings,
                    email=email,
                    password=password,
                    client_address=request.client.host if request.client else "-",
                )
                with control_session() as control:
                    token = sessions.start(
                        control,
                        settings,
                        tenant_id=ctx.tenant_id,
                        principal_kind="staff",
                        principal_id=user.id,
                        replacing=request.cookies.get(sessions.COOKIE),
                    )
        except DomainError as error:
            return page(
                request,
                "accounts/login.html",
                status=400,
                email=email[:254],
                error=ctx.translate.error(error),
                next=field_text(data, "next"),
            )
        response = see_other(_safe_next(ctx, field_text(data, "next")))
        return set_cookie(response, settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600)

    @post("/logout", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def logout(self, request: Request) -> Response:
        ctx: RequestContext = request.state.ctx
        with control_session() as control:
            sessions.end(control, ctx.session_token or "")
        response = see_other(ctx.tenant_path("/login?notice=signed_out"))
        return set_cookie(response, request.app.state.settings, sessions.COOKIE, "", 0)


class StaffUsersController(Controller):
    path = "/users"

    def _users(self, ctx: RequestContext) -> list[StaffUser]:
        with tenant_session(ctx.tenant_id) as db:
            return list(db.exec(select(StaffUser).where(StaffUser.tenant_id == ctx.tenant_id).order_by(StaffUser.id)))

    def _page(self, request: Request, status: int = 200, **extra: Any) -> Response:
        ctx: RequestContext = request.state.ctx
        context = {"values": {}, "errors": {}} | extra
        return page(request, "accounts/users.html", status=status, users=self._users(ctx), roles=list(StaffRole), **context)

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return self._page(request)

    @post("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def create(self, request: Request, data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        values = {f: field_text(data, f) for f in ("email", "display_name", "role")}
        try:
            if values["role"] not in StaffRole._value2member_map_:
                raise DomainError(N_("Choose a role."), field="role")
            with tenant_session(ctx.tenant_id) as db:
                actions.create_staff_user(
                    db,
                    ctx.tenant_id,
                    ctx.actor,
                    email=values["email"],
                    display_name=values["display_name"],
                    role=StaffRole(values["role"]),
                    password=str(data.get("password", "")),
                )
        except DomainError as error:
            return self._page(request, 400, values=values, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path("/users?notice=created"))

    @post("/{user_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def update(self, request: Request, user_id: FromPath[int], data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        role = field_text(data, "role")
        try:
            if role not in StaffRole._value2member_map_:
                raise DomainError(N_("Choose a role."), field="role")
            with tenant_session(ctx.tenant_id) as db:
                user = db.exec(select(StaffUser).where(StaffUser.tenant_id == ctx.tenant_id, StaffUser.id == user_id)).first()
                if user is None:
                    raise NotFoundException()
                actions.update_staff_user(
                    db, ctx.tenant_id, ctx.actor, user, role=StaffRole(role), active=field_text(data, "active") == "1"
                )
                if not user.active:
                    with control_session() as control:
                        sessions.end_all_for(control, ctx.tenant_id, "staff", user.id)
        except DomainError as error:
            return self._page(request, 400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path("/users?notice=saved"))
