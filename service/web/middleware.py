"""Builds the request context: request id, language, tenant, session, CSRF.

It runs after routing, so the tenant slug is already a path parameter.  An
unknown slug answers 404 before any handler runs.  The database work is sync
(SQLAlchemy + psycopg) and runs in a worker thread.

It opens the request's one transaction (``tenants.isolation.request_transaction``):
its first statement binds it to the slug's tenant and reads the tenant and the
session rows, the second reads the principal, and the handler's ``db`` is the
same transaction (``service.web.dependencies``), committed before the response
is sent.  Whatever the handler did not commit (a refused request's session
touch, a page without ``db``) is committed when the request ends.
"""

from __future__ import annotations

import secrets
import sys
import uuid
from collections.abc import Mapping
from contextlib import ExitStack

import anyio
from litestar import Litestar, Request
from litestar.exceptions import NotFoundException
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.exc import DBAPIError

from service.i18n import translator
from service.keys import keys_for
from service.settings import Settings
from service.web import csrf, sessions
from service.web.context import Principal, RequestContext
from service.web.cookies import cookie_header
from service.web.principals import Loader, load_principal
from tenants.isolation import TenantSession, found_by_binding, request_transaction
from tenants.models import Tenant

LANG_COOKIE = "pq_lang"

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        (
            b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
]
# Only when the public address is https: a browser that saw it would refuse plain http to the host for a year.
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def add_security_headers(message: Message, scope: Scope) -> None:
    """The app's ``before_send`` hook: it sees every response, also those no route or middleware ran for
    (a path no route matches, an unknown tenant's 404), which the middleware below never sends."""
    if message["type"] != "http.response.start":
        return
    headers = list(message.get("headers", []))
    headers.extend(SECURITY_HEADERS)
    if Litestar.from_scope(scope).state.settings.public_https:
        headers.append(HSTS)
    message["headers"] = headers


def _open(
    settings: Settings, loaders: Mapping[str, Loader], slug: str | None, token: str | None
) -> tuple[ExitStack, TenantSession, Tenant | None, Principal | None]:
    """The request's transaction, with the tenant and the principal it found (see the module's docstring).

    The pool does not ping a connection before lending it (a round trip on every request): a connection the
    server dropped (a restart, an idle timeout) fails on the binding statement instead, before anything was
    done, and that first statement is tried once more on a fresh connection (SQLAlchemy has by then
    discarded every connection of the pool that was older than the failure)."""
    for attempt in (1, 2):
        transaction = ExitStack()
        db = transaction.enter_context(request_transaction(slug, sessions.token_hash(token)))
        try:
            tenant, found = found_by_binding(db)
            return transaction, db, tenant, load_principal(settings, loaders, db, tenant, found)
        except DBAPIError as error:
            transaction.__exit__(*sys.exc_info())
            if not (error.connection_invalidated and attempt == 1):
                raise
        except BaseException:
            transaction.__exit__(*sys.exc_info())
            raise
    raise AssertionError("unreachable: the second attempt returns or raises")


async def _close(transaction: ExitStack, db: TenantSession, error: BaseException | None) -> None:
    """End the request's transaction: commit what is left (roll back after an error) and give back its
    connection.  Shielded: a cancelled request still returns its connection to the pool."""
    with anyio.CancelScope(shield=True):
        if not db.in_transaction():  # committed (or never begun): nothing to send to the database
            transaction.close()
        elif error is None:
            await anyio.to_thread.run_sync(transaction.close)
        else:
            await anyio.to_thread.run_sync(transaction.__exit__, type(error), error, error.__traceback__)


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = Litestar.from_scope(scope).state
        settings: Settings = state.settings
        request: Request = Request(scope)
        cookies = request.cookies
        request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex
        pre_token = cookies.get(csrf.PRE_COOKIE)
        minted_pre = None
        if not pre_token:
            pre_token = minted_pre = secrets.token_urlsafe(24)

        slug = scope.get("path_params", {}).get("slug")
        session_token = cookies.get(sessions.COOKIE)
        loaders = state.principal_loaders
        if slug or session_token:
            transaction, db, tenant, principal = await anyio.to_thread.run_sync(_open, settings, loaders, slug, session_token)
        else:  # nothing to look up: the transaction begins only if the handler uses its ``db``
            transaction, db, tenant, principal = _open(settings, loaders, None, None)
        try:
            # Tokens are bound to the session cookie whenever there is one (even on
            # pages outside the tenant, like the language switch), else to the
            # pre-session cookie: signing in changes every token.
            binding = session_token or pre_token
            ctx = RequestContext(
                request_id=request_id,
                translate=translator(cookies.get(LANG_COOKIE)),
                csrf_token=csrf.token_for(keys_for(settings).csrf, binding),
                csrf_binding=binding,
                tenant=tenant,
                principal=principal,
                session_token=session_token if principal else None,
            )
            request_state = scope.setdefault("state", {})
            request_state["ctx"] = ctx
            request_state["db"] = db

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers", []))
                    headers.append((b"x-request-id", request_id.encode()))
                    if minted_pre:
                        headers.append((b"set-cookie", cookie_header(settings, csrf.PRE_COOKIE, minted_pre)))
                    message["headers"] = headers
                await send(message)

            if slug and tenant is None:
                raise NotFoundException()
            await self.app(scope, receive, send_with_headers)
        except BaseException as error:
            await _close(transaction, db, error)
            raise
        await _close(transaction, db, None)
