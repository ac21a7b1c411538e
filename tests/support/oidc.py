"""OpenID providers for the SSO tests.

``RealProvider``: panva/oidc-provider (OpenID Certified), installed from npm
into tests/.oidc (pinned by its package-lock; node_modules is git-ignored and
installed once) and run with the machine's Node.js on 127.0.0.1.  Clients
register themselves over Dynamic Client Registration; sign-in is
non-interactive and signs in the account the test set.

``FakeProvider``: a tiny issuer in this process (discovery, JWKS, token and
UserInfo endpoints) whose token endpoint returns whatever ID token the test
crafted, signed with a test key, for the token-level negative tests.

And the factories that register a bureau's connection in the app.
"""

from __future__ import annotations

import fcntl
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey

from service.audit import SYSTEM
from service.reviewers.models import ReviewerRole
from service.settings import Settings
from service.sso import actions, oidc
from service.sso.connection_input import ConnectionInput
from service.sso.models import SsoConnection
from tenants.isolation import tenant_session

PROVIDER_DIR = Path(__file__).resolve().parent.parent / ".oidc"
DOMAIN = "cgj.example.gov.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _install_provider() -> None:
    # Parallel test processes (pytest -n) would both run npm in the same folder: one installs, the other waits.
    with (PROVIDER_DIR / ".install.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
            _run_npm()


def _run_npm() -> None:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        pytest.fail("Node.js and npm are needed for the SSO tests (the OpenID provider runs on Node)")
    command = (
        [npm, "ci", "--no-audit", "--no-fund"]
        if (PROVIDER_DIR / "package-lock.json").exists()
        else [npm, "install", "--no-audit", "--no-fund"]
    )
    subprocess.run(command, cwd=PROVIDER_DIR, check=True, timeout=600, capture_output=True)


class RealProvider:
    def __init__(self) -> None:
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        _install_provider()
        self.process = subprocess.Popen(
            ["node", "provider.js", str(self.port)],
            cwd=PROVIDER_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 90
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if line.startswith("ready "):
                break
            if not line and self.process.poll() is not None:
                raise RuntimeError("the OpenID provider exited before it was ready")
        else:
            self.stop()
            raise RuntimeError("the OpenID provider did not start")
        # Keep reading its output so a full pipe never blocks it.
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for _ in self.process.stdout:
            pass

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def register_client(self, redirect_uri: str, post_logout_redirect_uri: str) -> tuple[str, str]:
        response = httpx.post(
            f"{self.issuer}/reg",
            json={"redirect_uris": [redirect_uri], "post_logout_redirect_uris": [post_logout_redirect_uri]},
            timeout=10,
        )
        response.raise_for_status()
        body = response.json()
        return body["client_id"], body["client_secret"]

    def set_account(self, sub: str, email: str, name: str = "测试审核员", groups: list[str] | None = None) -> None:
        response = httpx.post(
            f"{self.issuer}/__test/account",
            json={"sub": sub, "email": email, "name": name, "groups": groups or []},
            timeout=10,
        )
        response.raise_for_status()


def running_provider() -> Iterator[RealProvider]:
    """For a fixture: ``yield from running_provider()`` (started once, stopped after)."""
    provider = RealProvider()
    provider.start()
    try:
        yield provider
    finally:
        provider.stop()


# --- a provider whose ID tokens the test writes ------------------------------------------------------


@dataclass
class FakeProvider:
    """Discovery, JWKS, token and UserInfo on 127.0.0.1; the token endpoint answers ``id_token``."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "test-key"}))
    id_token: str = ""
    userinfo: dict[str, Any] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _json(self, body: Any, status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._json(
                        {
                            "issuer": provider.issuer,
                            "authorization_endpoint": f"{provider.issuer}/authorize",
                            "token_endpoint": f"{provider.issuer}/token",
                            "jwks_uri": f"{provider.issuer}/jwks",
                            "userinfo_endpoint": f"{provider.issuer}/userinfo",
                            "id_token_signing_alg_values_supported": ["RS256"],
                        }
                    )
                elif self.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False) | {"use": "sig", "alg": "RS256"}]})
                elif self.path == "/userinfo":
                    self._json(provider.userinfo)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                form["authorization"] = self.headers.get("authorization", "")
                provider.token_requests.append(form)
                self._json(
                    {"access_token": "fake-access", "token_type": "Bearer", "expires_in": 300, "id_token": provider.id_token}
                )

        port = free_port()
        self.issuer = f"http://127.0.0.1:{port}"
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def sign(self, claims: dict[str, Any], *, header: dict[str, Any] | None = None, key: Any = None) -> str:
        return jwt.encode(header or {"alg": "RS256", "kid": "test-key"}, claims, key or self.key)

    def claims(self, client_id: str, expected_nonce: str, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        values = {
            "iss": self.issuer,
            "sub": "fake-subject-1",
            "aud": client_id,
            "exp": now + 300,
            "iat": now,
            "nonce": expected_nonce,
            "email": f"reviewer@{DOMAIN}",
            "email_verified": True,
            "name": "王审核",
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v is not None}


def running_fake_provider() -> Iterator[FakeProvider]:
    """For a fixture: ``yield from running_fake_provider()``."""
    provider = FakeProvider()
    provider.start()
    oidc.clear_caches()
    try:
        yield provider
    finally:
        provider.stop()
        oidc.clear_caches()


def ec_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": "ec-key"})


# --- connections in the app ----------------------------------------------------------------------------


def make_connection(
    settings: Settings,
    tenant_id: Any,
    bureau_id: int,
    issuer: str,
    *,
    client_id: str = "paiqian-test",
    client_secret: str = "s3cret-for-tests",
    domains: tuple[str, ...] = (DOMAIN,),
    role_claim: str = "",
    role_mapping: list[dict[str, Any]] | None = None,
    default_role: ReviewerRole | None = ReviewerRole.BUREAU,
    name: str = "城管局统一身份认证",
) -> SsoConnection:
    data = ConnectionInput(
        bureau_id=bureau_id,
        name=name,
        issuer=issuer,
        client_id=client_id,
        client_secret=client_secret,
        scopes="openid email profile groups",
        allowed_domains=list(domains),
        role_claim=role_claim,
        role_mapping=role_mapping or [],
        default_role=default_role,
        enabled=True,
    )
    with tenant_session(tenant_id) as db:
        return actions.create_connection(db, settings, data, actor=SYSTEM)


def set_client(settings: Settings, tenant_id: Any, connection_id: int, client_id: str, client_secret: str) -> None:
    with tenant_session(tenant_id) as db:
        connection = db.get(SsoConnection, (tenant_id, connection_id))
        assert connection is not None
        data = ConnectionInput(
            bureau_id=connection.bureau_id,
            name=connection.name,
            issuer=connection.issuer,
            client_id=client_id,
            client_secret=client_secret,
            scopes=connection.scopes,
            allowed_domains=list(connection.allowed_domains),
            role_claim=connection.role_claim,
            role_mapping=list(connection.role_mapping),
            default_role=connection.default_reviewer_role,
            enabled=connection.enabled,
        )
        actions.update_connection(db, settings, connection, data, actor=SYSTEM)


def connect_real(
    settings: Settings, tenant: Any, bureau_id: int, provider: RealProvider, base_url: str, **options: Any
) -> SsoConnection:
    """A connection of the tenant's bureau to the real provider, with a client registered there for it."""
    connection = make_connection(settings, tenant.id, bureau_id, provider.issuer, **options)
    client_id, secret = provider.register_client(
        f"{base_url}/t/{tenant.slug}/sso/{connection.id}/callback", f"{base_url}/t/{tenant.slug}/review/login"
    )
    set_client(settings, tenant.id, connection.id, client_id, secret)
    connection.client_id = client_id
    return connection


def make_reviewer(
    settings: Settings,
    tenant: Any,
    bureau_id: int,
    connection_id: int,
    role: ReviewerRole = ReviewerRole.BUREAU,
    subject: str = "direct-subject",
) -> int:
    """A reviewer as the first sign-in would have provisioned them; their id."""
    from service.reviewers.models import Reviewer

    with tenant_session(tenant.id) as db:
        connection = db.get(SsoConnection, (tenant.id, connection_id))
        assert connection is not None
        reviewer = Reviewer(
            tenant_id=tenant.id,
            bureau_id=bureau_id,
            connection_id=connection_id,
            issuer=connection.issuer,
            subject=subject,
            email=f"{subject}@{DOMAIN}",
            display_name="审核员",
            role=role,
        )
        db.add(reviewer)
        db.flush()
        return reviewer.id


def start_reviewer_session(settings: Settings, tenant: Any, reviewer_id: int) -> str:
    """A session token for a reviewer, without going through a provider (for authorization tests)."""
    from service.web import sessions
    from tenants.isolation import control_session

    with control_session() as control:
        return sessions.start(control, settings, tenant_id=tenant.id, principal_kind="reviewer", principal_id=reviewer_id)


def reviewer_session(
    settings: Settings,
    tenant: Any,
    bureau_id: int,
    connection_id: int,
    role: ReviewerRole = ReviewerRole.BUREAU,
    subject: str = "direct-subject",
) -> str:
    return start_reviewer_session(settings, tenant, make_reviewer(settings, tenant, bureau_id, connection_id, role, subject))
