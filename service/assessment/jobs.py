"""The rule catalogue's Excel import as a job of the queue (``service.workforce.imports.actions``).

The job reads every row of the sheet and creates each item or its new
version all or none, as the request did before, in the uploader's language:
a row the sheet refuses or a rule refuses (``actions.RowProblems``) is
written on the import's page under its column.  One tenant's item imports
run one after the other (the job's lock): two sheets adding the same code
never race to create it.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from functools import partial
from typing import Any

from service.assessment import actions
from service.assessment.sheets import item_rows_refused, parse_item_sheet
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.i18n import Translator, translator
from service.queue import app
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.ASSESSMENT_ITEMS


def _import(actor: Actor, t: Translator, db: TenantSession, content: bytes) -> dict[str, int]:
    rows = parse_item_sheet(content, t, load_assignments(db).bureaus)
    try:
        return asdict(actions.import_items(db, rows, actor=actor))
    except actions.RowProblems as refused:
        raise item_rows_refused(refused.problems, t) from refused


@app.task(name="assessment_items.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.run(uuid.UUID(tenant_id), KIND, import_id, partial(_import, Actor(**actor), translator(locale)))


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes) -> int:
    """Store the sheet and queue its import, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db, KIND, filename, content, import_sheet, actor=actor, lock=f"assessment-items-import-{tenant_id}", locale=locale
        )
