"""Typed settings, read from the environment in this one module.

Everything configurable lives here; nothing else reads ``os.environ``.
Development needs no configuration at all: without ``DATABASE_URL`` the
embedded PostgreSQL under ``.data/`` is used, and without keys a
development key is derived and stored under ``.data/`` as well (never in
production, where ``PAIQIAN_ENV=production`` makes the keys mandatory).
"""

from __future__ import annotations

import base64
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    # The URL migrations run with: a role that may create roles and owns the schema.
    database_url: str | None = None
    # The URL requests run with (the NOSUPERUSER NOBYPASSRLS app role).  Derived
    # from database_url when unset, swapping in the app role and its password.
    app_database_url: str | None = None
    data_dir: Path = PROJECT_ROOT / ".data"
    owner_role: str = "paiqian_owner"
    app_role: str = "paiqian_app"
    app_role_password: str = "paiqian-dev"
    # 32-byte master key (urlsafe base64): national ID encryption, blind index, CSRF.
    master_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    # Cookies get the Secure flag when the site is served over https.
    public_https: bool = False
    # Comma-separated addresses of reverse proxies whose X-Forwarded-For is believed.
    trusted_proxies: str = ""
    # "standard" (argon2id, 64 MiB, t=3, p=4) or "test" (argon2id at its cheapest: the suite signs in thousands
    # of times).  Production refuses "test".
    password_hashing: str = "standard"
    session_idle_minutes: int = 120
    session_absolute_hours: int = 12
    sign_in_max_failures: int = 5
    sign_in_lock_minutes: int = 15
    import_max_bytes: int = 5 * 1024 * 1024
    pool_size: int = 10
    # Stripe (service/billing).  Without a secret key billing is off: sign-ups
    # still create tenants and `paiqian billing sync` creates their customers later.
    stripe_secret_key: str = ""
    stripe_webhook_secret: str = ""
    # Empty: Stripe itself.  Tests point it at localstripe (http://127.0.0.1:<port>).
    stripe_api_base: str = ""
    # Worker changes reach Stripe once the pending marker is this old (debounce).
    billing_sync_delay_seconds: int = 60
    # A cancelled tenant's data is kept this long, then exported and deleted.
    retention_days: int = 90
    # Where the retention job writes each deleted tenant's export (default <data_dir>/exports).
    export_dir: Path | None = None

    @property
    def is_production(self) -> bool:
        return self.env == "production"


def _dev_master_key(data_dir: Path) -> str:
    """A per-checkout development key, kept beside the embedded database."""
    path = data_dir / "master.key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    data_dir = Path(env.get("PAIQIAN_DATA_DIR", PROJECT_ROOT / ".data"))
    mode = env.get("PAIQIAN_ENV", "development")
    master_key = env.get("PAIQIAN_MASTER_KEY", "")
    if not master_key:
        if mode == "production":
            raise RuntimeError("PAIQIAN_MASTER_KEY is required in production")
        master_key = _dev_master_key(data_dir)
    if mode == "production" and not env.get("DATABASE_URL"):
        raise RuntimeError("DATABASE_URL is required in production")
    password_hashing = env.get("PAIQIAN_PASSWORD_HASHING", "standard")
    if password_hashing not in {"standard", "test"} or (mode == "production" and password_hashing != "standard"):
        raise RuntimeError(f"PAIQIAN_PASSWORD_HASHING={password_hashing!r} is not allowed here")
    return Settings(
        env=mode,
        database_url=env.get("DATABASE_URL") or None,
        app_database_url=env.get("APP_DATABASE_URL") or None,
        data_dir=data_dir,
        app_role_password=env.get("PAIQIAN_APP_DB_PASSWORD", "paiqian-dev"),
        master_key=master_key,
        host=env.get("PAIQIAN_HOST", "127.0.0.1"),
        port=int(env.get("PAIQIAN_PORT", "8000")),
        public_https=env.get("PAIQIAN_HTTPS", "") in {"1", "true", "yes"},
        trusted_proxies=env.get("PAIQIAN_TRUSTED_PROXIES", ""),
        password_hashing=password_hashing,
        session_idle_minutes=int(env.get("PAIQIAN_SESSION_IDLE_MINUTES", "120")),
        session_absolute_hours=int(env.get("PAIQIAN_SESSION_ABSOLUTE_HOURS", "12")),
        stripe_secret_key=env.get("STRIPE_SECRET_KEY", ""),
        stripe_webhook_secret=env.get("STRIPE_WEBHOOK_SECRET", ""),
        stripe_api_base=env.get("STRIPE_API_BASE", "").rstrip("/"),
        billing_sync_delay_seconds=int(env.get("PAIQIAN_BILLING_SYNC_DELAY_SECONDS", "60")),
        retention_days=int(env.get("PAIQIAN_RETENTION_DAYS", "90")),
        export_dir=Path(env["PAIQIAN_EXPORT_DIR"]) if env.get("PAIQIAN_EXPORT_DIR") else None,
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
