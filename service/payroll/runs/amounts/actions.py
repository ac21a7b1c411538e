"""The per-worker-month amounts of pay components, imported from Excel as
input to a month's payroll: the only code that writes them, audited in the
same transaction.

An import is all or nothing: every row is checked (the sheet, then the
roster and the components) before the first row is written, and a row for a
worker, component and month already imported replaces the amount.  A month
whose payroll is published refuses its rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select

from service.audit import Actor, record_many
from service.errors import N_, DomainError
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.keys import Keys
from service.money import parse_yuan
from service.payroll.components.models import PayComponent, PayComponentAmount
from service.payroll.components.rules import Method
from service.payroll.runs.models import PayrollRun, RunStatus
from service.workforce.attendance.rules import parse_month
from service.workforce.identity import parse_national_id
from service.workforce.imports.refusals import ImportRefused, RowError
from service.workforce.models import Worker
from service.workforce.roster.actions import id_number_index
from tenants.isolation import TenantSession

HEADERS = {
    "id_number": N_("ID number"),
    "name": N_("Name"),
    "month": N_("Month"),
    "code": N_("Component code"),
    "amount": N_("Amount"),
}
COLUMNS = ("id_number", "name", "month", "code", "amount")


@dataclass(frozen=True)
class AmountRow:
    row: int
    id_number: str
    name: str
    month: date
    code: str
    amount: Decimal


# The sheet's Chinese headers are accepted whatever the catalogues say.
ZH_HEADERS = {"身份证号": "id_number", "姓名": "name", "月份": "month", "项目代码": "code", "金额": "amount"}


def _header_lookup() -> dict[str, str]:
    found = {translator(locale)(msgid): field for locale in LOCALES for field, msgid in HEADERS.items()}
    return {**found, **ZH_HEADERS}


def template_workbook(t: Translator) -> bytes:
    return write_rows(t(N_("Pay component amounts")), [t(HEADERS[c]) for c in COLUMNS], [])


def _text(value: object) -> str:
    return str(value).strip() if value is not None else ""


def _amount(value: object) -> Decimal:
    if isinstance(value, bool) or value is None or _text(value) == "":
        raise DomainError(N_("Enter an amount."), field="amount")
    typed = repr(value) if isinstance(value, float) else _text(value)
    try:
        amount = parse_yuan(typed)
    except ValueError:
        raise DomainError(N_("Enter an amount in yuan, like 200 or 200.50."), field="amount") from None
    if amount < 0:
        raise DomainError(N_("The amount must not be negative."), field="amount")
    if amount >= Decimal("10000000000"):
        raise DomainError(N_("This number is too large."), field="amount")
    return amount


def check_amounts(data: bytes, t: Translator) -> tuple[list[AmountRow], list[RowError]]:
    """The rows that passed and the problems (row, column, reason) of those that did not (pure)."""
    names = {f: t(msgid) for f, msgid in HEADERS.items()}
    try:
        rows = read_rows(data, _header_lookup(), names)
    except DomainError as error:
        return [], [RowError(1, "", t.error(error))]
    entries: list[AmountRow] = []
    errors: list[RowError] = []
    first_seen: dict[tuple[str, date, str], int] = {}
    for row in rows:
        problems: list[DomainError] = []
        values = row.values
        number = ""
        raw_id = values.get("id_number")
        try:
            if isinstance(raw_id, (int, float)):
                raise DomainError(N_("Type the ID number as text: as a number Excel loses its last digits."), field="id_number")
            number = parse_national_id(_text(raw_id)).number
        except DomainError as error:
            problems.append(error)
        month = None
        try:
            month = parse_month(values.get("month"))
        except DomainError as error:
            problems.append(error)
        code = _text(values.get("code")).lower()
        if not code:
            problems.append(DomainError(N_("Enter a code."), field="code"))
        amount = None
        try:
            amount = _amount(values.get("amount"))
        except DomainError as error:
            problems.append(error)
        if number and month and code:
            key = (number, month, code)
            if key in first_seen:
                problems.append(
                    DomainError(
                        N_("The same worker, month and code are already on row {row}."), field="id_number", row=first_seen[key]
                    )
                )
            else:
                first_seen[key] = row.number
        if problems:
            errors.extend(RowError(row.number, names.get(p.field or "", ""), t.error(p)) for p in problems)
        elif month is not None and amount is not None:
            entries.append(AmountRow(row.number, number, _text(values.get("name")), month, code, amount))
    if not entries and not errors:
        errors.append(RowError(1, "", t(N_("The sheet has no rows of figures."))))
    return entries, errors


def import_amounts(
    db: TenantSession, keys: Keys, content: bytes, t: Translator, *, actor: Actor, only_month: date | None = None
) -> int:
    """Check the sheet, match rows to workers (one query over the blind index)
    and to imported components (one query), write all or nothing; raise
    ImportRefused with every problem by row.  Returns the rows written.

    A row for a month whose payroll is already published is refused (a
    published run is never calculated again, so the amount would never be
    paid).  ``only_month`` (the import reached from a payroll run) refuses
    rows of any other month."""
    tenant_id = db.tenant_id
    entries, errors = check_amounts(content, t)
    month_column = t(HEADERS["month"])
    published = set(
        db.exec(
            select(col(PayrollRun.month)).where(
                PayrollRun.tenant_id == tenant_id,
                PayrollRun.status == RunStatus.PUBLISHED.value,
                col(PayrollRun.month).in_(list({e.month for e in entries})),
            )
        ).all()
    )
    kept: list[AmountRow] = []
    for entry in entries:
        label = entry.month.isoformat()[:7]
        if only_month is not None and entry.month != only_month.replace(day=1):
            message = t(
                N_("This sheet is for the payroll of {month}: the row is for {row_month}."),
                month=only_month.isoformat()[:7],
                row_month=label,
            )
            errors.append(RowError(entry.row, month_column, message))
        elif entry.month in published:
            message = t(
                N_("Payroll for {month} is already published: it can only be changed by a correction run."), month=label
            )
            errors.append(RowError(entry.row, month_column, message))
        else:
            kept.append(entry)
    entries = kept
    indexes = {e.id_number: id_number_index(keys, tenant_id, e.id_number) for e in entries}
    workers = {
        w.id_number_index: w
        for w in db.exec(
            select(Worker).where(Worker.tenant_id == tenant_id, col(Worker.id_number_index).in_(list(set(indexes.values()))))
        )
    }
    components = {
        c.code: c
        for c in db.exec(
            select(PayComponent).where(
                PayComponent.tenant_id == tenant_id,
                col(PayComponent.code).in_(list({e.code for e in entries})),
            )
        )
    }
    rows: list[tuple[AmountRow, Worker, PayComponent]] = []
    for entry in entries:
        worker = workers.get(indexes[entry.id_number])
        component = components.get(entry.code)
        ok = True
        if worker is None:
            errors.append(RowError(entry.row, t(HEADERS["id_number"]), t(N_("No worker in the roster has this ID number."))))
            ok = False
        elif entry.name and entry.name != worker.name:
            message = t(N_("The roster has this ID number under the name {name}."), name=worker.name)
            errors.append(RowError(entry.row, t(HEADERS["name"]), message))
            ok = False
        if component is None:
            message = t(N_("No pay component has the code {code}."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        elif Method(component.method) is not Method.PER_WORKER_MONTH:
            message = t(N_("The component {code} is not imported per worker and month."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        elif not component.active:
            message = t(N_("The component {code} is inactive."), code=entry.code)
            errors.append(RowError(entry.row, t(HEADERS["code"]), message))
            ok = False
        if ok and worker is not None and component is not None:
            rows.append((entry, worker, component))
    if errors:
        raise ImportRefused(sorted(errors, key=lambda e: e.row))
    values = [
        {"tenant_id": tenant_id, "component_id": c.id, "worker_id": w.id, "month": e.month, "amount": e.amount}
        for e, w, c in rows
    ]
    statement = pg_insert(PayComponentAmount).values(values)
    db.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "component_id", "worker_id", "month"],
            set_={"amount": statement.excluded.amount},
        )
    )
    record_many(
        db,
        tenant_id,
        actor,
        "pay_component_amount.import",
        "worker",
        [(w.id, None, {"component": c.code, "month": e.month.isoformat()[:7], "amount": str(e.amount)}) for e, w, c in rows],
    )
    return len(rows)
