"""The opening balances' Excel import as a job of the queue (``service.workforce.imports.actions``).

Like the other sheet imports: the request stores the sheet and defers this
job, which reads every row, matches it to the roster and the months published
here, and writes them all or none, in the uploader's language.  One tenant's
balance imports run one after the other (the job's lock): two sheets for the
same workers never race.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from functools import partial
from typing import Any

from service import clock
from service.audit import Actor
from service.database.ids import id_of
from service.i18n import Translator, translator
from service.keys import keys_for
from service.payroll.opening_balances import actions, queries
from service.payroll.opening_balances.excel import plan_import, read_sheet
from service.queue import app
from service.settings import get_settings
from service.workforce.contracts.actions import workers_by_id_number
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.OPENING_BALANCES


def _import(actor: Actor, t: Translator, db: TenantSession, content: bytes) -> dict[str, int]:
    rows, unreadable = read_sheet(content, t, clock.today())
    workers = workers_by_id_number(db, keys_for(get_settings()), [r.id_number for r in rows])
    published = queries.first_published_months(db, [id_of(w) for w in workers.values()], [r.balance.year for r in rows])
    planned = plan_import(rows, workers, published, t, unreadable)
    return asdict(actions.put_balances(db, planned, source=actions.Source.IMPORT, actor=actor))


@app.task(name="opening_balances.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.run(uuid.UUID(tenant_id), KIND, import_id, partial(_import, Actor(**actor), translator(locale)))


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes) -> int:
    """Store the sheet and queue its import, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db, KIND, filename, content, import_sheet, actor=actor, lock=f"opening-balances-import-{tenant_id}", locale=locale
        )
