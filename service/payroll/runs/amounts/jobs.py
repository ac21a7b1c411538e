"""The Excel import of pay component amounts as a job of the queue (``service.workforce.imports.actions``).

The job matches every row to a worker and an imported component and writes
them all or none, as the request did before, in the uploader's language; an
import reached from a payroll run (``month``) refuses rows of any other month.
One tenant's amount imports run one after the other (the job's lock): two
sheets replacing the same worker's amount never race.
"""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from typing import Any

from service.audit import Actor
from service.i18n import Translator, translator
from service.keys import keys_for
from service.payroll.runs.amounts import actions as amounts
from service.queue import app
from service.settings import get_settings
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.PAY_AMOUNTS


def _import(actor: Actor, t: Translator, month: date | None, db: TenantSession, content: bytes) -> dict[str, int]:
    keys = keys_for(get_settings())
    return {"imported": amounts.import_amounts(db, keys, content, t, actor=actor, only_month=month)}


@app.task(name="pay_amounts.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, month: str | None) -> None:
    work = partial(_import, Actor(**actor), translator(locale), date.fromisoformat(month) if month else None)
    imports.run(uuid.UUID(tenant_id), KIND, import_id, work)


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, month: str | None) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, month: date | None, filename: str, content: bytes) -> int:
    """Store the sheet and queue its import (only rows of ``month``, when given), committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db,
            KIND,
            filename,
            content,
            import_sheet,
            actor=actor,
            lock=f"pay-amounts-import-{tenant_id}",
            locale=locale,
            month=month.isoformat() if month else None,
        )
