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
from sqlmodel import select

from service.accounts.models import StaffRole
from service.bureaus.models import ClientBureau
from service.errors import DomainError, InputErrors
from service.reviewers.models import ALL_REVIEWERS, Reviewer, ReviewerRole
from service.settings import Settings
from service.sso import actions, oidc
from service.sso.connection_input import form_values, parse_connection
from service.sso.models import SsoConnection
from service.sso.oidc import SignInRefused
from service.web import sessions
from service.web.access import PUBLIC, allow
from service.web.context import RequestContext
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from tenants.isolation import control_session, tenant_session

log = logging.getLogger("paiqian.sso")

BROWSER_COOKIE = "pq_sso"  # binds a sign-in in progress to the browser that started it
BROWSER_COOKIE_SECONDS = int(actions.STATE_LIFETIME.total_seconds())


def _ctx(request: Request) -> RequestContext:
    return request.state.ctx


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


def _bureaus(db: Any, ctx: RequestContext) -> list[ClientBureau]:
    return list(db.exec(select(ClientBureau).where(ClientBureau.tenant_id == ctx.tenant_id).order_by(ClientBureau.name)))


class SsoConnectionsController(Controller):
    """The tenant admin registers each bureau's identity provider here."""

    path = "/sso"

    def _list(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            rows = db.exec(
                select(SsoConnection, ClientBureau.name)
                .join(
                    ClientBureau,
                    (ClientBureau.tenant_id == SsoConnection.tenant_id) & (ClientBureau.id == SsoConnection.bureau_id),
                )
                .where(SsoConnection.tenant_id == ctx.tenant_id)
                .order_by(SsoConnection.id)
            ).all()
        return page(request, "sso/connections.html", rows=rows)

    def _form(
        self,
        request: Request,
        connection: SsoConnection | None,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            bureaus = _bureaus(db, ctx)
        return page(
            request,
            "sso/connection_form.html",
            status=status,
            connection=connection,
            bureaus=bureaus,
            values=values if values is not None else form_values(connection),
            errors=errors or {},
            roles=list(ReviewerRole),
            callback_url=absolute_url(request, callback_path(ctx, connection.id)) if connection else None,
            logout_url=absolute_url(request, ctx.tenant_path("/review/login")),
            sign_in_url=absolute_url(request, ctx.tenant_path("/review/login")),
        )

    def _connection(self, db: Any, ctx: RequestContext, connection_id: int) -> SsoConnection:
        connection = db.exec(
            select(SsoConnection).where(SsoConnection.tenant_id == ctx.tenant_id, SsoConnection.id == connection_id)
        ).first()
        if connection is None:
            raise NotFoundException()
        return connection

    @get("/connections", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def index(self, request: Request) -> Response:
        return self._list(request)

    @get("/connections/new", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def new(self, request: Request) -> Response:
        return self._form(request, None)

    @post("/connections", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def create(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        settings = _settings(request)
        values = {key: field_text(data, key) for key in data if key not in ("_csrf", "client_secret")}
        try:
            parsed = parse_connection(data, production=settings.is_production, creating=True)
            with tenant_session(ctx.tenant_id) as db:
                connection = actions.create_connection(db, settings, ctx.tenant_id, ctx.actor, parsed)
        except InputErrors as problems:
            return self._form(
                request, None, status=400, values=values, errors=translated_errors(problems.errors, ctx.translate)
            )
        except DomainError as error:
            return self._form(request, None, status=400, values=values, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path(f"/sso/connections/{connection.id}?notice=created"))

    @get("/connections/{connection_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def edit(self, request: Request, connection_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            connection = self._connection(db, ctx, connection_id)
        return self._form(request, connection)

    @post("/connections/{connection_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def update(self, request: Request, connection_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        settings = _settings(request)
        values = {key: field_text(data, key) for key in data if key not in ("_csrf", "client_secret")}
        with tenant_session(ctx.tenant_id) as db:
            connection = self._connection(db, ctx, connection_id)
        try:
            parsed = parse_connection(data, production=settings.is_production, creating=False)
            with tenant_session(ctx.tenant_id) as db:
                connection = self._connection(db, ctx, connection_id)
                actions.update_connection(db, settings, ctx.tenant_id, ctx.actor, connection, parsed)
        except InputErrors as problems:
            return self._form(
                request, connection, status=400, values=values, errors=translated_errors(problems.errors, ctx.translate)
            )
        except DomainError as error:
            return self._form(request, connection, status=400, values=values, errors=translated_errors([error], ctx.translate))
        if not parsed.enabled:
            with control_session() as control:
                _end_reviewer_sessions(control, ctx, connection_id=connection_id)
        return see_other(ctx.tenant_path(f"/sso/connections/{connection_id}?notice=saved"))

    @get("/reviewers", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def reviewers(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            rows = db.exec(
                select(Reviewer, ClientBureau.name)
                .join(ClientBureau, (ClientBureau.tenant_id == Reviewer.tenant_id) & (ClientBureau.id == Reviewer.bureau_id))
                .where(Reviewer.tenant_id == ctx.tenant_id)
                .order_by(ClientBureau.name, Reviewer.display_name)
            ).all()
        return page(request, "sso/reviewers.html", rows=rows)

    @post("/reviewers/{reviewer_id:int}", opt=allow(StaffRole.ADMIN), sync_to_thread=True)
    def set_active(self, request: Request, reviewer_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        active = field_text(data, "active") == "1"
        with tenant_session(ctx.tenant_id) as db:
            reviewer = db.exec(select(Reviewer).where(Reviewer.tenant_id == ctx.tenant_id, Reviewer.id == reviewer_id)).first()
            if reviewer is None:
                raise NotFoundException()
            actions.set_reviewer_active(db, ctx.tenant_id, ctx.actor, reviewer, active)
            if not active:
                with control_session() as control:
                    sessions.end_all_for(control, ctx.tenant_id, "reviewer", reviewer.id)
        return see_other(ctx.tenant_path("/sso/reviewers?notice=saved"))


def _end_reviewer_sessions(control: Any, ctx: RequestContext, *, connection_id: int) -> None:
    """Disabling a connection signs out everyone who came in through it."""
    with tenant_session(ctx.tenant_id) as db:
        ids = db.exec(
            select(Reviewer.id).where(Reviewer.tenant_id == ctx.tenant_id, Reviewer.connection_id == connection_id)
        ).all()
    for reviewer_id in ids:
        sessions.end_all_for(control, ctx.tenant_id, "reviewer", reviewer_id)


def _refused(request: Request, refusal: SignInRefused, *, status: int = 403) -> Response:
    ctx = _ctx(request)
    log.warning("bureau sign-in refused (tenant %s, request %s): %s", ctx.tenant_id, ctx.request_id, refusal)
    response = page(request, "sso/refused.html", status=status, message=ctx.translate(refusal.message))
    return set_cookie(response, _settings(request), BROWSER_COOKIE, "", 0)


def _enabled_connection(db: Any, ctx: RequestContext, connection_id: int) -> SsoConnection | None:
    return db.exec(
        select(SsoConnection).where(
            SsoConnection.tenant_id == ctx.tenant_id, SsoConnection.id == connection_id, SsoConnection.enabled
        )
    ).first()


class SsoSignInController(Controller):
    """The code flow: start sends the browser to the provider, callback takes it back."""

    path = "/sso"

    @get("/{connection_id:int}/start", opt=PUBLIC, sync_to_thread=True)
    def start(self, request: Request, connection_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        settings = _settings(request)
        with tenant_session(ctx.tenant_id) as db:
            connection = _enabled_connection(db, ctx, connection_id)
        if connection is None:
            raise NotFoundException()
        try:
            metadata = oidc.discover(connection.issuer, production=settings.is_production)
        except SignInRefused as refusal:
            return _refused(request, refusal, status=502)
        browser = request.cookies.get(BROWSER_COOKIE, "")
        if not 40 <= len(browser) <= 64:
            browser = secrets.token_urlsafe(32)
        with tenant_session(ctx.tenant_id) as db:
            login, state = actions.begin_sign_in(
                db,
                ctx.tenant_id,
                connection,
                browser=browser,
                next_path=_portal_next(ctx, request.query_params.get("next", "")),
            )
        url = oidc.authorization_url(
            metadata,
            client_id=connection.client_id,
            scopes=connection.scopes,
            redirect_uri=absolute_url(request, callback_path(ctx, connection.id)),
            state=state,
            nonce=login.nonce,
            code_verifier=login.code_verifier,
        )
        response = Redirect(path=url, status_code=302)
        return set_cookie(response, settings, BROWSER_COOKIE, browser, BROWSER_COOKIE_SECONDS)

    @get("/{connection_id:int}/callback", opt=PUBLIC, sync_to_thread=True)
    def callback(self, request: Request, connection_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        settings = _settings(request)
        production = settings.is_production
        params = request.query_params
        try:
            # The state is spent here, in its own transaction, whatever happens next.
            with tenant_session(ctx.tenant_id) as db:
                login = actions.consume_state(
                    db,
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
            with tenant_session(ctx.tenant_id) as db:
                connection = _enabled_connection(db, ctx, connection_id)
            if connection is None:
                raise SignInRefused("connection_disabled")
            metadata = oidc.discover(connection.issuer, production=production)
            token = oidc.exchange_code(
                metadata,
                client_id=connection.client_id,
                client_secret=actions.client_secret_of(settings, connection),
                scopes=connection.scopes,
                redirect_uri=absolute_url(request, callback_path(ctx, connection.id)),
                code=code,
                code_verifier=login.code_verifier,
                production=production,
            )
            claims = oidc.verify_id_token(
                token["id_token"], metadata, client_id=connection.client_id, nonce=login.nonce, production=production
            )
            claims = _with_userinfo(connection, metadata, token, claims, production=production)
            with tenant_session(ctx.tenant_id) as db:
                reviewer = actions.provision(db, ctx.tenant_id, connection, claims, request_id=ctx.request_id)
                with control_session() as control:
                    session_token = sessions.start(
                        control,
                        settings,
                        tenant_id=ctx.tenant_id,
                        principal_kind="reviewer",
                        principal_id=reviewer.id,
                        replacing=request.cookies.get(sessions.COOKIE),
                    )
        except SignInRefused as refusal:
            return _refused(request, refusal)
        log.info("bureau reviewer %s signed in (tenant %s, connection %s)", reviewer.id, ctx.tenant_id, connection_id)
        response = see_other(_portal_next(ctx, login.next_path))
        set_cookie(response, settings, BROWSER_COOKIE, "", 0)
        return set_cookie(response, settings, sessions.COOKIE, session_token, settings.session_absolute_hours * 3600)


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
    def login(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            connections = list(
                db.exec(
                    select(SsoConnection)
                    .where(SsoConnection.tenant_id == ctx.tenant_id, SsoConnection.enabled)
                    .order_by(SsoConnection.name)
                )
            )
        next_path = _portal_next(ctx, request.query_params.get("next", ""))
        return page(request, "reviewer/login.html", connections=connections, next=next_path)

    @post("/logout", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def logout(self, request: Request) -> Response:
        ctx = _ctx(request)
        settings = _settings(request)
        principal = ctx.principal
        with control_session() as control:
            sessions.end(control, ctx.session_token or "")
        target = ctx.tenant_path("/review/login?notice=signed_out")
        with tenant_session(ctx.tenant_id) as db:
            connection = db.exec(
                select(SsoConnection)
                .join(Reviewer, (Reviewer.tenant_id == SsoConnection.tenant_id) & (Reviewer.connection_id == SsoConnection.id))
                .where(SsoConnection.tenant_id == ctx.tenant_id, Reviewer.id == (principal.id if principal else 0))
            ).first()
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
            except SignInRefused as refusal:
                log.warning("no RP-initiated logout for connection %s: %s", connection.id, refusal)
        if target.startswith(ctx.tenant_path("/")):
            response: Response = Redirect(path=target, status_code=303)
        else:
            # The provider's logout is on another site, and the page's CSP (form-action 'self') forbids a
            # form's redirect there: a page sends the browser on instead.
            response = page(request, "reviewer/signed_out.html", provider_logout_url=target, signed_out=True)
        return set_cookie(response, settings, sessions.COOKIE, "", 0)
