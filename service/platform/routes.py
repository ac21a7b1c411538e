"""Sign-up (public), the first-run guide and the tenant's support-access page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service import clock
from service.accounts.models import StaffRole
from service.errors import InputErrors
from service.platform import actions, queries
from service.platform.signup import FIELDS, parse_signup, sign_up
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.dependencies import PlatformDb, RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.web.sign_in import signed_in
from tenants.isolation import TenantSession


def _signup_refused(request: Request, _ctx: RequestContext, _db: TenantSession, refused: RefusedForm) -> Response:
    return page(request, "signup/form.html", values=refused.values(FIELDS), errors=refused.errors)


class SignupController(Controller):
    path = "/signup"

    @get("/", opt=PUBLIC, sync_to_thread=False)
    def form(self, request: Request) -> Response:
        return page(request, "signup/form.html", values={}, errors={})

    @post("/", opt=PUBLIC | shown_again_by(_signup_refused), sync_to_thread=True)
    def submit(self, request: Request, db: PlatformDb, data: FormData) -> Response:
        settings = request.app.state.settings
        password = data.get("password", "")
        parsed, errors = parse_signup(
            {f: field_text(data, f) for f in FIELDS}, password if isinstance(password, str) else "", clock.today()
        )
        if parsed is None:  # there were errors
            raise InputErrors(errors)
        result = sign_up(db, settings, parsed, request.client.host if request.client else "-")
        # The new administrator is signed in at once.
        return signed_in(
            request,
            db,
            tenant_id=result.tenant.id,
            principal_kind="staff",
            principal_id=result.admin_id,
            then=f"/t/{result.tenant.slug}/welcome",
        )


class WelcomeController(Controller):
    """The first-run guide: what a new company does first, linking the pages that do it."""

    path = "/welcome"

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request, db: TenantDb) -> Response:
        workers, staff = queries.first_run_counts(db)
        return page(request, "signup/welcome.html", workers=workers, staff=staff)


def _support_page(request: Request, ctx: RequestContext, db: TenantSession, **extra: Any) -> Response:
    grants = queries.support_grants(db, ctx.tenant_id)
    context = {"errors": {}} | extra
    return page(request, "signup/support_access.html", grants=grants, now=datetime.now(UTC), **context)


def _revoke_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _support_page(request, ctx, db, errors=refused.errors)


class SupportAccessController(Controller):
    """Support access granted to Paiqian's operators: listed for the tenant's administrators, who can revoke it."""

    path = "/support-access"

    @get("/", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _support_page(request, ctx, db)

    @post(
        "/{grant_id:int}/revoke",
        opt={**allow(StaffRole.ADMIN), "billing": True} | shown_again_by(_revoke_refused),
        sync_to_thread=True,
    )
    def revoke(self, ctx: RequestCtx, db: TenantDb, grant_id: FromPath[int]) -> Response:
        """Allowed even while the tenant is read-only: shutting support out must always work."""
        actions.revoke_support(db, grant_id, actor=ctx.actor)
        return see_other(ctx.tenant_path("/support-access?notice=saved"))
