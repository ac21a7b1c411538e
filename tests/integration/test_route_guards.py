"""Every route refuses an anonymous request and every role it does not allow.

The routes are enumerated from the app itself, so a new route is covered
the day it is added; the public ones are listed here on purpose.
"""

from __future__ import annotations

import re

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.accounts.models import StaffRole
from service.keys import keys_for
from service.platform.operators import OperatorRole
from service.portal.models import AssistantRole
from service.reviewers.models import ReviewerRole
from service.web.csrf import token_for
from tests.support.factories import make_bureau, make_staff, make_worker
from tests.support.oidc import make_connection, make_reviewer, start_reviewer_session
from tests.support.operators import make_operator, operator_sign_in
from tests.support.portal import assistant_sign_in, make_assistant
from tests.support.web import sign_in

# Roles whose sessions live outside every tenant (tenant_id NULL): anonymous inside tenants,
# as every tenant session is anonymous outside its tenant.
PLATFORM_ROLES = frozenset({OperatorRole.OPERATOR})

PUBLIC_ROUTES = {
    ("GET", "/"),
    ("POST", "/lang"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/t/{slug:str}/login"),
    ("POST", "/t/{slug:str}/login"),
    # The assistants' portal: its own sign-in and the one-time invitation link.
    ("GET", "/t/{slug:str}/my/login"),
    ("POST", "/t/{slug:str}/my/login"),
    ("GET", "/t/{slug:str}/my/invitation/{token:str}"),
    ("POST", "/t/{slug:str}/my/invitation/{token:str}"),
    # Bureau reviewers: the portal's sign-in page and the OpenID Connect code flow (start, callback).
    ("GET", "/t/{slug:str}/review/login"),
    ("GET", "/t/{slug:str}/sso/{connection_id:int}/start"),
    ("GET", "/t/{slug:str}/sso/{connection_id:int}/callback"),
    # Self-service sign-up, the operator console's sign-in, and Stripe's webhook (signed, not signed in).
    ("GET", "/signup"),
    ("POST", "/signup"),
    ("GET", "/ops/login"),
    ("POST", "/ops/login"),
    ("POST", "/stripe/webhook"),
}
PUBLIC_PREFIXES = ("/static/", "/schema")


def _handlers(app: Litestar):
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield method, route.path, handler


def _concrete(path: str, slug: str, worker_id: int) -> str:
    path = path.replace("{slug:str}", slug).replace("{code:str}", slug)  # /ops/tenants/{code}: the same tenant
    return re.sub(r"\{[a-z_]+:int\}", str(worker_id), path)


def test_public_routes_are_exactly_the_listed_ones(app: Litestar) -> None:
    public = {
        (method, path)
        for method, path, handler in _handlers(app)
        if handler.opt.get("public") and not path.startswith(PUBLIC_PREFIXES)
    }
    assert public == PUBLIC_ROUTES


def test_every_route_refuses_anonymous_and_unallowed_roles(app: Litestar, tenant, settings, client) -> None:
    worker = make_worker(settings, tenant)
    # Every kind of principal with its roles: staff, and an assistant (another worker, so that the
    # routes acting on `worker`, such as disabling its portal account, leave the assistant signed in).
    roles: list[str] = [*StaffRole, AssistantRole.ASSISTANT, *ReviewerRole, OperatorRole.OPERATOR]
    operator_email = make_operator()
    emails = {role: tenant.admin_email if role is StaffRole.ADMIN else make_staff(tenant, role) for role in StaffRole}
    client.cookies.clear()
    make_assistant(client, tenant, make_worker(settings, tenant, phone="13900000001"))
    # Bureau reviewers of the worker's bureau, signed in through SSO in real life; a first reviewer
    # holds the id the routes acting on `worker.id` (disabling reviewer n) use, so theirs stay signed in.
    bureau_id = make_bureau(tenant)  # the default bureau make_worker assigns
    connection = make_connection(settings, tenant.id, bureau_id, "http://127.0.0.1:9/")
    make_reviewer(settings, tenant, bureau_id, connection.id, subject="placeholder")
    reviewer_ids = {
        role: make_reviewer(settings, tenant, bureau_id, connection.id, role, subject=role.value) for role in ReviewerRole
    }
    assert worker.id not in reviewer_ids.values()
    sessions: dict[str, str] = {}

    def start_sessions() -> None:
        for role in StaffRole:
            client.cookies.clear()
            sign_in(client, tenant.slug, emails[role])
            sessions[role] = client.cookies["pq_session"]
        client.cookies.clear()
        assert assistant_sign_in(client, tenant.slug, "13900000001").status_code == 303
        sessions[AssistantRole.ASSISTANT] = client.cookies["pq_session"]
        for role, reviewer_id in reviewer_ids.items():
            sessions[role] = start_reviewer_session(settings, tenant, reviewer_id)
        client.cookies.clear()
        operator_sign_in(client, operator_email)
        sessions[OperatorRole.OPERATOR] = client.cookies["pq_session"]

    start_sessions()

    def as_role(role: str | None) -> TestClient:
        client.cookies.clear()
        if role is not None:
            client.cookies.set("pq_session", sessions[role], domain="127.0.0.1")
        return client

    checked = 0
    # Signing out ends the session the later requests need, so it goes last.
    for method, path, handler in sorted(_handlers(app), key=lambda h: h[1].endswith("/logout")):
        if handler.opt.get("public") or path.startswith(PUBLIC_PREFIXES):
            continue
        if path.endswith("/logout"):  # an earlier sign-out ended some sessions
            start_sessions()
        url = _concrete(path, tenant.slug, worker.id)
        anonymous = as_role(None).request(method, url, follow_redirects=False)
        assert anonymous.status_code in (401, 303), (method, path, anonymous.status_code)
        if anonymous.status_code == 303:
            assert "/login" in anonymous.headers["location"], (method, path)
        allowed = handler.opt["roles"]
        for role in roles:
            # An allowed role sends a valid CSRF token, so what answers is the handler itself.
            headers = {"x-csrf-token": token_for(keys_for(settings).csrf, sessions[role])}
            response = as_role(role).request(method, url, headers=headers, follow_redirects=False)
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.status_code)
            elif path.startswith("/t/") == (role in PLATFORM_ROLES):
                # a session counts only where it was started: elsewhere it is anonymous
                assert response.status_code in (401, 303), (method, path, role, response.status_code)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("path", ["/t/{slug}/workers", "/t/{slug}/api/workers", "/t/{slug}/audit"])
def test_a_session_of_one_tenant_is_anonymous_at_another(path: str, app: Litestar, tenant, other_tenant, client) -> None:
    sign_in(client, tenant.slug, tenant.admin_email)
    assert client.get(path.format(slug=tenant.slug), follow_redirects=False).status_code == 200
    response = client.get(path.format(slug=other_tenant.slug), follow_redirects=False)
    assert response.status_code in (401, 303)
