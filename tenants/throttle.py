"""Sign-in throttling: after repeated failures a key is locked for a while.

Keys are an account (tenant + email) and a client address, so guessing one
account's password and spraying many accounts from one address are both
slowed.  Counts live in PostgreSQL, so every app process sees the same ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel import Session

WINDOW = timedelta(minutes=15)
ADDRESS_FACTOR = 4  # an address may fail this many times more than one account


def locked_until(db: Session, keys: list[str], now: datetime) -> datetime | None:
    """The latest lock still in force on any of the keys, or None."""
    return db.execute(
        text("select max(locked_until) from sign_in_failures where key = any(:keys) and locked_until > :now"),
        {"keys": keys, "now": now},
    ).scalar()


def register_failure(db: Session, key: str, now: datetime, max_failures: int, lock: timedelta) -> None:
    """Count a failure in the current window; lock the key once it reaches the limit."""
    db.execute(
        text(
            """
            insert into sign_in_failures as f (key, failures, window_started_at)
            values (:key, 1, :now)
            on conflict (key) do update set
              failures = case when f.window_started_at < :window_start then 1
                              else f.failures + 1 end,
              window_started_at = case when f.window_started_at < :window_start then :now
                                       else f.window_started_at end
            """
        ),
        {"key": key, "now": now, "window_start": now - WINDOW},
    )
    db.execute(
        text(
            "update sign_in_failures set locked_until = :until, failures = 0, window_started_at = :now "
            "where key = :key and failures >= :max"
        ),
        {"key": key, "until": now + lock, "now": now, "max": max_failures},
    )


def clear(db: Session, key: str) -> None:
    db.execute(text("delete from sign_in_failures where key = :key"), {"key": key})
