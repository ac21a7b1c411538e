"""Bureau reviewers sign in through their bureau's OpenID provider.

The happy path and the provider-side refusals run against a real provider
(panva/oidc-provider, started by tests/support/oidc.py); the ID-token
refusals against a provider in this process whose tokens the test writes.
Every refusal must leave the browser without a session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import re
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from litestar.testing import TestClient
from sqlalchemy import text
from sqlmodel import select

from service.audit import AuditEntry
from service.reviewers.models import Reviewer, ReviewerRole
from service.sso.models import LoginState, SsoConnection
from tenants.isolation import control_session, tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.oidc import (
    DOMAIN,
    FakeProvider,
    RealProvider,
    connect_real,
    ec_key,
    make_connection,
    reviewer_session,
    running_fake_provider,
    running_provider,
)
from tests.support.web import csrf_from, sign_in

APP = "http://127.0.0.1"
BUREAU_A = "成都市锦江区城市管理和综合行政执法局"
BUREAU_B = "成都市青羊区城市管理和综合行政执法局"


# --- helpers --------------------------------------------------------------------------------------------


def reviewer_sessions() -> int:
    with control_session() as control:
        return control.execute(text("select count(*) from web_sessions where principal_kind = 'reviewer'")).scalar_one()


def assert_no_session(client: TestClient, response: httpx.Response) -> None:
    """Refused: no session cookie set, no session row, and the portal still asks to sign in."""
    assert response.status_code in (400, 403), (response.status_code, response.text[:300])
    for header in response.headers.get_list("set-cookie"):
        assert not header.startswith("pq_session=") or header.startswith("pq_session=;") or 'pq_session=""' in header, header
    assert not client.cookies.get("pq_session")
    assert reviewer_sessions() == 0
    slug = urlsplit(str(response.url)).path.split("/")[2]
    portal = client.get(f"/t/{slug}/review/", follow_redirects=False)
    assert portal.status_code == 303 and "/review/login" in portal.headers["location"]


def start(client: TestClient, slug: str, connection_id: int) -> dict[str, str]:
    response = client.get(f"/t/{slug}/sso/{connection_id}/start", follow_redirects=False)
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()} | {
        "_location": response.headers["location"]
    }


def through_provider(location: str, browser: httpx.Client) -> str:
    """Follow the provider's redirects (its non-interactive sign-in) until it sends the browser back to the app."""
    for _ in range(12):
        response = browser.get(location, follow_redirects=False)
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        location = urljoin(location, response.headers["location"])
        if location.startswith(APP + "/"):
            return location
    raise AssertionError("the provider never redirected back")


def sign_in_for_real(client: TestClient, slug: str, connection_id: int) -> tuple[httpx.Response, str]:
    params = start(client, slug, connection_id)
    with httpx.Client(timeout=20) as browser:  # the provider's side of the browser (its own cookies)
        callback = through_provider(params["_location"], browser)
    return client.get(callback, follow_redirects=False), callback


@pytest.fixture(scope="module")
def oidc_provider() -> Iterator[RealProvider]:
    yield from running_provider()


@pytest.fixture()
def fake_provider() -> Iterator[FakeProvider]:
    yield from running_fake_provider()


@pytest.fixture()
def bureau_a(tenant) -> int:
    return make_bureau(tenant, BUREAU_A)


# --- the real provider ----------------------------------------------------------------------------------


def test_first_sign_in_provisions_the_reviewer_who_sees_only_their_bureau(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    mine = make_worker(settings, tenant, client_bureau=BUREAU_A, name="李守时")
    make_bureau(tenant, BUREAU_B)
    theirs = make_worker(settings, tenant, client_bureau=BUREAU_B, name="赵别处")
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-1", f"wang.shen@{DOMAIN}", "王审核")

    params = start(client, tenant.slug, connection.id)
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["nonce"] and params["state"] and params["response_type"] == "code"
    with httpx.Client(timeout=20) as browser:
        callback = through_provider(params["_location"], browser)
    response = client.get(callback, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/t/{tenant.slug}/review/"
    assert client.cookies.get("pq_session")

    home = client.get(f"/t/{tenant.slug}/review/")
    assert home.status_code == 200 and BUREAU_A in home.text and "王审核" in home.text
    listing = client.get(f"/t/{tenant.slug}/review/workers")
    assert "李守时" in listing.text and "赵别处" not in listing.text
    assert mine.id_number_masked in listing.text
    assert client.get(f"/t/{tenant.slug}/review/workers/{mine.id}").status_code == 200
    assert client.get(f"/t/{tenant.slug}/review/workers/{theirs.id}").status_code == 404
    # A reviewer is not staff: staff pages refuse the session.
    assert client.get(f"/t/{tenant.slug}/workers", follow_redirects=False).status_code == 403

    with tenant_session(tenant.id) as db:
        reviewers = db.exec(select(Reviewer)).all()
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "reviewer.provisioned")).all()
    assert [(r.issuer, r.subject, r.bureau_id, r.role) for r in reviewers] == [
        (oidc_provider.issuer, "op-subject-1", bureau_a, ReviewerRole.BUREAU)
    ]
    assert len(audit) == 1 and audit[0].after["email"] == f"wang.shen@{DOMAIN}"

    # Signing in again finds the same reviewer by (issuer, subject).
    client.cookies.clear()
    again, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert again.status_code == 303
    with tenant_session(tenant.id) as db:
        assert len(db.exec(select(Reviewer)).all()) == 1


def test_the_role_comes_from_the_claim_mapping(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(
        settings,
        tenant,
        bureau_a,
        oidc_provider,
        APP,
        role_claim="groups",
        default_role=None,
        role_mapping=[{"value": "bianban", "role": "establishment_reviewer"}, {"value": "cgj", "role": "bureau_reviewer"}],
    )
    oidc_provider.set_account("op-est-1", f"liu@{DOMAIN}", "刘编办", groups=["staff", "bianban"])
    response, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert response.status_code == 303
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Reviewer.role)).one() == ReviewerRole.ESTABLISHMENT

    client.cookies.clear()
    oidc_provider.set_account("op-nobody", f"zhou@{DOMAIN}", "周无组", groups=["staff"])
    refused, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert refused.status_code == 403
    assert not client.cookies.get("pq_session")


def test_email_domain_not_allowed_is_refused(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-outsider", "someone@gmail.example.com", "外人")
    response, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert_no_session(client, response)
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Reviewer)).all() == []


def test_replayed_state_is_refused(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-2", f"a@{DOMAIN}")
    first, callback = sign_in_for_real(client, tenant.slug, connection.id)
    assert first.status_code == 303
    with control_session() as control:
        control.execute(text("delete from web_sessions"))
    client.cookies.delete("pq_session")
    replay = client.get(callback, follow_redirects=False)
    assert_no_session(client, replay)


def test_replayed_authorization_code_is_refused(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-3", f"b@{DOMAIN}")
    first, callback = sign_in_for_real(client, tenant.slug, connection.id)
    assert first.status_code == 303
    old_code = parse_qs(urlsplit(callback).query)["code"][0]
    client.cookies.clear()
    with control_session() as control:
        control.execute(text("delete from web_sessions"))
    # A fresh, valid state in this browser, carrying the code already spent.
    params = start(client, tenant.slug, connection.id)
    replay = client.get(
        f"/t/{tenant.slug}/sso/{connection.id}/callback",
        params={"code": old_code, "state": params["state"]},
        follow_redirects=False,
    )
    assert_no_session(client, replay)


def test_a_state_started_in_another_browser_is_refused(
    app,
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-4", f"c@{DOMAIN}")
    with TestClient(app, base_url=APP) as attacker:
        params = start(attacker, tenant.slug, connection.id)
        with httpx.Client(timeout=20) as browser:
            callback = through_provider(params["_location"], browser)
    assert_no_session(client, client.get(callback, follow_redirects=False))  # login CSRF: the victim's browser


def test_disabled_reviewer_is_signed_out_and_refused(
    app,
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-5", f"d@{DOMAIN}", "停用者")
    response, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert response.status_code == 303
    with tenant_session(tenant.id) as db:
        reviewer_id = db.exec(select(Reviewer.id)).one()

    with TestClient(app, base_url=APP) as admin:
        sign_in(admin, tenant.slug, tenant.admin_email)
        page = admin.get(f"/t/{tenant.slug}/sso/reviewers")
        assert "停用者" in page.text
        done = admin.post(
            f"/t/{tenant.slug}/sso/reviewers/{reviewer_id}",
            data={"_csrf": csrf_from(page.text), "active": "0"},
            follow_redirects=False,
        )
        assert done.status_code == 303
    assert client.get(f"/t/{tenant.slug}/review/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    again, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert_no_session(client, again)
    assert "停用" in again.text


def test_logout_ends_the_session_and_the_providers(
    client: TestClient,
    tenant,
    settings,
    oidc_provider: RealProvider,
    bureau_a: int,
) -> None:
    connection = connect_real(settings, tenant, bureau_a, oidc_provider, APP)
    oidc_provider.set_account("op-subject-6", f"e@{DOMAIN}")
    response, _ = sign_in_for_real(client, tenant.slug, connection.id)
    assert response.status_code == 303
    home = client.get(f"/t/{tenant.slug}/review/")
    out = client.post(f"/t/{tenant.slug}/review/logout", data={"_csrf": csrf_from(home.text)}, follow_redirects=False)
    # A page, not a redirect: the form's CSP (form-action 'self') would block a redirect to the provider.
    assert out.status_code == 200
    assert 'pq_session=""' in out.headers["set-cookie"] or "pq_session=;" in out.headers["set-cookie"]
    location = html.unescape(re.search(r'url=([^"]+)"', out.text).group(1))
    assert location.startswith(f"{oidc_provider.issuer}/session/end?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [connection.client_id]
    assert query["post_logout_redirect_uri"] == [f"{APP}/t/{tenant.slug}/review/login"]
    assert reviewer_sessions() == 0
    assert client.get(f"/t/{tenant.slug}/review/", follow_redirects=False).status_code == 303
    # The provider accepts the request (it asks the person to confirm signing out there).
    assert httpx.get(location, timeout=20).status_code == 200


# --- ID tokens the test writes ------------------------------------------------------------------------


@pytest.fixture()
def fake_connection(tenant, settings, fake_provider: FakeProvider, bureau_a: int) -> SsoConnection:
    return make_connection(settings, tenant.id, bureau_a, fake_provider.issuer, client_id="paiqian-client")


def _callback(client: TestClient, slug: str, connection_id: int, state: str, code: str = "code-1") -> httpx.Response:
    return client.get(f"/t/{slug}/sso/{connection_id}/callback", params={"code": code, "state": state}, follow_redirects=False)


def test_a_well_formed_token_signs_in_and_pkce_is_sent(
    client: TestClient,
    tenant,
    fake_provider: FakeProvider,
    fake_connection: SsoConnection,
) -> None:
    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = fake_provider.sign(fake_provider.claims("paiqian-client", params["nonce"]))
    response = _callback(client, tenant.slug, fake_connection.id, params["state"])
    assert response.status_code == 303, response.text
    assert client.cookies.get("pq_session")
    (request,) = fake_provider.token_requests
    challenge = base64.urlsafe_b64encode(hashlib.sha256(request["code_verifier"].encode()).digest()).rstrip(b"=")
    assert challenge.decode() == params["code_challenge"]
    assert request["grant_type"] == "authorization_code" and request["code"] == "code-1"
    assert request["redirect_uri"] == f"{APP}/t/{tenant.slug}/sso/{fake_connection.id}/callback"
    assert request["authorization"].startswith("Basic ")  # the secret, decrypted, never in the form
    assert "client_secret" not in request


def test_userinfo_supplies_what_the_id_token_left_out(
    client: TestClient,
    tenant,
    fake_provider: FakeProvider,
    fake_connection: SsoConnection,
) -> None:
    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = fake_provider.sign(fake_provider.claims("paiqian-client", params["nonce"], email=None))
    fake_provider.userinfo = {"sub": "another-subject", "email": f"x@{DOMAIN}"}
    assert_no_session(client, _callback(client, tenant.slug, fake_connection.id, params["state"]))

    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = fake_provider.sign(fake_provider.claims("paiqian-client", params["nonce"], email=None))
    fake_provider.userinfo = {"sub": "fake-subject-1", "email": f"x@{DOMAIN}"}
    assert _callback(client, tenant.slug, fake_connection.id, params["state"]).status_code == 303


def _part(value: dict | bytes) -> str:
    raw = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _none_token(claims: dict) -> str:
    return f"{_part({'alg': 'none', 'typ': 'JWT'})}.{_part(claims)}."


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    flipped = "A" if signature[5] != "A" else "B"
    return f"{header}.{payload}.{signature[:5]}{flipped}{signature[6:]}"


def _payload_swapped(provider: FakeProvider, token: str, claims: dict) -> str:
    header, _, signature = token.split(".")
    other = provider.sign(claims).split(".")[1]
    return f"{header}.{other}.{signature}"


def _hs256_with_public_key(provider: FakeProvider, claims: dict) -> str:
    """The classic key-confusion forgery: HMAC keyed with the issuer's public key (PEM), which anyone has."""
    signing_input = f"{_part({'alg': 'HS256', 'typ': 'JWT', 'kid': 'test-key'})}.{_part(claims)}"
    public_pem = provider.key.as_pem(private=False)
    return f"{signing_input}.{_part(hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())}"


NEGATIVE_CASES = {
    "wrong issuer": lambda p, c, n: p.sign(p.claims(c, n, iss="http://127.0.0.1:1/evil")),
    "wrong audience": lambda p, c, n: p.sign(p.claims(c, n, aud="someone-else")),
    "audience list without us": lambda p, c, n: p.sign(p.claims(c, n, aud=["a", "b"])),
    "expired": lambda p, c, n: p.sign(p.claims(c, n, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)),
    "issued in the future": lambda p, c, n: p.sign(p.claims(c, n, iat=int(time.time()) + 3600)),
    "issued long ago": lambda p, c, n: p.sign(p.claims(c, n, iat=int(time.time()) - 86400, exp=int(time.time()) + 300)),
    "no exp": lambda p, c, n: p.sign(p.claims(c, n, exp=None)),
    "tampered signature": lambda p, c, n: _tampered(p.sign(p.claims(c, n))),
    "payload swapped under a valid signature": lambda p, c, n: _payload_swapped(
        p, p.sign(p.claims(c, n)), p.claims(c, n, sub="victim")
    ),
    "alg none": lambda p, c, n: _none_token(p.claims(c, n)),
    "HS256 keyed with the public key": lambda p, c, n: _hs256_with_public_key(p, p.claims(c, n)),
    "signed by a key not in the JWKS": lambda p, c, n: p.sign(
        p.claims(c, n), key=RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    ),
    "ES256 by a key not in the JWKS": lambda p, c, n: p.sign(
        p.claims(c, n), header={"alg": "ES256", "kid": "ec-key"}, key=ec_key()
    ),
    "wrong nonce": lambda p, c, n: p.sign(p.claims(c, n + "x")),
    "no nonce": lambda p, c, n: p.sign(p.claims(c, n, nonce=None)),
    "email domain not allowed": lambda p, c, n: p.sign(p.claims(c, n, email="a@evil.example.com")),
    "email look-alike domain": lambda p, c, n: p.sign(p.claims(c, n, email=f"a@x{DOMAIN}")),
    "email not verified": lambda p, c, n: p.sign(p.claims(c, n, email_verified=False)),
    "not a JWT": lambda p, c, n: "not-a-token",
}


@pytest.mark.parametrize("case", list(NEGATIVE_CASES))
def test_a_bad_id_token_is_refused_without_a_session(
    case: str,
    client: TestClient,
    tenant,
    fake_provider: FakeProvider,
    fake_connection: SsoConnection,
) -> None:
    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = NEGATIVE_CASES[case](fake_provider, "paiqian-client", params["nonce"])
    response = _callback(client, tenant.slug, fake_connection.id, params["state"])
    assert_no_session(client, response)
    with tenant_session(tenant.id) as db:
        assert db.exec(select(Reviewer)).all() == []
        assert db.exec(select(LoginState)).all() == []  # the state is spent all the same


def test_unknown_expired_or_missing_states_are_refused(
    client: TestClient,
    tenant,
    fake_provider: FakeProvider,
    fake_connection: SsoConnection,
) -> None:
    assert_no_session(client, _callback(client, tenant.slug, fake_connection.id, "made-up-state"))
    assert_no_session(client, client.get(f"/t/{tenant.slug}/sso/{fake_connection.id}/callback?code=x", follow_redirects=False))
    params = start(client, tenant.slug, fake_connection.id)
    with tenant_session(tenant.id) as db:
        db.execute(text("update sso_login_states set expires_at = now() - interval '1 second'"))
    fake_provider.id_token = fake_provider.sign(fake_provider.claims("paiqian-client", params["nonce"]))
    assert_no_session(client, _callback(client, tenant.slug, fake_connection.id, params["state"]))
    assert fake_provider.token_requests == []  # refused before the code was ever sent


def test_the_provider_reporting_an_error_is_refused(
    client: TestClient,
    tenant,
    fake_connection: SsoConnection,
) -> None:
    params = start(client, tenant.slug, fake_connection.id)
    response = client.get(
        f"/t/{tenant.slug}/sso/{fake_connection.id}/callback",
        params={"error": "access_denied", "state": params["state"]},
        follow_redirects=False,
    )
    assert_no_session(client, response)


def test_a_discovery_document_naming_another_issuer_is_refused(
    client: TestClient,
    tenant,
    settings,
    fake_provider: FakeProvider,
    bureau_a: int,
) -> None:
    connection = make_connection(settings, tenant.id, bureau_a, fake_provider.issuer + "/", client_id="c")
    response = client.get(f"/t/{tenant.slug}/sso/{connection.id}/start", follow_redirects=False)
    assert response.status_code == 502
    assert not client.cookies.get("pq_session")


# --- the authorization layer ----------------------------------------------------------------------------


def test_bureau_a_reviewer_gets_404_for_a_bureau_b_worker(
    client: TestClient,
    tenant,
    other_tenant,
    settings,
    bureau_a: int,
) -> None:
    mine = make_worker(settings, tenant, client_bureau=BUREAU_A, name="甲局人")
    bureau_b = make_bureau(tenant, BUREAU_B)
    theirs = make_worker(settings, tenant, client_bureau=BUREAU_B, name="乙局人")
    elsewhere = make_worker(settings, other_tenant, client_bureau=BUREAU_A, name="他司人")
    connection = make_connection(settings, tenant.id, bureau_a, "http://127.0.0.1:9/")
    client.cookies.set("pq_session", reviewer_session(settings, tenant, bureau_a, connection.id), domain="127.0.0.1")

    assert client.get(f"/t/{tenant.slug}/review/workers/{mine.id}").status_code == 200
    assert client.get(f"/t/{tenant.slug}/review/workers/{theirs.id}").status_code == 404
    assert client.get(f"/t/{tenant.slug}/review/workers/{elsewhere.id}").status_code == 404
    listing = client.get(f"/t/{tenant.slug}/review/workers?status=active").text
    assert "甲局人" in listing and "乙局人" not in listing and "他司人" not in listing
    assert client.get(f"/t/{tenant.slug}/review/").text.count(BUREAU_B) == 0
    # Nor does the session count in another tenant.
    assert client.get(f"/t/{other_tenant.slug}/review/", follow_redirects=False).status_code == 303
    assert bureau_b != bureau_a


def test_full_id_numbers_never_reach_the_portal(client: TestClient, tenant, settings, bureau_a: int) -> None:
    from service.keys import keys_for
    from service.workforce.roster.actions import reveal_id_number

    worker = make_worker(settings, tenant, client_bureau=BUREAU_A)
    connection = make_connection(settings, tenant.id, bureau_a, "http://127.0.0.1:9/")
    client.cookies.set("pq_session", reviewer_session(settings, tenant, bureau_a, connection.id), domain="127.0.0.1")
    number = reveal_id_number(keys_for(settings), worker)
    for path in ("/review/", "/review/workers", f"/review/workers/{worker.id}"):
        body = client.get(f"/t/{tenant.slug}{path}").text
        assert number not in body and number[6:14] not in body


# --- the admin's connection pages -----------------------------------------------------------------------


def test_admin_registers_a_connection_with_the_secret_encrypted(
    client: TestClient,
    tenant,
    settings,
    signed_in,
    bureau_a: int,
) -> None:
    from service.accounts.models import StaffRole

    admin = signed_in(tenant, StaffRole.ADMIN)
    admin.cookies.set("pq_lang", "en", domain="127.0.0.1")  # the messages below are checked in English
    form = admin.get(f"/t/{tenant.slug}/sso/connections/new")
    assert form.status_code == 200 and BUREAU_A in form.text
    bad = admin.post(
        f"/t/{tenant.slug}/sso/connections",
        data={
            "_csrf": csrf_from(form.text),
            "bureau_id": str(bureau_a),
            "name": "",
            "issuer": "http://idp.example.com",
            "client_id": "",
            "client_secret": "",
            "scopes": "email",
            "allowed_domains": "not a domain!",
            "default_role": "",
        },
    )
    assert bad.status_code == 400
    for message in ("https://", "openid", "client secret", "client ID", "default role"):
        assert message in bad.text, message
    with tenant_session(tenant.id) as db:
        assert db.exec(select(SsoConnection)).all() == []

    good = admin.post(
        f"/t/{tenant.slug}/sso/connections",
        data={
            "_csrf": csrf_from(form.text),
            "bureau_id": str(bureau_a),
            "name": "锦江城管 统一认证",
            "issuer": "https://id.cgj.example.gov.cn/realms/jj",
            "client_id": "paiqian",
            "client_secret": "top-secret-123",
            "scopes": "openid email profile",
            "allowed_domains": f"{DOMAIN}, jj.{DOMAIN}",
            "role_claim": "groups",
            "establishment_values": "bianban",
            "bureau_values": "cgj\nzhongdui",
            "default_role": "",
            "enabled": "1",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    with tenant_session(tenant.id) as db:
        connection = db.exec(select(SsoConnection)).one()
        audit = db.exec(select(AuditEntry).where(AuditEntry.entity == "sso_connection")).one()
    assert b"top-secret-123" not in connection.client_secret_cipher
    assert "top-secret" not in str(audit.after) and "cipher" not in str(audit.after)
    assert connection.allowed_domains == [DOMAIN, f"jj.{DOMAIN}"]
    assert connection.role_mapping == [
        {"value": "bianban", "role": "establishment_reviewer"},
        {"value": "cgj", "role": "bureau_reviewer"},
        {"value": "zhongdui", "role": "bureau_reviewer"},
    ]

    from service.sso.actions import client_secret_of

    page = admin.get(good.headers["location"])
    assert f"/t/{tenant.slug}/sso/{connection.id}/callback" in page.text and "top-secret" not in page.text
    saved = admin.post(
        f"/t/{tenant.slug}/sso/connections/{connection.id}",
        data={
            "_csrf": csrf_from(page.text),
            "bureau_id": str(bureau_a),
            "name": "改名",
            "issuer": connection.issuer,
            "client_id": "paiqian-2",
            "client_secret": "",
            "scopes": "openid email",
            "allowed_domains": DOMAIN,
            "role_claim": "",
            "default_role": "bureau_reviewer",
            "enabled": "1",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    with tenant_session(tenant.id) as db:
        connection = db.exec(select(SsoConnection)).one()
    assert connection.client_id == "paiqian-2" and client_secret_of(settings, connection) == "top-secret-123"


def test_the_sign_in_page_lists_enabled_connections(client: TestClient, tenant, settings, bureau_a: int) -> None:
    connection = make_connection(settings, tenant.id, bureau_a, "http://127.0.0.1:9/", name="锦江城管认证")
    page = client.get(f"/t/{tenant.slug}/review/login")
    assert page.status_code == 200 and "锦江城管认证" in page.text
    assert f"/t/{tenant.slug}/sso/{connection.id}/start" in page.text
    anonymous = client.get(f"/t/{tenant.slug}/review/workers", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(f"/t/{tenant.slug}/review/login")


def test_a_rotated_signing_key_is_fetched_again(
    client: TestClient,
    tenant,
    fake_provider: FakeProvider,
    fake_connection: SsoConnection,
    monkeypatch,
) -> None:
    from service.sso import oidc

    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = fake_provider.sign(fake_provider.claims("paiqian-client", params["nonce"]))
    assert _callback(client, tenant.slug, fake_connection.id, params["state"]).status_code == 303  # JWKS cached
    client.cookies.clear()
    monkeypatch.setattr(oidc, "JWKS_REFETCH_SECONDS", 0)
    fake_provider.key = RSAKey.generate_key(2048, parameters={"kid": "rotated-key"})
    params = start(client, tenant.slug, fake_connection.id)
    fake_provider.id_token = fake_provider.sign(
        fake_provider.claims("paiqian-client", params["nonce"]), header={"alg": "RS256", "kid": "rotated-key"}
    )
    assert _callback(client, tenant.slug, fake_connection.id, params["state"]).status_code == 303


def test_disabling_a_connection_signs_its_reviewers_out(
    client: TestClient,
    tenant,
    settings,
    signed_in,
    bureau_a: int,
) -> None:
    from service.accounts.models import StaffRole

    connection = make_connection(settings, tenant.id, bureau_a, "http://127.0.0.1:9/")
    token = reviewer_session(settings, tenant, bureau_a, connection.id)
    admin = signed_in(tenant, StaffRole.ADMIN)
    page = admin.get(f"/t/{tenant.slug}/sso/connections/{connection.id}")
    saved = admin.post(
        f"/t/{tenant.slug}/sso/connections/{connection.id}",
        data={
            "_csrf": csrf_from(page.text),
            "bureau_id": str(bureau_a),
            "name": connection.name,
            "issuer": connection.issuer,
            "client_id": connection.client_id,
            "client_secret": "",
            "scopes": "openid email",
            "allowed_domains": DOMAIN,
            "default_role": "bureau_reviewer",  # "enabled" left unticked
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    admin.cookies.clear()
    admin.cookies.set("pq_session", token, domain="127.0.0.1")
    assert admin.get(f"/t/{tenant.slug}/review/", follow_redirects=False).status_code == 303
    assert reviewer_sessions() == 0
    assert f"/sso/{connection.id}/start" not in admin.get(f"/t/{tenant.slug}/review/login").text
    assert admin.get(f"/t/{tenant.slug}/sso/{connection.id}/start", follow_redirects=False).status_code == 404
