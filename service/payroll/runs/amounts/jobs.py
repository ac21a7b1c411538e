"""The Excel import of pay component amounts as a job of the queue (``service.workforce.imports.actions``).

The job matches every row to a worker and an imported component and writes
them all or none, as the request did before, in the uploader's language; an
import reached from a payroll run (``month``) refuses rows of any other month.
One tenant's amount imports run one after the other (the job's lock): two
sheets replacing the same worker's amount never race.
"""

from __future__ import annotations

from datetime import date

from service.audit import Actor
from service.i18n import Translator
from service.keys import keys_for
from service.payroll.runs.amounts import actions as amounts
from service.settings import get_settings
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator, month: str | None) -> dict[str, int]:
    keys, only_month = keys_for(get_settings()), date.fromisoformat(month) if month else None
    return {"imported": amounts.import_amounts(db, keys, content, t, actor=actor, only_month=only_month)}


SHEET = sheet_import(ImportKind.PAY_AMOUNTS, "pay_amounts.import", _import)
