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
from service.web.csrf import token_for
from tests.support.factories import make_staff, make_worker
from tests.support.web import sign_in

PUBLIC_ROUTES = {
    ("GET", "/"),
    ("POST", "/lang"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/t/{slug:str}/login"),
    ("POST", "/t/{slug:str}/login"),
}
PUBLIC_PREFIXES = ("/static/", "/schema")


def _handlers(app: Litestar):  # noqa: ANN202
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                yield method, route.path, handler


def _concrete(path: str, slug: str, worker_id: int) -> str:
    path = path.replace("{slug:str}", slug)
    return re.sub(r"\{[a-z_]+:int\}", str(worker_id), path)


def test_public_routes_are_exactly_the_listed_ones(app: Litestar) -> None:
    public = {
        (method, path)
        for method, path, handler in _handlers(app)
        if handler.opt.get("public") and not path.startswith(PUBLIC_PREFIXES)
    }
    assert public == PUBLIC_ROUTES


def test_every_route_refuses_anonymous_and_unallowed_roles(app: Litestar, tenant, settings, client) -> None:  # noqa: ANN001
    worker = make_worker(settings, tenant)
    sessions: dict[StaffRole, str] = {}
    for role in StaffRole:
        email = tenant.admin_email if role is StaffRole.ADMIN else make_staff(tenant, role)
        client.cookies.clear()
        sign_in(client, tenant.slug, email)
        sessions[role] = client.cookies["pq_session"]

    def as_role(role: StaffRole | None) -> TestClient:
        client.cookies.clear()
        if role is not None:
            client.cookies.set("pq_session", sessions[role], domain="127.0.0.1")
        return client

    checked = 0
    # Signing out ends the session the later requests need, so it goes last.
    for method, path, handler in sorted(_handlers(app), key=lambda h: h[1].endswith("/logout")):
        if handler.opt.get("public") or path.startswith(PUBLIC_PREFIXES):
            continue
        url = _concrete(path, tenant.slug, worker.id)
        anonymous = as_role(None).request(method, url, follow_redirects=False)
        assert anonymous.status_code in (401, 303), (method, path, anonymous.status_code)
        if anonymous.status_code == 303:
            assert "/login" in anonymous.headers["location"], (method, path)
        allowed = handler.opt["roles"]
        for role in StaffRole:
            # An allowed role sends a valid CSRF token, so what answers is the handler itself.
            headers = {"x-csrf-token": token_for(keys_for(settings).csrf, sessions[role])}
            response = as_role(role).request(method, url, headers=headers, follow_redirects=False)
            if role in allowed:
                assert response.status_code not in (401, 403), (method, path, role, response.status_code)
            else:
                assert response.status_code == 403, (method, path, role, response.status_code)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("path", ["/t/{slug}/workers", "/t/{slug}/api/workers", "/t/{slug}/audit"])
def test_a_session_of_one_tenant_is_anonymous_at_another(path: str, app: Litestar, tenant, other_tenant, client) -> None:  # noqa: ANN001
    sign_in(client, tenant.slug, tenant.admin_email)
    assert client.get(path.format(slug=tenant.slug), follow_redirects=False).status_code == 200
    response = client.get(path.format(slug=other_tenant.slug), follow_redirects=False)
    assert response.status_code in (401, 303)
