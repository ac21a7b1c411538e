"""/healthz: the process answers.  /readyz: the database answers and its
schema is at the migrations' head, so a deploy can wait for both."""

from __future__ import annotations

from litestar import Request, Response, get
from sqlalchemy import text

from service.database.engines import app_engine
from service.database.migrate import database_revision, head_revision
from service.web.access import PUBLIC


@get("/healthz", opt=PUBLIC, sync_to_thread=False, summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@get("/readyz", opt=PUBLIC, sync_to_thread=True, summary="Database reachable, migrations at head")
def readyz(request: Request) -> Response:
    settings = request.app.state.settings
    head = head_revision(settings)
    try:
        with app_engine(settings).connect() as connection:
            connection.execute(text("select 1"))
            current = database_revision(connection)
    except Exception as exc:
        return Response({"status": "unavailable", "error": type(exc).__name__}, status_code=503)
    if current != head:
        return Response({"status": "migrations pending", "database": current, "head": head}, status_code=503)
    return Response({"status": "ready", "revision": current}, status_code=200)
