"""Signing in and out, and the tenant admin's page of staff users."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts import actions, queries
from service.accounts.models import ALL_STAFF, StaffRole
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.web.sign_in import signed_in
from tenants.isolation import TenantSession

NEW_USER_FIELDS = ("email", "display_name", "role")


def _safe_next(ctx: RequestContext, target: str) -> str:
    """Only a path inside this tenant, never another site (open redirect)."""
    prefix = ctx.tenant_path("/")
    if target.startswith(prefix) and "//" not in target and "\\" not in target:
        return target
    return ctx.tenant_path("/")


def _role(text: str) -> StaffRole:
    if text not in StaffRole._value2member_map_:
        raise DomainError(N_("Choose a role."), field="role")
    return StaffRole(text)


def _sign_in_refused(request: Request, ctx: RequestContext, _db: TenantSession, refused: RefusedForm) -> Response:
    return page(
        request,
        "accounts/login.html",
        email=refused.text("email")[:254],
        error=refused.message,
        next=refused.text("next"),
    )


class SignInController(Controller):
    @get("/login", opt=PUBLIC, sync_to_thread=False)
    def login_form(self, request: Request) -> Response:
        return page(request, "accounts/login.html", email="", error=None, next=request.query_params.get("next", ""))

    @post("/login", opt=PUBLIC | shown_again_by(_sign_in_refused), sync_to_thread=True)
    def login(self, request: Request, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        settings = request.app.state.settings
        password = data.get("password", "")
        # Refused attempts are counted by sign_in in a transaction of its own: this one rolls back.
        user = actions.sign_in(
            db,
            settings,
            email=field_text(data, "email"),
            password=password if isinstance(password, str) else "",
            client_address=request.client.host if request.client else "-",
        )
        return signed_in(
            request,
            db,
            tenant_id=ctx.tenant_id,
            principal_kind="staff",
            principal_id=id_of(user),
            then=_safe_next(ctx, field_text(data, "next")),
        )

    @post("/logout", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def logout(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        sessions.end(db, ctx.session_token or "")
        response = see_other(ctx.tenant_path("/login?notice=signed_out"))
        return set_cookie(response, request.app.state.settings, sessions.COOKIE, "", 0)


def _users_page(request: Request, ctx: RequestContext, db: TenantSession, **form: Any) -> Response:
    context = {"values": {}, "errors": {}} | form
    return page(request, "accounts/users.html", users=queries.staff_users(db), roles=list(StaffRole), **context)


def _new_user_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _users_page(request, ctx, db, values=refused.values(NEW_USER_FIELDS), errors=refused.errors)


def _change_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    # No values: the page shows the refusal above the list, not in the new-user form.
    return _users_page(request, ctx, db, errors=refused.errors)


class StaffUsersController(Controller):
    path = "/users"

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _users_page(request, ctx, db)

    @post("/", opt=allow(StaffRole.ADMIN) | shown_again_by(_new_user_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        actions.create_staff_user(
            db,
            actor=ctx.actor,
            email=field_text(data, "email"),
            display_name=field_text(data, "display_name"),
            role=_role(field_text(data, "role")),
            password=str(data.get("password", "")),
        )
        return see_other(ctx.tenant_path("/users?notice=created"))

    @post("/{user_id:int}", opt=allow(StaffRole.ADMIN) | shown_again_by(_change_refused), sync_to_thread=True)
    def update(self, ctx: RequestCtx, db: TenantDb, user_id: FromPath[int], data: FormData) -> Response:
        role = _role(field_text(data, "role"))
        user = queries.staff_user(db, user_id)
        if user is None:
            raise NotFoundException()
        actions.update_staff_user(db, user, actor=ctx.actor, role=role, active=field_text(data, "active") == "1")
        if not user.active:  # a deactivated user is signed out everywhere, in the same transaction
            sessions.end_all_for(db, ctx.tenant_id, "staff", id_of(user))
        return see_other(ctx.tenant_path("/users?notice=saved"))
