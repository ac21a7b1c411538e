"""The roster's Excel import as a job of the queue (``service.workforce.imports.actions``).

A 50,000-row sheet takes longer to check and write than a request should
last: the request stores it and defers this job; the job reads and checks
every row and imports them all or none, as the request did before, in the
uploader's language (the row errors are written as the uploader reads them).
One tenant's roster imports run one after the other (the job's lock), so two
sheets naming the same new worker never race to create them.
"""

from __future__ import annotations

from dataclasses import asdict

from service import clock
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.i18n import Translator
from service.keys import keys_for
from service.settings import get_settings
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from service.workforce.roster import actions
from service.workforce.roster.excel import parse_workbook
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator) -> dict[str, int]:
    rows = parse_workbook(content, t, clock.today(), load_assignments(db))
    return asdict(actions.import_workers(db, keys_for(get_settings()), rows, actor=actor))


SHEET = sheet_import(ImportKind.ROSTER, "roster.import", _import)
