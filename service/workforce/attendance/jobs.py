"""The attendance month's Excel import as a job of the queue (``service.workforce.imports.actions``).

The job matches every row to a worker by ID number and saves the month's
figures all or none, as the request did before, in the uploader's language.
One tenant's attendance imports run one after the other (the job's lock), so
two sheets for the same month never race to create the same worker's figures.
The counts say how many workers' figures are worth a second look (overtime
past the legal limit): the month's page shows why beside each of them.
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Any

from service.audit import Actor
from service.i18n import Translator, translator
from service.keys import keys_for
from service.queue import app
from service.settings import get_settings
from service.workforce.attendance import actions as attendance
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.ATTENDANCE


def _import(actor: Actor, t: Translator, month: date, db: TenantSession, content: bytes) -> dict[str, int]:
    outcome = attendance.import_month(db, keys_for(get_settings()), month, content, t, actor=actor)
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "to_look_at": len(outcome.warnings),
    }


@app.task(name="attendance.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, month: str) -> None:
    work = partial(_import, Actor(**actor), translator(locale), date.fromisoformat(month))
    imports.run(uuid.UUID(tenant_id), KIND, import_id, work)


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, month: str) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, month: date, filename: str, content: bytes) -> int:
    """Store the sheet and queue the import of ``month`` from it, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db,
            KIND,
            filename,
            content,
            import_sheet,
            actor=actor,
            lock=f"attendance-import-{tenant_id}",
            locale=locale,
            month=month.isoformat(),
        )
