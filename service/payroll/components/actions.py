"""The only code that writes pay components, their imported amounts and tax
declarations.  Every change is audited in the same transaction.

A component is never deleted (past payslips name its code): it is
deactivated, and its code stays taken.  An import of per-worker-month amounts
is all or nothing: every row is checked (the sheet, then the roster and the
components) before the first row is written, and a row for a worker,
component and month already imported replaces the amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select

from service.audit import Actor, record, record_many
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.excel import read_rows, write_rows
from service.i18n import LOCALES, Translator, translator
from service.keys import Keys
from service.money import parse_yuan
from service.payroll.components.models import PayComponent, PayComponentAmount, TaxDeclaration, TaxYearFlagsRow
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.runs.models import PayrollRun, RunStatus
from service.payroll.tax.declaration_json import from_json, to_json
from service.payroll.tax.special_deductions import Declarations, monthly_deductions
from service.payroll.tax.year_flags import TaxYearFlags
from service.payroll.tax.year_flags import check as check_flags
from service.workforce.attendance.rules import parse_month
from service.workforce.identity import parse_national_id
from service.workforce.models import Worker
from service.workforce.roster.actions import id_number_index
from service.workforce.roster.excel import ImportRefused, RowError
from tenants.isolation import TenantSession

# --- components ----------------------------------------------------------------


def list_components(db: TenantSession) -> list[PayComponent]:
    return list(
        db.exec(
            select(PayComponent)
            .where(PayComponent.tenant_id == db.tenant_id)
            .order_by(col(PayComponent.active).desc(), col(PayComponent.code))
        )
    )


def find_component(db: TenantSession, component_id: int) -> PayComponent | None:
    return db.get(PayComponent, (db.tenant_id, component_id))


def get_component(db: TenantSession, component_id: int) -> PayComponent:
    component = find_component(db, component_id)
    if component is None:
        raise DomainError(N_("This pay component does not exist."), field="component")
    return component


def _columns(definition: ComponentDefinition) -> dict:
    return {
        "label": definition.label,
        "kind": definition.kind.value,
        "method": definition.method.value,
        "amount": definition.amount,
        "taxable": definition.taxable,
        "counts_for_minimum_wage": definition.counts_for_minimum_wage,
        "bureau_id": definition.bureau_id,
        "formula": definition.formula,
    }


def define_component(db: TenantSession, definition: ComponentDefinition, *, actor: Actor) -> PayComponent:
    tenant_id = db.tenant_id
    clash = db.exec(
        select(PayComponent.id).where(PayComponent.tenant_id == tenant_id, PayComponent.code == definition.code)
    ).first()
    if clash is not None:
        raise DomainError(N_("The code {code} is already taken."), field="code", code=definition.code)
    component = PayComponent(tenant_id=tenant_id, code=definition.code, **_columns(definition))
    db.add(component)
    db.flush()
    record(db, tenant_id, actor, "pay_component.define", "pay_component", component.id, after=component.snapshot())
    return component


def update_component(
    db: TenantSession, component: PayComponent, definition: ComponentDefinition, *, actor: Actor
) -> PayComponent:
    """Everything but the code changes (past payslip lines keep the code)."""
    tenant_id = db.tenant_id
    if definition.code != component.code:
        raise DomainError(N_("A component's code cannot change."), field="code")
    before = component.snapshot()
    if Method(component.method) is Method.PER_WORKER_MONTH and definition.method is not Method.PER_WORKER_MONTH:
        imported = db.exec(
            select(PayComponentAmount.worker_id).where(
                PayComponentAmount.tenant_id == tenant_id, PayComponentAmount.component_id == component.id
            )
        ).first()
        if imported is not None:
            raise DomainError(N_("Amounts were imported for this component: define a new component instead."), field="method")
    for name, value in _columns(definition).items():
        setattr(component, name, value)
    component.updated_at = datetime.now(UTC)
    db.add(component)
    db.flush()
    record(
        db, tenant_id, actor, "pay_component.update", "pay_component", component.id, before=before, after=component.snapshot()
    )
    return component


def set_active(db: TenantSession, component: PayComponent, active: bool, *, actor: Actor) -> None:
    if component.active == active:
        return
    before = component.snapshot()
    component.active = active
    component.updated_at = datetime.now(UTC)
    db.add(component)
    db.flush()
    action = "pay_component.activate" if active else "pay_component.deactivate"
    record(db, db.tenant_id, actor, action, "pay_component", component.id, before=before, after=component.snapshot())


# --- imported amounts ----------------------------------------------------------

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


# --- tax declarations ------------------------------------------------------------


def declaration_of(db: TenantSession, worker_id: int, year: int) -> Declarations | None:
    row = db.get(TaxDeclaration, (db.tenant_id, worker_id, year))
    return None if row is None else from_json(row.declarations)


def save_declaration(db: TenantSession, worker: Worker, declarations: Declarations, *, actor: Actor) -> None:
    """Replace the worker's declarations for ``declarations.year``.  The
    dataclasses have validated the rules already; month 1 to 12 are valued
    here too, so nothing is stored that a payroll run would refuse."""
    tenant_id = db.tenant_id

    for month in range(1, 13):
        monthly_deductions(declarations, month)
    data = to_json(declarations)
    worker_id = id_of(worker)
    row = db.get(TaxDeclaration, (tenant_id, worker_id, declarations.year))
    before = None if row is None else row.declarations
    if row is None:
        row = TaxDeclaration(tenant_id=tenant_id, worker_id=worker_id, year=declarations.year, declarations=data)
    else:
        row.declarations = data
        row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "tax_declaration.save", "worker", worker_id, before=before, after=data)


# --- tax-year flags (首次取得工资 / 6 万元) -------------------------------------------


def flags_of(db: TenantSession, worker_id: int, year: int) -> TaxYearFlagsRow | None:
    return db.get(TaxYearFlagsRow, (db.tenant_id, worker_id, year))


def save_flags(db: TenantSession, worker: Worker, flags: TaxYearFlags, *, actor: Actor) -> None:
    """Replace the worker's flags for ``flags.year`` after ``year_flags.check``."""
    tenant_id = db.tenant_id
    check_flags(flags, worker.hire_date)
    worker_id = id_of(worker)
    row = db.get(TaxYearFlagsRow, (tenant_id, worker_id, flags.year))
    before = None if row is None else row.snapshot()
    if row is None:
        row = TaxYearFlagsRow(tenant_id=tenant_id, worker_id=worker_id, year=flags.year)
    row.first_job = flags.first_job
    row.small_earner = flags.small_earner
    row.wages_last_year = flags.wages_last_year
    row.declared_every_month_last_year = flags.declared_every_month_last_year
    row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    after = row.snapshot()
    if after != before:
        record(db, tenant_id, actor, "tax_year_flags.save", "worker", worker_id, before=before, after=after)


@dataclass(frozen=True)
class PublishedYear:
    """What this tenant's published payslips say about a worker's tax year."""

    months: int  # months with a published payslip
    income: Decimal  # 累计收入 on the latest of them


def published_year(db: TenantSession, worker_id: int, year: int) -> PublishedYear | None:
    """The worker's published payslips of ``year`` (one query), None when there are none."""
    row = db.execute(
        text(
            """
            select count(distinct p.month),
                   (array_agg(p.year_to_date ->> 'income' order by p.month desc, r.published_at desc))[1]
            from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            where p.tenant_id = :tenant and p.worker_id = :worker and r.status = 'published'
              and p.month >= :start and p.month < :end
            """
        ),
        {"tenant": db.tenant_id, "worker": worker_id, "start": date(year, 1, 1), "end": date(year + 1, 1, 1)},
    ).one()
    months, income = row
    return PublishedYear(months, Decimal(income)) if months else None
