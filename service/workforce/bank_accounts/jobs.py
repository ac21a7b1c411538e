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

import uuid
from dataclasses import asdict
from functools import partial
from typing import Any

from service import clock
from service.audit import Actor
from service.i18n import Translator, translator
from service.keys import keys_for
from service.queue import app
from service.settings import get_settings
from service.workforce.bank_accounts import actions, queries
from service.workforce.bank_accounts.excel import parse_workbook, plan_import
from service.workforce.bank_accounts.models import AccountSource
from service.workforce.contracts.actions import workers_by_id_number
from service.workforce.imports import actions as imports
from service.workforce.imports.models import ImportKind
from service.workforce.models import Worker
from tenants.isolation import TenantSession, tenant_session

KIND = ImportKind.BANK_ACCOUNTS


def _import(actor: Actor, t: Translator, confirmed: bool, db: TenantSession, content: bytes) -> dict[str, int]:
    keys = keys_for(get_settings())
    rows, unreadable = parse_workbook(content, t, clock.today())
    workers = workers_by_id_number(db, keys, [r.id_number for r in rows])

    def holders_of(numbers: list[str]) -> dict[str, Worker]:
        by_index = {queries.account_number_index(keys, db.tenant_id, n): n for n in numbers}
        return {by_index[index]: worker for index, worker in queries.holders_in_force(db, by_index).items()}

    planned = plan_import(rows, workers, holders_of, t, unreadable, confirmed=confirmed)
    outcome = actions.put_in_force(db, keys, planned, source=AccountSource.IMPORT, actor=actor, action="bank_account.import")
    return asdict(outcome)


@app.task(name="bank_accounts.import")
def import_sheet(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, confirmed: bool) -> None:
    imports.run(uuid.UUID(tenant_id), KIND, import_id, partial(_import, Actor(**actor), translator(locale), confirmed))


def abandoned(tenant_id: str, import_id: int, actor: dict[str, Any], locale: str, confirmed: bool) -> None:
    imports.abandoned(KIND, tenant_id, import_id)


def start(tenant_id: uuid.UUID, actor: Actor, locale: str, filename: str, content: bytes, *, confirmed: bool) -> int:
    """Store the sheet and queue its import, committed; the import's id."""
    with tenant_session(tenant_id) as db:
        return imports.store(
            db,
            KIND,
            filename,
            content,
            import_sheet,
            actor=actor,
            lock=f"bank-accounts-import-{tenant_id}",
            locale=locale,
            confirmed=confirmed,
        )
