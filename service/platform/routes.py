"""Sign-up (public), the first-run guide and the tenant's support-access page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from sqlmodel import select

from service import clock
from service.accounts.actions import find_by_email
from service.accounts.models import StaffRole
from service.billing.models import SupportGrant
from service.errors import N_, DomainError
from service.platform import actions
from service.platform.signup import FIELDS, parse_signup, register
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from tenants import throttle
from tenants.isolation import control_session, tenant_session

# One address may create this many companies per 15 minutes (then waits an hour): sign-up is public.
SIGNUPS_PER_ADDRESS = 5
SIGNUP_LOCK = timedelta(hours=1)


def _refuse_too_many_signups(address: str) -> None:
    with control_session() as control:
        if throttle.locked_until(control, [f"signup:{address}"], datetime.now(UTC)) is not None:
            raise DomainError(N_("Too many sign-ups from this address. Try again in an hour."), field="")


class SignupController(Controller):
    path = "/signup"

    @get("/", opt=PUBLIC, sync_to_thread=False)
    def form(self, request: Request) -> Response:
        return page(request, "signup/form.html", values={}, errors={})

    @post("/", opt=PUBLIC, sync_to_thread=True)
    def submit(self, request: Request, data: FormData) -> Response:
        ctx: RequestContext = request.state.ctx
        settings = request.app.state.settings
        values = {f: field_text(data, f) for f in FIELDS}
        password = data.get("password", "")
        parsed, errors = parse_signup(values, password if isinstance(password, str) else "", clock.today())
        address = request.client.host if request.client else "-"
        try:
            if errors:
                raise errors[0]
            _refuse_too_many_signups(address)
            result = register(settings, parsed)
        except DomainError as error:
            shown = translated_errors(errors or [error], ctx.translate)
            return page(request, "signup/form.html", status=400, values=values, errors=shown)
        tenant = result.tenant
        with control_session() as control:  # counts towards the per-address limit
            throttle.register_failure(control, f"signup:{address}", datetime.now(UTC), SIGNUPS_PER_ADDRESS, SIGNUP_LOCK)
        with tenant_session(tenant.id) as db:
            admin = find_by_email(db, tenant.id, result.admin_email)
        with control_session() as control:
            token = sessions.start(
                control,
                settings,
                tenant_id=tenant.id,
                principal_kind="staff",
                principal_id=admin.id,
                replacing=request.cookies.get(sessions.COOKIE),
            )
        response = see_other(f"/t/{tenant.slug}/welcome")
        return set_cookie(response, settings, sessions.COOKIE, token, settings.session_absolute_hours * 3600)


class WelcomeController(Controller):
    """The first-run guide: what a new company does first, linking the pages that do it."""

    path = "/welcome"

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        ctx: RequestContext = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            from sqlalchemy import text

            workers = db.execute(text("select count(*) from workers")).scalar_one()
            staff = db.execute(text("select count(*) from staff_users")).scalar_one()
        return page(request, "signup/welcome.html", workers=workers, staff=staff)


class SupportAccessController(Controller):
    """Support access granted to Paiqian's operators: listed for the tenant's administrators, who can revoke it."""

    path = "/support-access"

    def _page(self, request: Request, status: int = 200, **extra: Any) -> Response:
        ctx: RequestContext = request.state.ctx
        with tenant_session(ctx.tenant_id) as db:
            grants = db.exec(
                select(SupportGrant).where(SupportGrant.tenant_id == ctx.tenant_id).order_by(SupportGrant.id.desc())
            ).all()
        return page(
            request, "signup/support_access.html", status=status, grants=grants, now=datetime.now(UTC), errors={}, **extra
        )

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return self._page(request)

    @post("/{grant_id:int}/revoke", opt={**allow(StaffRole.ADMIN), "billing": True}, sync_to_thread=True)
    def revoke(self, request: Request, grant_id: FromPath[int]) -> Response:
        """Allowed even while the tenant is read-only: shutting support out must always work."""
        ctx: RequestContext = request.state.ctx
        try:
            with tenant_session(ctx.tenant_id) as db:
                actions.revoke_support(db, ctx.tenant_id, ctx.actor, grant_id)
        except DomainError as error:
            return self._page(request, 400, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path("/support-access?notice=saved"))
