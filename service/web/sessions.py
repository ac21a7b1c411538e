"""Server-side sessions in PostgreSQL.

The cookie holds a random token; the table holds only its SHA-256, with an
idle and an absolute expiry.  Signing in always creates a new token (the old
one is deleted), so a session id planted before sign-in is worthless after.

It writes outside any ``actions.py`` on purpose: a session is the request pipeline's own state,
not business data, so it has no audit row.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from service.settings import Settings
from tenants.models import WebSession

COOKIE = "pq_session"
TOUCH_EVERY = timedelta(minutes=1)  # don't write on every request


def _hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def start(
    db: Session,
    settings: Settings,
    *,
    tenant_id: uuid.UUID | None,
    principal_kind: str,
    principal_id: int,
    replacing: str | None = None,
    now: datetime | None = None,
) -> str:
    now = now or datetime.now(UTC)
    if replacing:
        end(db, replacing)
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            token_hash=_hash(token),
            tenant_id=tenant_id,
            principal_kind=principal_kind,
            principal_id=principal_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
        )
    )
    return token


def find(db: Session, settings: Settings, token: str, now: datetime | None = None) -> WebSession | None:
    """The live session for a cookie token, or None if unknown or expired."""
    now = now or datetime.now(UTC)
    session = db.exec(select(WebSession).where(WebSession.token_hash == _hash(token))).first()
    if session is None:
        return None
    idle_limit = session.last_seen_at + timedelta(minutes=settings.session_idle_minutes)
    if now >= session.expires_at or now >= idle_limit:
        db.delete(session)
        return None
    if now - session.last_seen_at >= TOUCH_EVERY:
        session.last_seen_at = now
        db.add(session)
    return session


def end(db: Session, token: str) -> None:
    db.execute(delete(WebSession).where(col(WebSession.token_hash) == _hash(token)))


def end_all_for(db: Session, tenant_id: uuid.UUID, principal_kind: str, principal_id: int) -> None:
    db.execute(
        delete(WebSession).where(
            col(WebSession.tenant_id) == tenant_id,
            col(WebSession.principal_kind) == principal_kind,
            col(WebSession.principal_id) == principal_id,
        )
    )
