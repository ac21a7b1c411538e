"""Bureau identity providers: the admin's connection pages, the reviewers list,
and the sign-in itself (start, callback, sign-in page, sign-out)."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from service.accounts.models import StaffRole
from service.bureaus import directory
from service.database.ids import id_of
from service.reviewers.models import ALL_REVIEWERS, ReviewerRole
from service.settings import Settings
from service.sso import actions, oidc, queries
from service.sso.connection_input import form_values, parse_connection
from service.sso.models import SsoConnection
from service.sso.oidc import SignInRefused
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.dependencies import RequestCtx, TenantDb, provide_ctx
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from service.web.sign_in import signed_in
from tenants.isolation import TenantSession

log = logging.getLogger("paiqian.sso")

BROWSER_COOKIE = "pq_sso"  # binds a sign-in in progress to the browser that started it
BROWSER_COOKIE_SECONDS = int(actions.STATE_LIFETIME.total_seconds())


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def absolute_url(request: Request, path: str) -> str:
    """This site's absolute URL for a path (what the identity provider redirects back to)."""
    base = str(request.base_url).rstrip("/")
    if _settings(request).public_https and base.startswith("http://"):
        base = "https://" + base[len("http://") :]
    return base + path


def callback_path(ctx: RequestContext, connection_id: int) -> str:
    return ctx.tenant_path(f"/sso/{connection_id}/callback")


def _portal_next(ctx: RequestContext, target: str) -> str:
    """Only a page of this tenant's reviewer portal (no open redirect)."""
    prefix = ctx.tenant_path("/review/")
    if target.startswith(prefix) and "//" not in target and "\\" not in target and len(target) <= 300:
        return target
    return prefix


def _connection_form(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    connection: SsoConnection | None,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "sso/connection_form.html",
        connection=connection,
        bureaus=directory.bureaus(db),
        values=values if values is not None else form_values(connection),
        errors=errors or {},
        roles=list(ReviewerRole),
        callback_url=absolute_url(request, callback_path(ctx, id_of(connection))) if connection else None,
        logout_url=absolute_url(request, ctx.tenant_path("/review/login")),
        sign_in_url=absolute_url(request, ctx.tenant_path("/review/login")),
    )


def _connection_or_404(db: TenantSession, ctx: RequestContext, connection_id: int) -> SsoConnection:
    connection = queries.connection(db, connection_id)
    if connection is None:
        raise NotFoundException()
    return connection


def _submitted(data: dict[str, Any]) -> dict[str, str]:
    """The form as typed, to show again; never the client secret."""
    return {key: field_text(data, key) for key in data if key not in ("_csrf", "client_secret")}


def _new_connection_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _connection_form(request, ctx, db, None, values=_submitted(refused.form), errors=refused.errors)


def _connection_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    connection = _connection_or_404(db, ctx, request.path_params["connection_id"])
    return _connection_form(request, ctx, db, connection, values=_submitted(refused.form), errors=refused.errors)


class SsoConnectionsController(Controller):
    """The tenant admin registers each bureau's identity provider here."""

    path = "/sso"

    @get("/connections", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return page(request, "sso/connections.html", rows=queries.connections_with_bureaus(db))

    @get("/connections/new", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _connection_form(request, ctx, db, None)

    @post("/connections", opt=allow(StaffRole.ADMIN) | shown_again_by(_new_connection_refused), sync_to_thread=True)
    def create(self, request: Request, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        settings = _settings(request)
        parsed = parse_connection(data, production=settings.is_production, creating=True)
        connection = actions.create_connection(db, settings, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/sso/connections/{connection.id}?notice=created"))

    @get("/connections/{connection_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, connection_id: FromPath[int]) -> Response:
        return _connection_form(request, ctx, db, _connection_or_404(db, ctx, connection_id))

    @post(
        "/connections/{connection_id:int}",
        opt=allow(StaffRole.ADMIN) | shown_again_by(_connection_refused),
        sync_to_thread=True,
    )
    def update(self, request: Request, ctx: RequestCtx, db: TenantDb, connection_id: FromPath[int], data: FormData) -> Response:
        settings = _settings(request)
        connection = _connection_or_404(db, ctx, connection_id)
        parsed = parse_connection(data, production=settings.is_production, creating=False)
        actions.update_connection(db, settings, connection, parsed, actor=ctx.actor)
        if not parsed.enabled:  # disabling a connection signs out everyone who came in through it
            for reviewer_id in queries.reviewers_of_connection(db, connection_id):
                sessions.end_all_for(db, ctx.tenant_id, "reviewer", reviewer_id)
        return see_other(ctx.tenant_path(f"/sso/connections/{connection_id}?notice=saved"))

    @get("/reviewers", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def reviewers(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return page(request, "sso/reviewers.html", rows=queries.reviewers_with_bureaus(db))

    @post("/reviewers/{reviewer_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def set_active(self, ctx: RequestCtx, db: TenantDb, reviewer_id: FromPath[int], data: FormData) -> Response:
        active = field_text(data, "active") == "1"
        reviewer = queries.reviewer(db, reviewer_id)
        if reviewer is None:
            raise NotFoundException()
        actions.set_reviewer_active(db, reviewer, active, actor=ctx.actor)
        if not active:
            sessions.end_all_for(db, ctx.tenant_id, "reviewer", id_of(reviewer))
        return see_other(ctx.tenant_path("/sso/reviewers?notice=saved"))


def _refused_page(request: Request, refusal: SignInRefused, status: int) -> Response:
    # An exception handler is given no dependencies: the request context comes from its provider.
    ctx = provide_ctx(request)
    log.warning("bureau sign-in refused (tenant %s, request %s): %s", ctx.tenant_id, ctx.request_id, refusal)
    response = page(request, "sso/refused.html", status=status, message=ctx.translate(refusal.message))
    return set_cookie(response, _settings(request), BROWSER_COOKIE, "", 0)


def _sign_in_refused(request: Request, refusal: SignInRefused) -> Response:
    return _refused_page(request, refusal, 403)


def _provider_unreachable(request: Request, refusal: SignInRefused) -> Response:
    """Before any sign-in exists, a refusal is the provider's discovery failing: a bad gateway."""
    return _refused_page(request, refusal, 502)


class SsoSignInController(Controller):
    """The code flow: start sends the browser to the provider, callback takes it back.  A refused sign-in
    (raised by the provider's answers, the state or the claims) rolls the request back and is answered by
    the refusal page, which also forgets the browser's binding cookie."""

    path = "/sso"
    exception_handlers = {SignInRefused: _sign_in_refused}  # noqa: RUF012 - Litestar's own (instance) attribute, set per controller

    @get(
        "/{connection_id:int}/start",
        opt=PUBLIC,
        sync_to_thread=True,
        exception_handlers={SignInRefused: _provider_unreachable},
    )
    def start(self, request: Request, ctx: RequestCtx, db: TenantDb, connection_id: FromPath[int]) -> Response:
        settings = _settings(request)
        connection = queries.enabled_connection(db, connection_id)
        if connection is None:
            raise NotFoundException()
        metadata = oidc.discover(connection.issuer, production=settings.is_production)
        browser = request.cookies.get(BROWSER_COOKIE, "")
        if not 40 <= len(browser) <= 64:
            browser = secrets.token_urlsafe(32)
        login, state = actions.begin_sign_in(
            db,
            connection,
            browser=browser,
            next_path=_portal_next(ctx, request.query_params.get("next", "")),
        )
        url = oidc.authorization_url(
            metadata,
            client_id=connection.client_id,
            scopes=connection.scopes,
            redirect_uri=absolute_url(request, callback_path(ctx, id_of(connection))),
            state=state,
            nonce=login.nonce,
            code_verifier=login.code_verifier,
        )
        response = Redirect(path=url, status_code=302)
        return set_cookie(response, settings, BROWSER_COOKIE, browser, BROWSER_COOKIE_SECONDS)

    @get("/{connection_id:int}/callback", opt=PUBLIC, sync_to_thread=True)
    def callback(self, request: Request, ctx: RequestCtx, db: TenantDb, connection_id: FromPath[int]) -> Response:
        settings = _settings(request)
        production = settings.is_production
        params = request.query_params
        # The request's transaction (begun to read the browser's session) ends here: no connection is held
        # while the provider answers.  The statements below it begin another.
        db.commit()
        # The state is spent in its own transaction, whatever happens next (no replay of a refused callback).
        login, connection = actions.spend_state(
            ctx.tenant_id,
            state=params.get("state", ""),
            browser=request.cookies.get(BROWSER_COOKIE, ""),
            connection_id=connection_id,
        )
        if params.get("error"):
            raise SignInRefused("provider_error", f"{params.get('error')}: {params.get('error_description', '')}")
        code = params.get("code", "")
        if not code or len(code) > 2000:
            raise SignInRefused("code_missing")
        if connection is None:
            raise SignInRefused("connection_disabled")
        metadata = oidc.discover(connection.issuer, production=production)
        token = oidc.exchange_code(
            metadata,
            client_id=connection.client_id,
            client_secret=actions.client_secret_of(settings, connection),
            scopes=connection.scopes,
            redirect_uri=absolute_url(request, callback_path(ctx, id_of(connection))),
            code=code,
            code_verifier=login.code_verifier,
            production=production,
        )
        claims = oidc.verify_id_token(
            token["id_token"], metadata, client_id=connection.client_id, nonce=login.nonce, production=production
        )
        claims = _with_userinfo(connection, metadata, token, claims, production=production)
        # The request's transaction begins here, once the provider has answered: the reviewer and the session.
        reviewer = actions.provision(db, connection, claims, request_id=ctx.request_id)
        log.info("bureau reviewer %s signed in (tenant %s, connection %s)", reviewer.id, ctx.tenant_id, connection_id)
        response = signed_in(
            request,
            db,
            tenant_id=ctx.tenant_id,
            principal_kind="reviewer",
            principal_id=id_of(reviewer),
            then=_portal_next(ctx, login.next_path),
        )
        return set_cookie(response, settings, BROWSER_COOKIE, "", 0)  # the sign-in's browser binding is spent


def _with_userinfo(
    connection: SsoConnection,
    metadata: oidc.ProviderMetadata,
    token: dict[str, Any],
    claims: dict[str, Any],
    *,
    production: bool,
) -> dict[str, Any]:
    """Claims the ID token left out (many providers put e-mail and groups only in
    UserInfo) are read from UserInfo, whose ``sub`` must be the ID token's
    (OIDC Core §5.3.2); what the signed ID token says wins."""
    wanted = ["email"] + ([connection.role_claim] if connection.role_claim else [])
    if all(name in claims for name in wanted) or not isinstance(token.get("access_token"), str):
        return claims
    userinfo = oidc.fetch_userinfo(metadata, token["access_token"], production=production)
    if userinfo.get("sub") != claims["sub"]:
        raise SignInRefused("userinfo_subject_mismatch")
    return {**userinfo, **claims}


class ReviewerSignInController(Controller):
    """The portal's own sign-in page (one button per bureau identity provider) and sign-out."""

    path = "/review"

    @get("/login", opt=PUBLIC, sync_to_thread=True)
    def login(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        next_path = _portal_next(ctx, request.query_params.get("next", ""))
        return page(request, "reviewer/login.html", connections=queries.enabled_connections(db), next=next_path)

    @post("/logout", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def logout(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        settings = _settings(request)
        principal = ctx.principal
        sessions.end(db, ctx.session_token or "")
        target = ctx.tenant_path("/review/login?notice=signed_out")
        connection = queries.connection_of_reviewer(db, principal.id if principal else 0)
        if connection is not None:
            try:
                metadata = oidc.discover(connection.issuer, production=settings.is_production)
                target = (
                    oidc.end_session_url(
                        metadata,
                        client_id=connection.client_id,
                        post_logout_redirect_uri=absolute_url(request, ctx.tenant_path("/review/login")),
                    )
                    or target
                )
            except SignInRefused as refusal:  # signed out here all the same; only the provider's logout is skipped
                log.warning("no RP-initiated logout for connection %s: %s", connection.id, refusal)
        if target.startswith(ctx.tenant_path("/")):
            response: Response = Redirect(path=target, status_code=303)
        else:
            # The provider's logout is on another site, and the page's CSP (form-action 'self') forbids a
            # form's redirect there: a page sends the browser on instead.
            response = page(request, "reviewer/signed_out.html", provider_logout_url=target, signed_out=True)
        return set_cookie(response, settings, sessions.COOKIE, "", 0)
