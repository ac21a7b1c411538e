"""The rule catalogue's Excel import as a job of the queue (``service.workforce.imports.actions``).

The job reads every row of the sheet and creates each item or its new
version all or none, as the request did before, in the uploader's language:
a row the sheet refuses or a rule refuses (``actions.RowProblems``) is
written on the import's page under its column.  One tenant's item imports
run one after the other (the job's lock): two sheets adding the same code
never race to create it.
"""

from __future__ import annotations

from dataclasses import asdict

from service.assessment import actions
from service.assessment.sheets import item_rows_refused, parse_item_sheet
from service.audit import Actor
from service.bureaus.directory import load_assignments
from service.i18n import Translator
from service.workforce.imports.jobs import sheet_import
from service.workforce.imports.models import ImportKind
from tenants.isolation import TenantSession


def _import(db: TenantSession, content: bytes, *, actor: Actor, t: Translator) -> dict[str, int]:
    rows = parse_item_sheet(content, t, load_assignments(db).bureaus)
    try:
        return asdict(actions.import_items(db, rows, actor=actor))
    except actions.RowProblems as refused:
        raise item_rows_refused(refused.problems, t) from refused


SHEET = sheet_import(ImportKind.ASSESSMENT_ITEMS, "assessment_items.import", _import)
