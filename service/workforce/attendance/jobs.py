"""The attendance month's Excel import as a job of the queue (``service.workforce.imports.actions``).

The job matches every row to a worker by ID number and saves the month's
figures all or none, as the request did before, in the uploader's language.
One tenant's attendance imports run one after the other (the job's lock), so
two sheets for the same month never race to create the same worker's figures.
The counts say how many workers' figures are worth a second look (overtime
past the legal limit): the month's page shows why beside each of them.
"""

from __future__ import annotations

from datetime import date

from service.audit import Actor
from service.i18n import Translator
from service.keys import keys_for
from service.settings import get_settings
from service.workforce.attendance import actions as attendance
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator, month: str) -> dict[str, int]:
    keys = keys_for(get_settings())
    outcome = attendance.import_month(db, keys, date.fromisoformat(month), content, t, actor=actor)
    return {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "to_look_at": len(outcome.warnings),
    }


SHEET = sheet_import(ImportKind.ATTENDANCE, "attendance.import", _import)
