"""The only code that writes connections, sign-in states and reviewers.

Every change to a connection or a reviewer is audited in its transaction.
Sign-in states are single-use: ``consume_state`` deletes the row it returns,
and ``spend_state`` commits that before the callback talks to the provider, so
a state is spent even when the sign-in then fails.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import col, select

from service.audit import Actor, record
from service.bureaus.models import ClientBureau
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.reviewers.models import Reviewer, ReviewerRole
from service.settings import Settings
from service.sso import queries
from service.sso import secrets as client_secrets
from service.sso.connection_input import ConnectionInput
from service.sso.models import LoginState, SsoConnection
from service.sso.oidc import SignInRefused
from tenants.isolation import TenantSession, tenant_session

STATE_LIFETIME = timedelta(minutes=10)


def _now() -> datetime:
    return datetime.now(UTC)


def _hash(value: str) -> bytes:
    return hashlib.sha256(value.encode()).digest()


# --- connections ----------------------------------------------------------------------------------


def _check_bureau(db: TenantSession, bureau_id: int) -> None:
    tenant_id = db.tenant_id
    found = db.exec(select(ClientBureau.id).where(ClientBureau.tenant_id == tenant_id, ClientBureau.id == bureau_id)).first()
    if found is None:
        raise DomainError(N_("Choose the bureau this identity provider serves."), field="bureau_id")


def create_connection(db: TenantSession, settings: Settings, data: ConnectionInput, *, actor: Actor) -> SsoConnection:
    tenant_id = db.tenant_id
    _check_bureau(db, data.bureau_id)
    assert data.client_secret is not None  # parse_connection requires it when creating
    connection = SsoConnection(
        tenant_id=tenant_id,
        bureau_id=data.bureau_id,
        name=data.name,
        issuer=data.issuer,
        client_id=data.client_id,
        client_secret_cipher=client_secrets.seal(settings, tenant_id, data.client_id, data.client_secret),
        scopes=data.scopes,
        allowed_domains=data.allowed_domains,
        role_claim=data.role_claim,
        role_mapping=data.role_mapping,
        default_role=data.default_role.value if data.default_role else None,
        enabled=data.enabled,
    )
    db.add(connection)
    db.flush()
    record(db, tenant_id, actor, "sso_connection.created", "sso_connection", connection.id, after=connection.snapshot())
    return connection


def update_connection(
    db: TenantSession,
    settings: Settings,
    connection: SsoConnection,
    data: ConnectionInput,
    *,
    actor: Actor,
) -> SsoConnection:
    tenant_id = db.tenant_id
    _check_bureau(db, data.bureau_id)
    before = connection.snapshot()
    secret = data.client_secret or client_secrets.reveal(
        settings, tenant_id, connection.client_id, connection.client_secret_cipher
    )
    connection.bureau_id = data.bureau_id
    connection.name = data.name
    connection.issuer = data.issuer
    connection.client_id = data.client_id
    connection.client_secret_cipher = client_secrets.seal(settings, tenant_id, data.client_id, secret)
    connection.scopes = data.scopes
    connection.allowed_domains = data.allowed_domains
    connection.role_claim = data.role_claim
    connection.role_mapping = data.role_mapping
    connection.default_role = data.default_role.value if data.default_role else None
    connection.enabled = data.enabled
    connection.updated_at = _now()
    db.add(connection)
    after = connection.snapshot()
    if data.client_secret:
        after["client_secret"] = "(replaced)"
    record(db, tenant_id, actor, "sso_connection.updated", "sso_connection", connection.id, before=before, after=after)
    return connection


def client_secret_of(settings: Settings, connection: SsoConnection) -> str:
    return client_secrets.reveal(settings, connection.tenant_id, connection.client_id, connection.client_secret_cipher)


# --- sign-in states -------------------------------------------------------------------------------


def _verifier() -> str:
    """A PKCE code verifier: 64 URL-safe characters (RFC 7636 §4.1 allows 43-128)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")


def begin_sign_in(db: TenantSession, connection: SsoConnection, *, browser: str, next_path: str) -> tuple[LoginState, str]:
    """A fresh state, nonce and PKCE verifier, kept server-side; the state and
    nonce go to the provider, the verifier only to the token endpoint."""
    tenant_id = db.tenant_id
    now = _now()
    db.execute(delete(LoginState).where(col(LoginState.tenant_id) == tenant_id, col(LoginState.expires_at) < now))
    state = secrets.token_urlsafe(32)
    row = LoginState(
        tenant_id=tenant_id,
        state_hash=_hash(state),
        connection_id=id_of(connection),
        browser_hash=_hash(browser),
        nonce=secrets.token_urlsafe(32),
        code_verifier=_verifier(),
        next_path=next_path[:300],
        created_at=now,
        expires_at=now + STATE_LIFETIME,
    )
    db.add(row)
    return row, state  # the clear state goes into the redirect only


def consume_state(db: TenantSession, *, state: str, browser: str, connection_id: int) -> LoginState:
    """The sign-in a callback's state belongs to, deleted as it is read (single use)."""
    tenant_id = db.tenant_id
    if not state or len(state) > 200:
        raise SignInRefused("state_missing")
    row = db.exec(
        select(LoginState).where(LoginState.tenant_id == tenant_id, LoginState.state_hash == _hash(state)).with_for_update()
    ).first()
    if row is None:
        raise SignInRefused("state_unknown_or_used")
    db.delete(row)
    db.flush()
    if row.expires_at <= _now():
        raise SignInRefused("state_expired")
    if not secrets.compare_digest(row.browser_hash, _hash(browser)):
        raise SignInRefused("state_other_browser")
    if row.connection_id != connection_id:
        raise SignInRefused("state_other_connection")
    return row


def spend_state(
    tenant_id: uuid.UUID, *, state: str, browser: str, connection_id: int
) -> tuple[LoginState, SsoConnection | None]:
    """``consume_state`` in a transaction of its own, committed before the callback talks to the provider:
    whatever refuses the sign-in after this rolls the request's transaction back, and the state must stay
    spent all the same.  The connection (None when disabled since) is read in the same short transaction,
    so no transaction stays open while the provider answers."""
    with tenant_session(tenant_id) as db:
        login = consume_state(db, state=state, browser=browser, connection_id=connection_id)
        return login, queries.enabled_connection(db, connection_id)


# --- reviewers ------------------------------------------------------------------------------------

DOMAIN_REFUSED = N_("Your e-mail address's domain is not allowed to sign in to this bureau's portal.")
DISABLED = N_("Your reviewer account has been disabled. Ask the dispatch company to enable it again.")
NO_ROLE = N_("Your account has no reviewer role for this bureau. Ask your administrator.")
OTHER_BUREAU = N_("Your account is registered for another bureau.")


def role_for(connection: SsoConnection, claims: dict[str, Any]) -> ReviewerRole | None:
    """The role the mapping gives: an establishment-office value first, then a bureau value, then the default."""
    if connection.role_claim:
        raw = claims.get(connection.role_claim)
        if isinstance(raw, str):
            values = {raw}
        elif isinstance(raw, list):
            values = {v for v in raw if isinstance(v, str)}
        else:
            values = set()
        for role in (ReviewerRole.ESTABLISHMENT, ReviewerRole.BUREAU):
            if any(e.get("role") == role.value and e.get("value") in values for e in connection.role_mapping):
                return role
    return connection.default_reviewer_role


def email_domain_allowed(connection: SsoConnection, email: str) -> bool:
    local, at, domain = email.rpartition("@")
    return bool(at and local and domain.lower() in connection.allowed_domains)


def provision(db: TenantSession, connection: SsoConnection, claims: dict[str, Any], *, request_id: str) -> Reviewer:
    """The reviewer these verified claims identify, created at the first sign-in.

    Found by (issuer, subject) only: an e-mail address can be reassigned or
    typed by anyone at a provider, a subject cannot.  The e-mail is checked
    against the connection's allowed domains at every sign-in.
    """
    tenant_id = db.tenant_id
    email = claims.get("email")
    if not isinstance(email, str) or not email_domain_allowed(connection, email):
        raise SignInRefused("email_domain_not_allowed", repr(email), message=DOMAIN_REFUSED)
    if claims.get("email_verified") is False:
        raise SignInRefused("email_not_verified", email, message=DOMAIN_REFUSED)
    role = role_for(connection, claims)
    if role is None:
        raise SignInRefused("no_role", email, message=NO_ROLE)
    name = claims.get("name") if isinstance(claims.get("name"), str) else ""
    now = _now()
    reviewer = db.exec(
        select(Reviewer).where(
            Reviewer.tenant_id == tenant_id, Reviewer.issuer == connection.issuer, Reviewer.subject == claims["sub"]
        )
    ).first()
    if reviewer is None:
        reviewer = Reviewer(
            tenant_id=tenant_id,
            bureau_id=connection.bureau_id,
            connection_id=id_of(connection),
            issuer=connection.issuer,
            subject=claims["sub"],
            email=email[:254],
            display_name=(name or "")[:120],
            role=role,
            active=True,
            last_sign_in_at=now,
        )
        db.add(reviewer)
        db.flush()
        actor = Actor("reviewer", reviewer.id, reviewer.label, request_id)
        record(db, tenant_id, actor, "reviewer.provisioned", "reviewer", reviewer.id, after=reviewer.snapshot())
        return reviewer
    if not reviewer.active:
        raise SignInRefused("reviewer_disabled", str(reviewer.id), message=DISABLED)
    if reviewer.bureau_id != connection.bureau_id:
        raise SignInRefused("reviewer_other_bureau", str(reviewer.id), message=OTHER_BUREAU)
    before = reviewer.snapshot()
    reviewer.email = email[:254]
    reviewer.display_name = (name or reviewer.display_name)[:120]
    reviewer.role = role
    reviewer.connection_id = id_of(connection)
    reviewer.last_sign_in_at = now
    reviewer.updated_at = now
    db.add(reviewer)
    after = reviewer.snapshot()
    actor = Actor("reviewer", reviewer.id, reviewer.label, request_id)
    record(
        db,
        tenant_id,
        actor,
        "reviewer.signed_in",
        "reviewer",
        reviewer.id,
        before=before if before != after else None,
        after=after,
    )
    return reviewer


def set_reviewer_active(db: TenantSession, reviewer: Reviewer, active: bool, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    if reviewer.active == active:
        return
    before = reviewer.snapshot()
    reviewer.active = active
    reviewer.updated_at = _now()
    db.add(reviewer)
    record(
        db,
        tenant_id,
        actor,
        "reviewer.enabled" if active else "reviewer.disabled",
        "reviewer",
        reviewer.id,
        before=before,
        after=reviewer.snapshot(),
    )
