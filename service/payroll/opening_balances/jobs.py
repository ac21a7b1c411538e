"""The opening balances' Excel import as a job of the queue (``service.workforce.imports.actions``).

Like the other sheet imports: the request stores the sheet and defers this
job, which reads every row, matches it to the roster and the months published
here, and writes them all or none, in the uploader's language.  One tenant's
balance imports run one after the other (the job's lock): two sheets for the
same workers never race.
"""

from __future__ import annotations

from dataclasses import asdict

from service import clock
from service.audit import Actor
from service.database.ids import id_of
from service.i18n import Translator
from service.keys import keys_for
from service.payroll.opening_balances import actions, queries
from service.payroll.opening_balances.excel import plan_import, read_sheet
from service.settings import get_settings
from service.workforce.contracts.actions import workers_by_id_number
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator) -> dict[str, int]:
    rows, unreadable = read_sheet(content, t, clock.today())
    workers = workers_by_id_number(db, keys_for(get_settings()), [r.id_number for r in rows])
    published = queries.first_published_months(db, [id_of(w) for w in workers.values()], [r.balance.year for r in rows])
    planned = plan_import(rows, workers, published, t, unreadable)
    return asdict(actions.put_balances(db, planned, source=actions.Source.IMPORT, actor=actor))


SHEET = sheet_import(ImportKind.OPENING_BALANCES, "opening_balances.import", _import)
