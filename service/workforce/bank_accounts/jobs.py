"""The bank accounts' Excel import as a job of the queue (``service.workforce.imports.actions``).

Like the roster's and the contracts' imports: the request stores the sheet and
defers this job, which checks every row against the roster and the accounts in
force and imports them all or none, in the uploader's language.  ``confirmed``
says the uploader ticked the box accepting the card-check warnings.  One
tenant's account imports run one after the other (the job's lock): two sheets
checked against the same accounts in force never both pass.  The stored sheet,
account numbers in clear, is emptied from its row once the import is over.
"""

from __future__ import annotations

from dataclasses import asdict

from service import clock
from service.audit import Actor
from service.i18n import Translator
from service.keys import keys_for
from service.settings import get_settings
from service.workforce.bank_accounts import actions, queries
from service.workforce.bank_accounts.excel import parse_workbook, plan_import
from service.workforce.bank_accounts.models import AccountSource
from service.workforce.contracts.actions import workers_by_id_number
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator, confirmed: bool) -> dict[str, int]:
    keys = keys_for(get_settings())
    rows, unreadable = parse_workbook(content, t, clock.today())
    workers = workers_by_id_number(db, keys, [r.id_number for r in rows])

    def holders_of(numbers: list[str]) -> dict[str, Worker]:
        by_index = {queries.account_number_index(keys, db.tenant_id, n): n for n in numbers}
        return {by_index[index]: worker for index, worker in queries.holders_in_force(db, by_index).items()}

    planned = plan_import(rows, workers, holders_of, t, unreadable, confirmed=confirmed)
    outcome = actions.put_in_force(db, keys, planned, source=AccountSource.IMPORT, actor=actor, action="bank_account.import")
    return asdict(outcome)


SHEET = sheet_import(ImportKind.BANK_ACCOUNTS, "bank_accounts.import", _import)
