"""The contracts' Excel import as a job of the queue (``service.workforce.imports.actions``).

The job checks every row against the roster and the stored contracts and
imports them all or none, as the request did before, in the uploader's
language.  One tenant's contract imports run one after the other (the job's
lock): two sheets checked against the same stored contracts never both pass.
"""

from __future__ import annotations

from dataclasses import asdict

from service import clock
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.database.ids import id_of
from service.i18n import Translator
from service.keys import keys_for
from service.settings import get_settings
from service.workforce.contracts import actions as contracts
from service.workforce.contracts.excel import parse_workbook, plan_import
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator) -> dict[str, int]:
    today = clock.today()
    rows, unreadable = parse_workbook(content, t, today, load_assignments(db).bureaus)
    workers = contracts.workers_by_id_number(db, keys_for(get_settings()), [r.id_number for r in rows])
    stored = contracts.contracts_of_workers(db, [id_of(w) for w in workers.values()])
    plan = plan_import(rows, workers, stored, t, unreadable)
    return asdict(contracts.import_contracts(db, plan, today, actor=actor))


SHEET = sheet_import(ImportKind.CONTRACTS, "contracts.import", _import)
