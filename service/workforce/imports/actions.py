"""An uploaded sheet imported by a job of the queue, all or nothing.

``store`` writes the upload on an ``imports`` row and defers its job in the
caller's transaction, so the job never runs before the sheet is committed and
a request that rolls back leaves neither behind.  The job (``run``) says
'running' on a short transaction of its own (the import's page shows it),
then parses and imports the sheet in ONE tenant transaction that also writes
'done' and the counts: a worker killed half-way leaves its transaction rolled
back whole, and the queue runs the job again from the start
(``service.jobs.worker``).  A refused sheet (``ImportRefused``) or a broken
import writes nothing but its outcome on the row, on a transaction of its
own.  Once the import is over its sheet is emptied from the row: a roster
sheet carries ID numbers in clear, which the roster only keeps encrypted.

The request waits up to ``WAIT`` seconds for the outcome (``refuse_in_time``),
so a small sheet's refusal answers in the same request as before, with its
rows beside the form, and otherwise the request sends to the import's page,
which refreshes itself until the import is over.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from time import monotonic, sleep
from typing import Any

from procrastinate.tasks import Task
from sqlmodel import select

from service.audit import Actor
from service.database.ids import id_of
from service.queue import defer_in
from service.workforce.imports.models import Import, ImportKind, ImportStatus
from service.workforce.imports.refusals import ImportRefused, RowError
from tenants.isolation import TenantSession, tenant_session

log = logging.getLogger(__name__)

WAIT = 3.0  # seconds a request waits for the import before showing its page
POLL = 0.05  # seconds between two reads of the row while a request waits

# The import itself, in the job's tenant transaction: the stored sheet in, the counts out; raises
# ImportRefused with every row's problem.
Work = Callable[[TenantSession, bytes], dict[str, int]]


def store(
    db: TenantSession,
    kind: ImportKind,
    filename: str,
    content: bytes,
    task: Task,
    *,
    actor: Actor,
    lock: str,
    **arguments: Any,
) -> int:
    """Store the sheet and queue ``task(tenant_id, import_id, actor, **arguments)`` in ``db``'s transaction;
    the import's id.  ``lock``: imports of the same lock run one after the other."""
    row = Import(tenant_id=db.tenant_id, kind=kind.value, filename=filename[:255], content=content, created_by=actor.label)
    db.add(row)
    db.flush()
    import_id = id_of(row)
    defer_in(db, task, lock=lock, tenant_id=str(db.tenant_id), import_id=import_id, actor=asdict(actor), **arguments)
    return import_id


def get(db: TenantSession, kind: ImportKind, import_id: int, *, for_update: bool = False) -> Import | None:
    query = select(Import).where(Import.tenant_id == db.tenant_id, Import.id == import_id, Import.kind == kind.value)
    return db.exec(query.with_for_update() if for_update else query).first()


def _finish(row: Import, status: ImportStatus, *, counts: dict[str, int] | None = None, errors: list | None = None) -> None:
    row.status = status.value
    row.counts = counts
    row.errors = errors
    row.content = None
    row.updated_at = datetime.now(UTC)


def _finish_apart(
    tenant_id: uuid.UUID, kind: ImportKind, import_id: int, status: ImportStatus, errors: list | None = None
) -> None:
    """Write a refusal or a failure on a transaction of its own (the import's was rolled back)."""
    with tenant_session(tenant_id) as db:
        row = get(db, kind, import_id, for_update=True)
        if row is not None and not row.finished:
            _finish(row, status, errors=errors)


def run(tenant_id: uuid.UUID, kind: ImportKind, import_id: int, work: Work) -> None:
    """The job: import the stored sheet with ``work`` and write how it ended on its row; never raises."""
    with tenant_session(tenant_id) as db:
        row = get(db, kind, import_id, for_update=True)
        if row is None or row.finished:  # a job run again after its import was over: nothing left to do
            return
        row.status = ImportStatus.RUNNING.value
        row.updated_at = datetime.now(UTC)
    try:
        with tenant_session(tenant_id) as db:
            row = get(db, kind, import_id, for_update=True)
            if row is None or row.finished or row.content is None:
                return
            _finish(row, ImportStatus.DONE, counts=work(db, row.content))
    except ImportRefused as refused:
        _finish_apart(tenant_id, kind, import_id, ImportStatus.REFUSED, [asdict(e) for e in refused.errors])
    except Exception:
        log.exception("%s import %s failed", kind.value, import_id)
        _finish_apart(tenant_id, kind, import_id, ImportStatus.FAILED)


def abandoned(kind: ImportKind, tenant_id: str, import_id: int) -> None:
    """The job will not be tried again (its workers kept dying): say so on the import's page."""
    _finish_apart(uuid.UUID(tenant_id), kind, import_id, ImportStatus.FAILED)


def wait_for(tenant_id: uuid.UUID, kind: ImportKind, import_id: int, seconds: float) -> Import | None:
    """Read the import's row for up to ``seconds``: the row once the import is over, None while it still runs."""
    deadline = monotonic() + seconds
    while True:
        with tenant_session(tenant_id) as db:
            row = get(db, kind, import_id)
        if (row is not None and row.finished) or monotonic() >= deadline:
            return row if row is not None and row.finished else None
        sleep(POLL)


def refuse_in_time(tenant_id: uuid.UUID, kind: ImportKind, import_id: int) -> None:
    """Wait up to ``WAIT`` seconds for the import: a sheet refused by then raises its ImportRefused
    (the upload form shows the rows again, with status 400)."""
    finished = wait_for(tenant_id, kind, import_id, WAIT)
    if finished is not None and finished.status == ImportStatus.REFUSED.value:
        raise ImportRefused([RowError(**error) for error in finished.errors or []])
