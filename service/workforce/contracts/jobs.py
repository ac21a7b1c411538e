"""The contracts' Excel import as a job of the queue (``service.workforce.imports.actions``).

The job checks every row against the roster and the stored contracts and
imports them all or none, as the request did before, in the uploader's
language.  One tenant's contract imports run one after the other (the job's
lock): two sheets checked against the same stored contracts never both pass.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from functools import partial
from typing import Any

from service import clock
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.database.ids import id_of
from service.i18n import Translator, translator
from service.keys import keys_for
from service.queue import app
from service.settings import get_settings
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.excel import parse_workbook, plan_import
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.CONTRACTS


def _import(actor: Actor, t: Translator, db: TenantSession, content: bytes) -> dict[str, int]:
    today = clock.today()
    rows, unreadable = parse_workbook(content, t, today, load_assignments(db).bureaus)
    workers = contracts.workers_by_id_number(db, keys_for(get_settings()), [r.id_number for r in rows])
    stored = contracts.contracts_of_workers(db, [id_of(w) for w in workers.values()])
    plan = plan_import(rows, workers, stored, t, unreadable)
    return asdict(contracts.import_contracts(db, plan, today, actor=actor))


@app.task(name="contracts.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.run(uuid.UUID(tenant_id), KIND, import_id, partial(_import, Actor(**actor), translator(locale)))


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes) -> int:
    """Store the sheet and queue its import, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db, KIND, filename, content, import_sheet, actor=actor, lock=f"contracts-import-{tenant_id}", locale=locale
        )
