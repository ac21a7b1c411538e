"""One kind of Excel import as a job of the queue, defined once for every kind of sheet.

A large sheet takes longer to check and write than a request should last: the request stores it and
defers the kind's task (``SheetImport.start``); the worker reads, checks and imports it all or nothing
(``actions.run``) in the uploader's language, so the row errors are written as the uploader reads them.
Imports of one kind run one after the other within a tenant (the job's lock): two sheets naming the same
new record never race to create it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from procrastinate.tasks import Task

from service.audit import Actor
from service.errors import NotFound
from service.i18n import translator
from service.queue import app
from service.workforce.imports import actions
from service.workforce.imports.models import Import, ImportKind
from service.workforce.imports.refusals import RowError
from tenants.isolation import TenantSession, tenant_session

# ``work(db, content, *, actor, t, **options)``: parse and import the stored sheet in the job's tenant
# transaction, return the counts, raise ImportRefused with every row's problem.  ``options`` are the
# JSON values ``start`` was given (a month as ISO text, a confirmation...).
SheetWork = Callable[..., dict[str, int]]


@dataclass(frozen=True)
class SheetImport:
    kind: ImportKind
    task: Task

    def start(self, tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes, **options: Any) -> int:
        """Store the sheet and queue its import, committed; the import's id."""
        with tenant_session(tenant_id) as db:
            lock = f"{self.kind.value}-import-{tenant_id}"
            return actions.store(db, self.kind, filename, content, self.task, actor=actor, lock=lock, locale=locale, **options)

    def submit(self, tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes, **options: Any) -> int:
        """``start``, then wait up to ``actions.WAIT`` seconds: a sheet refused by then raises its
        ImportRefused, so a small sheet's refusal shows beside the upload form in the same request."""
        import_id = self.start(tenant_id, actor, locale, filename, content, **options)
        actions.refuse_in_time(tenant_id, self.kind, import_id)
        return import_id

    def read(self, db: TenantSession, import_id: int) -> tuple[Import, list[RowError]]:
        """The import's row and the row errors it stored; NotFound (a 404) for an unknown id or another kind's."""
        row = actions.get(db, self.kind, import_id)
        if row is None:
            raise NotFound(import_id)
        return row, [RowError(**error) for error in row.errors or []]

    def abandoned(self, tenant_id: str, import_id: int, **_: Any) -> None:
        """The worker's hook for a job that will not be tried again (``service.jobs.worker.ABANDONED``)."""
        actions.abandoned(self.kind, tenant_id, import_id)


def sheet_import(kind: ImportKind, name: str, work: SheetWork) -> SheetImport:
    """The task ``name`` importing sheets of ``kind`` with ``work``."""

    def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, **options: Any) -> None:
        bound = partial(work, actor=Actor(**actor), t=translator(locale), **options)
        actions.run(uuid.UUID(tenant_id), kind, import_id, bound)

    return SheetImport(kind, app.task(name=name)(import_sheet))
