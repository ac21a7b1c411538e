"""Read queries for the payroll pages and exports (nothing here writes).

The register is read a page at a time in one query, with each worker's net
and gross pay from the previous month's payslip in force (latest *published*)
joined in (no query per worker) and a flag for review: a new worker, or a net
or gross change above 10%.  For a correction run the comparison is with the
published payslip each corrected payslip replaces.  The totals are summed over
the whole run in a second query, and ``comparison`` adds last month's totals
and the workers paid last month who are missing from this run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy
from sqlalchemy import text
from sqlmodel import col, select

from service.bureaus.directory import bureau_names
from service.database.ids import among, id_of
from service.errors import N_
from service.payroll.runs.models import PayrollRun, PayslipLineRow, PayslipRow, RunStatus
from service.payroll.runs.payslip_view import ProrationNote, proration_note
from service.workforce.models import Worker
from tenants.isolation import TenantSession

PER_PAGE = 50


CHANGE_THRESHOLD = Decimal("0.10")  # a net or gross change above 10% is highlighted for review


@dataclass(frozen=True)
class RegisterRow:
    payslip_id: int
    worker_id: int
    name: str
    id_number_masked: str
    client_bureau: str
    gross_pay: Decimal
    deductions: Decimal
    employee_social_insurance: Decimal
    employee_housing_fund: Decimal
    taxable_income: Decimal
    tax: Decimal
    net_pay: Decimal
    employer_contributions: Decimal
    employer_cost: Decimal
    minimum_wage_ok: bool
    minimum_wage_shortfall: Decimal
    # Regular run: the worker's payslip in force for last month (None: none).
    # Correction run: the published payslip this one replaces (None: the worker had none).
    previous_net: Decimal | None
    previous_gross: Decimal | None = None
    previous_tax: Decimal | None = None
    flagged: bool = False  # new, or net or gross changed by more than CHANGE_THRESHOLD
    proration: dict[str, Any] | None = None  # a part month's (PayslipRow.proration); None: a whole month

    @property
    def part_month(self) -> ProrationNote | None:
        return proration_note(self.proration)

    @property
    def net_change(self) -> Decimal | None:
        return None if self.previous_net is None else self.net_pay - self.previous_net

    @property
    def gross_change(self) -> Decimal | None:
        return None if self.previous_gross is None else self.gross_pay - self.previous_gross

    @property
    def tax_change(self) -> Decimal | None:
        return None if self.previous_tax is None else self.tax - self.previous_tax

    @property
    def is_new(self) -> bool:
        return self.previous_net is None

    @property
    def net_change_percent(self) -> Decimal | None:
        if self.previous_net is None or self.previous_net == 0:
            return None
        return (100 * (self.net_pay - self.previous_net) / abs(self.previous_net)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Totals:
    count: int
    gross_pay: Decimal
    employee_social_insurance: Decimal
    employee_housing_fund: Decimal
    tax: Decimal
    net_pay: Decimal
    employer_cost: Decimal
    below_minimum: int


@dataclass(frozen=True)
class Comparison:
    """The run against what it is compared with (last month in force, or the payslips a
    correction replaces): totals, how many rows are highlighted, new and missing workers."""

    count: int
    gross_pay: Decimal
    net_pay: Decimal
    tax: Decimal
    flagged: int
    new: int
    missing: list[tuple[int, str, Decimal]]  # (worker id, name, last net) in last month, not in this run
    missing_count: int


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    totals: Totals
    page: int
    pages: int
    comparison: Comparison | None = None
    only_changes: bool = False


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


# The payslips in force for a month (latest published per worker).
_PREV = """
    prev as (
        select distinct on (p.worker_id) p.worker_id, p.id, p.gross_pay, p.net_pay, p.tax
        from payslips p join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
        where p.tenant_id = :tenant and r.status = 'published' and p.month = :prev
        order by p.worker_id, r.published_at desc, r.id desc
    )"""
# What a correction's payslips replace.
_REPLACED = """
    prev as (
        select c.worker_id, o.id, o.gross_pay, o.net_pay, o.tax
        from payslips c join payslips o on o.tenant_id = c.tenant_id and o.id = c.corrects_payslip_id
        where c.tenant_id = :tenant and c.run_id = :run
    )"""
_FLAG = """(prev.net_pay is null
        or abs(p.net_pay - prev.net_pay) > :threshold * abs(prev.net_pay)
        or abs(p.gross_pay - prev.gross_pay) > :threshold * abs(prev.gross_pay))"""
_ROWS = """
    select p.id as payslip_id, p.worker_id, w.name, w.id_number_masked,
           p.gross_pay, p.deductions, p.employee_social_insurance, p.employee_housing_fund,
           p.taxable_income, p.tax, p.net_pay, p.employer_contributions, p.employer_cost,
           p.minimum_wage_ok, p.minimum_wage_shortfall, prev.net_pay as previous_net,
           prev.gross_pay as previous_gross, prev.tax as previous_tax, {flag} as flagged, p.proration
    from payslips p
    join workers w on w.tenant_id = p.tenant_id and w.id = p.worker_id
    left join prev on prev.worker_id = p.worker_id
    where p.tenant_id = :tenant and p.run_id = :run{only}
    order by w.name, p.worker_id
"""


def _is_correction(run: PayrollRun) -> bool:
    return run.corrects_run_id is not None


def _params(run: PayrollRun, **more: object) -> dict[str, object]:
    return {"tenant": run.tenant_id, "run": run.id, "prev": previous_month(run.month), "threshold": CHANGE_THRESHOLD, **more}


def _bureaus(db: TenantSession, worker_ids: list[int]) -> dict[int, str]:
    """Worker id -> client bureau name (through the ORM, whatever the bureau is stored as)."""
    if not worker_ids:
        return {}
    # SQLAlchemy's select: sqlmodel's would type the id column as the model's ``int | None``.
    query = sqlalchemy.select(col(Worker.id), col(Worker.client_bureau)).where(col(Worker.tenant_id) == db.tenant_id)
    if len(worker_ids) <= 1000:
        query = query.where(col(Worker.id).in_(worker_ids))
    return {i: b or "" for i, b in db.execute(query).all()}


def register_rows(
    db: TenantSession, run: PayrollRun, *, limit: int | None = None, offset: int = 0, only_changes: bool = False
) -> list[RegisterRow]:
    """The run's payslips with worker names and what they are compared with (one query, plus
    one for the bureau names)."""
    sql = (
        "with "
        + (_REPLACED if _is_correction(run) else _PREV)
        + _ROWS.format(flag=_FLAG, only=(" and " + _FLAG) if only_changes else "")
    )
    sql += " limit :limit offset :offset" if limit is not None else ""
    rows = db.execute(text(sql), _params(run, limit=limit, offset=offset)).all()
    bureaus = _bureaus(db, [r.worker_id for r in rows])
    return [RegisterRow(client_bureau=bureaus.get(r.worker_id, ""), **r._mapping) for r in rows]


def totals(db: TenantSession, run_id: int) -> Totals:
    row = db.execute(
        text(
            """
            select count(*), coalesce(sum(gross_pay), 0), coalesce(sum(employee_social_insurance), 0),
                   coalesce(sum(employee_housing_fund), 0), coalesce(sum(tax), 0), coalesce(sum(net_pay), 0),
                   coalesce(sum(employer_cost), 0), count(*) filter (where not minimum_wage_ok)
            from payslips where tenant_id = :tenant and run_id = :run
            """
        ),
        {"tenant": db.tenant_id, "run": run_id},
    ).one()
    return Totals(*row)


MISSING_SHOWN = 50


def comparison(db: TenantSession, run: PayrollRun) -> Comparison:
    """Totals of what the run is compared with, the highlighted and new rows, and (regular
    runs) last month's workers missing from this run: three queries."""
    params = _params(run)
    head = "with " + (_REPLACED if _is_correction(run) else _PREV)
    scope = ""
    if run.bureau_id is not None and not _is_correction(run):
        ids = db.exec(select(col(Worker.id)).where(Worker.tenant_id == db.tenant_id, Worker.bureau_id == run.bureau_id)).all()
        params["ids"] = list(ids)
        scope = " and prev.worker_id = any(:ids)"
    base = db.execute(
        text(
            head + " select count(*), coalesce(sum(gross_pay), 0), coalesce(sum(net_pay), 0), coalesce(sum(tax), 0)"
            " from prev where true" + scope
        ),
        params,
    ).one()
    flagged, new = db.execute(
        text(
            head + f" select count(*) filter (where {_FLAG}), count(*) filter (where prev.worker_id is null)"
            " from payslips p left join prev on prev.worker_id = p.worker_id"
            " where p.tenant_id = :tenant and p.run_id = :run"
        ),
        params,
    ).one()
    missing: list[tuple[int, str, Decimal]] = []
    missing_count = 0
    if not _is_correction(run):
        gone = (
            head + " select prev.worker_id, w.name, prev.net_pay, count(*) over () as n from prev"
            " join workers w on w.tenant_id = :tenant and w.id = prev.worker_id"
            " where not exists (select 1 from payslips p where p.tenant_id = :tenant and p.run_id = :run"
            " and p.worker_id = prev.worker_id)" + scope + " order by w.name, prev.worker_id limit :shown"
        )
        for worker_id, name, net, n in db.execute(text(gone), params | {"shown": MISSING_SHOWN}):
            missing.append((worker_id, name, net))
            missing_count = n
    return Comparison(base[0], base[1], base[2], base[3], flagged, new, missing, missing_count)


def register_page(db: TenantSession, run: PayrollRun, page: int, only_changes: bool = False) -> RegisterPage:
    sums = totals(db, id_of(run))
    compared = comparison(db, run) if sums.count else None
    count = compared.flagged if (only_changes and compared) else sums.count
    pages = max(1, math.ceil(count / PER_PAGE))
    page = min(max(1, page), pages)
    rows = register_rows(db, run, limit=PER_PAGE, offset=(page - 1) * PER_PAGE, only_changes=only_changes)
    return RegisterPage(rows, sums, page, pages, compared, only_changes)


CATEGORY_MSGIDS = {
    "earning": N_("Earnings"),
    "deduction": N_("Deductions"),
    "employee_contribution": N_("Employee contributions"),
    "tax": N_("Income tax"),
    "employer_contribution": N_("Employer contributions (not deducted from pay)"),
    "info": N_("For information"),
}


@dataclass(frozen=True)
class LineDifference:
    code: str
    label: str
    category: str
    published: Decimal
    corrected: Decimal

    @property
    def category_label(self) -> str:
        return CATEGORY_MSGIDS.get(self.category, self.category)

    @property
    def difference(self) -> Decimal:
        return self.corrected - self.published


@dataclass(frozen=True)
class Correction:
    """A correction payslip against the published payslip it replaces."""

    run: PayrollRun  # the correction run
    payslip: PayslipRow  # the corrected payslip
    replaced: PayslipRow | None  # None: the worker had no payslip that month
    lines: list[LineDifference]  # every component either payslip has, in the corrected order

    @property
    def explanation(self) -> str:
        return self.run.explanation or ""

    @property
    def net_difference(self) -> Decimal:
        return self.payslip.net_pay - (self.replaced.net_pay if self.replaced else Decimal("0"))

    @property
    def gross_difference(self) -> Decimal:
        return self.payslip.gross_pay - (self.replaced.gross_pay if self.replaced else Decimal("0"))

    @property
    def tax_difference(self) -> Decimal:
        return self.payslip.tax - (self.replaced.tax if self.replaced else Decimal("0"))


def line_differences(corrected: list[PayslipLineRow], published: list[PayslipLineRow]) -> list[LineDifference]:
    """Per component (code and category), the published and corrected amounts."""
    zero = Decimal("0")
    before = {(x.code, x.category): x for x in published}
    out = [
        LineDifference(
            x.code,
            x.label,
            x.category,
            before[(x.code, x.category)].amount if (x.code, x.category) in before else zero,
            x.amount,
        )
        for x in corrected
    ]
    seen = {(x.code, x.category) for x in corrected}
    out += [LineDifference(x.code, x.label, x.category, x.amount, zero) for x in published if (x.code, x.category) not in seen]
    return out


def correction_of(db: TenantSession, payslip: PayslipRow) -> Correction | None:
    """If ``payslip`` belongs to a correction run, that run, the payslip it replaces and the
    difference per component (for the clerk's and the assistant's payslip pages)."""
    tenant_id = db.tenant_id
    run = db.exec(select(PayrollRun).where(PayrollRun.tenant_id == tenant_id, PayrollRun.id == payslip.run_id)).first()
    if run is None or run.corrects_run_id is None:
        return None
    replaced = None
    if payslip.corrects_payslip_id is not None:
        replaced = db.exec(
            select(PayslipRow).where(PayslipRow.tenant_id == tenant_id, PayslipRow.id == payslip.corrects_payslip_id)
        ).first()
    ids = [id_of(payslip)] + ([id_of(replaced)] if replaced else [])
    lines = lines_of(db, ids)
    return Correction(run, payslip, replaced, line_differences(lines[ids[0]], lines[ids[1]] if replaced else []))


def corrected_by(db: TenantSession, payslip_id: int) -> list[tuple[PayrollRun, PayslipRow]]:
    """The correction runs (any status) whose payslips replace ``payslip_id``, oldest first."""
    tenant_id = db.tenant_id
    rows = db.exec(
        select(PayrollRun, PayslipRow)
        .where(
            PayslipRow.tenant_id == tenant_id,
            PayslipRow.corrects_payslip_id == payslip_id,
            PayrollRun.tenant_id == tenant_id,
            col(PayrollRun.id) == PayslipRow.run_id,
        )
        .order_by(col(PayrollRun.id))
    ).all()
    return [(r, p) for r, p in rows]


def first_published_month_from(db: TenantSession, worker_id: int, month: date) -> date | None:
    """The first month from ``month`` on that a published run (regular or correction) paid the worker for."""
    tenant_id = db.tenant_id
    return db.exec(
        select(sqlalchemy.func.min(PayslipRow.month)).where(
            PayslipRow.tenant_id == tenant_id,
            PayslipRow.worker_id == worker_id,
            PayslipRow.month >= month,
            PayrollRun.tenant_id == tenant_id,
            col(PayrollRun.id) == PayslipRow.run_id,
            PayrollRun.status == RunStatus.PUBLISHED.value,
        )
    ).one()


def get_payslip(db: TenantSession, run_id: int, payslip_id: int) -> PayslipRow | None:
    return db.exec(
        select(PayslipRow).where(PayslipRow.tenant_id == db.tenant_id, PayslipRow.run_id == run_id, PayslipRow.id == payslip_id)
    ).first()


def lines_of(db: TenantSession, payslip_ids: list[int]) -> dict[int, list[PayslipLineRow]]:
    """Every line of the payslips, in position order, by payslip id (one query)."""
    found: dict[int, list[PayslipLineRow]] = {i: [] for i in payslip_ids}
    if not payslip_ids:
        return found
    for line in db.exec(
        select(PayslipLineRow)
        .where(PayslipLineRow.tenant_id == db.tenant_id, col(PayslipLineRow.payslip_id).in_(payslip_ids))
        .order_by(col(PayslipLineRow.payslip_id), col(PayslipLineRow.position))
    ):
        found[line.payslip_id].append(line)
    return found


def workers_of(db: TenantSession, worker_ids: list[int]) -> dict[int, Worker]:
    if not worker_ids:
        return {}
    return {
        id_of(w): w for w in db.exec(select(Worker).where(Worker.tenant_id == db.tenant_id, among(col(Worker.id), worker_ids)))
    }


def client_bureaus(db: TenantSession) -> list[str]:
    """The tenant's client bureaus (records, migration 0016) by name."""
    return bureau_names(db)


def year_to_date_of(db: TenantSession, run_id: int) -> dict[int, dict]:
    """Each payslip's stored year to date (JSON), by payslip id (one query)."""
    # SQLAlchemy's select: sqlmodel's would type the id column as the model's ``int | None``.
    rows = db.execute(
        sqlalchemy.select(col(PayslipRow.id), col(PayslipRow.year_to_date)).where(
            col(PayslipRow.tenant_id) == db.tenant_id, col(PayslipRow.run_id) == run_id
        )
    )
    return dict(rows.all())
