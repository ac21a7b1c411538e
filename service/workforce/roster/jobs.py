"""The roster's Excel import as a job of the queue (``service.workforce.imports.actions``).

A 50,000-row sheet takes longer to check and write than a request should
last: the request stores it and defers this job; the job reads and checks
every row and imports them all or none, as the request did before, in the
uploader's language (the row errors are written as the uploader reads them).
One tenant's roster imports run one after the other (the job's lock), so two
sheets naming the same new worker never race to create them.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from functools import partial
from typing import Any

from service import clock
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.i18n import Translator, translator
from service.keys import keys_for
from service.queue import app
from service.settings import get_settings
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from service.workforce.roster import actions
from service.workforce.roster.excel import parse_workbook
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.ROSTER


def _import(actor: Actor, t: Translator, db: TenantSession, content: bytes) -> dict[str, int]:
    rows = parse_workbook(content, t, clock.today(), load_assignments(db))
    return asdict(actions.import_workers(db, keys_for(get_settings()), rows, actor=actor))


@app.task(name="roster.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.run(uuid.UUID(tenant_id), KIND, import_id, partial(_import, Actor(**actor), translator(locale)))


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes) -> int:
    """Store the sheet and queue its import, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db, KIND, filename, content, import_sheet, actor=actor, lock=f"roster-import-{tenant_id}", locale=locale
        )
