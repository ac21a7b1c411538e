"""Sign-in, sessions, CSRF and throttling, through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import select

from service.accounts.models import StaffRole, StaffUser
from tenants.isolation import control_session, tenant_session
from tests.support.factories import PASSWORD, make_staff
from tests.support.web import csrf_from, sign_in


def _post_login(client, slug: str, email: str, password: str):
    token = csrf_from(client.get(f"/t/{slug}/login").text)
    return client.post(
        f"/t/{slug}/login",
        data={"_csrf": token, "email": email, "password": password, "next": ""},
        follow_redirects=False,
    )


def test_sign_in_rotates_the_session_and_sets_safe_cookies(client, tenant) -> None:
    client.cookies.set("pq_session", "planted-by-an-attacker", domain="127.0.0.1")
    response = _post_login(client, tenant.slug, tenant.admin_email, PASSWORD)
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Path=/" in cookie
    new_token = client.cookies["pq_session"]
    assert new_token != "planted-by-an-attacker"
    first = new_token
    sign_in(client, tenant.slug, tenant.admin_email)
    assert client.cookies["pq_session"] != first  # every sign-in is a new session
    assert client.get(f"/t/{tenant.slug}/workers").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(client, tenant) -> None:
    wrong = _post_login(client, tenant.slug, tenant.admin_email, "not-the-password1")
    unknown = _post_login(client, tenant.slug, "nobody@example.com", "not-the-password1")
    assert wrong.status_code == unknown.status_code == 400
    assert "邮箱或密码不正确" in wrong.text
    assert wrong.text.count("alert") == unknown.text.count("alert")
    assert "pq_session" not in client.cookies


@pytest.mark.usefixtures("db_clean")  # failures are counted in their own transaction, which the request's rollback spares
def test_repeated_failures_lock_the_account(client, tenant, settings) -> None:
    for _ in range(settings.sign_in_max_failures):
        assert _post_login(client, tenant.slug, tenant.admin_email, "wrong-password-1").status_code == 400
    locked = _post_login(client, tenant.slug, tenant.admin_email, PASSWORD)
    assert locked.status_code == 400
    assert "pq_session" not in client.cookies
    with control_session() as db:  # after the lock expires, the right password works again
        db.execute(text("update sign_in_failures set locked_until = :t"), {"t": datetime.now(UTC) - timedelta(seconds=1)})
    assert _post_login(client, tenant.slug, tenant.admin_email, PASSWORD).status_code == 303


def test_a_form_without_a_valid_csrf_token_is_refused(client, tenant) -> None:
    client.get(f"/t/{tenant.slug}/login")
    response = client.post(
        f"/t/{tenant.slug}/login",
        data={"_csrf": "forged", "email": tenant.admin_email, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.status_code == 403
    sign_in(client, tenant.slug, tenant.admin_email)
    missing = client.post(f"/t/{tenant.slug}/workers/1/deactivate", follow_redirects=False)
    assert missing.status_code == 403


def test_the_csrf_token_before_sign_in_is_useless_after(client, tenant) -> None:
    before = csrf_from(client.get(f"/t/{tenant.slug}/login").text)
    sign_in(client, tenant.slug, tenant.admin_email)
    response = client.post(f"/t/{tenant.slug}/logout", data={"_csrf": before}, follow_redirects=False)
    assert response.status_code == 403


def test_sign_out_ends_the_session_on_the_server(client, tenant) -> None:
    sign_in(client, tenant.slug, tenant.admin_email)
    token = client.cookies["pq_session"]
    csrf = csrf_from(client.get(f"/t/{tenant.slug}/workers").text)
    assert client.post(f"/t/{tenant.slug}/logout", data={"_csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("pq_session", token, domain="127.0.0.1")  # replaying the old cookie does not work
    assert client.get(f"/t/{tenant.slug}/workers", follow_redirects=False).status_code == 303


def test_idle_and_absolute_expiry(client, tenant, settings) -> None:
    sign_in(client, tenant.slug, tenant.admin_email)
    with control_session() as db:
        db.execute(
            text("update web_sessions set last_seen_at = last_seen_at - :idle"),
            {"idle": timedelta(minutes=settings.session_idle_minutes + 1)},
        )
    assert client.get(f"/t/{tenant.slug}/workers", follow_redirects=False).status_code == 303
    sign_in(client, tenant.slug, tenant.admin_email)
    with control_session() as db:
        db.execute(text("update web_sessions set expires_at = now() - interval '1 second'"))
    assert client.get(f"/t/{tenant.slug}/workers", follow_redirects=False).status_code == 303


def test_a_disabled_user_is_signed_out_and_cannot_sign_in(client, app, tenant) -> None:
    email = make_staff(tenant, StaffRole.HR_CLERK)
    from litestar.testing import TestClient

    with TestClient(app, base_url="http://127.0.0.1") as clerk:
        sign_in(clerk, tenant.slug, email)
        sign_in(client, tenant.slug, tenant.admin_email)
        users = client.get(f"/t/{tenant.slug}/users").text
        with tenant_session(tenant.id) as db:  # ids are not reset between tests: find the clerk's
            user_id = db.exec(select(StaffUser.id).where(StaffUser.email == email)).one()
        assert f'action="/t/{tenant.slug}/users/{user_id}"' in users
        response = client.post(
            f"/t/{tenant.slug}/users/{user_id}",
            data={"_csrf": csrf_from(users), "role": "hr_clerk"},  # "active" unchecked
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert clerk.get(f"/t/{tenant.slug}/workers", follow_redirects=False).status_code == 303
        assert _post_login(clerk, tenant.slug, email, PASSWORD).status_code == 400


def test_next_never_leaves_the_tenant(client, tenant) -> None:
    token = csrf_from(client.get(f"/t/{tenant.slug}/login").text)
    for target in ("https://evil.example/", "//evil.example/", f"/t/{tenant.slug}//evil"):
        client.cookies.clear()
        token = csrf_from(client.get(f"/t/{tenant.slug}/login").text)
        response = client.post(
            f"/t/{tenant.slug}/login",
            data={"_csrf": token, "email": tenant.admin_email, "password": PASSWORD, "next": target},
            follow_redirects=False,
        )
        assert response.headers["location"] == f"/t/{tenant.slug}/"
