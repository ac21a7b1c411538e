"""Monthly statements (结算单) to a client bureau: the only code that writes
them (audited); what their pages and files read is in ``queries.py``.

A statement prices the month's published payroll of the bureau's workers by
the agreement in force: each worker's payslip in force for the month (the
latest published one, so a payroll correction run's figures win), their gross
wages, the employer's social insurance (employer contributions less the
employer's housing fund) and housing fund, and the management fee or fixed
price per head (``agreements/rules.py``, ``price_line``).

States: draft → sent → confirmed | disputed (with the bureau's comment);
a disputed (or sent) statement is corrected by a *new* statement that refers
to it, and the old one becomes "corrected".  A confirmed statement never
changes, and a sent one's figures never change (database triggers, migration
0016, hold that even against a bug here).

``confirm_statement`` and ``dispute_statement`` take the acting principal's
``Actor`` and, for a bureau reviewer, ``bureau_id``: a statement of another
bureau is then not found (``StatementNotFound``), exactly as if it did not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service import clock
from service.audit import Actor, record
from service.bureaus.agreements import queries as agreements
from service.bureaus.agreements.rules import ZERO, price_line
from service.bureaus.models import (
    BureauStatement,
    BureauStatementLine,
    ClientBureau,
    ServiceAgreement,
    StatementStatus,
)
from service.bureaus.statements.queries import agreement_for_month, get_statement, source_payslips
from service.database.ids import id_of
from service.errors import N_, DomainError
from tenants.isolation import TenantSession

COMMENT_MAX = 2000
NOTE_MAX = 500
ADJUSTMENT_MAX = Decimal("100000000")


def month_label(month: date) -> str:
    return month.isoformat()[:7]


@dataclass
class Priced:
    lines: list[BureauStatementLine]
    run_id: int


def _price(db: TenantSession, bureau: ClientBureau, agreement: ServiceAgreement, month: date) -> Priced:
    tenant_id = db.tenant_id
    slips = source_payslips(db, bureau, month)
    if not slips:
        raise DomainError(
            N_("No published payroll for {month} pays a worker of {bureau}."),
            field="month",
            month=month_label(month),
            bureau=bureau.name,
        )
    terms = agreements.terms_of(agreement)
    posts = {p.name: agreements.post_terms(p) for p in agreements.posts_of(db, id_of(agreement))}
    lines = []
    for position, slip in enumerate(slips, start=1):
        employer_si = slip.employer_contributions - slip.employer_housing_fund
        priced = price_line(terms, posts.get(slip.post_line), slip.gross_pay, employer_si, slip.employer_housing_fund)
        lines.append(
            BureauStatementLine(
                tenant_id=tenant_id,
                position=position,
                worker_id=slip.worker_id,
                worker_name=slip.name,
                id_number_masked=slip.id_number_masked,
                post=slip.post_line,
                fee_basis=priced.fee_basis,
                payslip_id=slip.payslip_id,
                wages=priced.wages,
                employer_social_insurance=employer_si,
                employer_housing_fund=slip.employer_housing_fund,
                management_fee=priced.management_fee,
                fixed_price=priced.fixed_price,
                total=priced.total,
            )
        )
    return Priced(lines, max(s.run_id for s in slips))


def _fill(statement: BureauStatement, priced: Priced, adjustment: Decimal) -> None:
    lines = priced.lines
    statement.source_run_id = priced.run_id
    statement.worker_count = len(lines)
    statement.wages = sum((line.wages for line in lines), ZERO)
    statement.employer_social_insurance = sum((line.employer_social_insurance for line in lines), ZERO)
    statement.employer_housing_fund = sum((line.employer_housing_fund for line in lines), ZERO)
    statement.management_fee = sum((line.management_fee for line in lines), ZERO)
    statement.fixed_fees = sum((line.fixed_price for line in lines), ZERO)
    statement.adjustment = adjustment
    statement.total = sum((line.total for line in lines), ZERO) + adjustment


def _write_lines(db: TenantSession, statement: BureauStatement, lines: list[BureauStatementLine]) -> None:
    tenant_id = db.tenant_id
    db.execute(
        text("delete from bureau_statement_lines where tenant_id = :t and statement_id = :s"),
        {"t": tenant_id, "s": statement.id},
    )
    for line in lines:
        line.statement_id = id_of(statement)
        db.add(line)
    db.flush()


def live_statement(db: TenantSession, bureau_id: int, month: date) -> BureauStatement | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(BureauStatement)
        .where(
            BureauStatement.tenant_id == tenant_id,
            BureauStatement.bureau_id == bureau_id,
            BureauStatement.month == month,
            BureauStatement.status != StatementStatus.CORRECTED,
        )
        .with_for_update()
    ).first()


def generate_statement(db: TenantSession, bureau: ClientBureau, month: date, *, actor: Actor) -> BureauStatement:
    """The draft statement of the bureau's month (made again if a draft exists)."""
    tenant_id = db.tenant_id
    month = month.replace(day=1)
    existing = live_statement(db, id_of(bureau), month)
    if existing is not None and existing.status is not StatementStatus.DRAFT:
        raise DomainError(
            N_("The statement for {month} has already been sent: correct it instead."),
            field="month",
            month=month_label(month),
        )
    agreement = agreement_for_month(db, id_of(bureau), month)
    if agreement is None:
        raise DomainError(
            N_("{bureau} has no signed agreement in force in {month}."),
            field="month",
            bureau=bureau.name,
            month=month_label(month),
        )
    priced = _price(db, bureau, agreement, month)
    before = existing.snapshot() if existing else None
    statement = existing or BureauStatement(
        tenant_id=tenant_id, bureau_id=id_of(bureau), month=month, agreement_id=id_of(agreement), source_run_id=priced.run_id
    )
    statement.agreement_id = id_of(agreement)
    _fill(statement, priced, ZERO)
    db.add(statement)
    db.flush()
    _write_lines(db, statement, priced.lines)
    record(
        db, tenant_id, actor, "statement.generate", "bureau_statement", statement.id, before=before, after=statement.snapshot()
    )
    return statement


def _transition(
    db: TenantSession,
    statement: BureauStatement,
    action: str,
    change,
    *,
    actor: Actor,
) -> BureauStatement:
    tenant_id = db.tenant_id
    before = statement.snapshot()
    change(statement)
    db.add(statement)
    db.flush()
    record(db, tenant_id, actor, action, "bureau_statement", statement.id, before=before, after=statement.snapshot())
    return statement


def send_statement(db: TenantSession, statement_id: int, *, actor: Actor) -> BureauStatement:
    """Draft → sent: from now on its figures never change."""
    statement = get_statement(db, statement_id, lock=True)
    if statement.status is not StatementStatus.DRAFT:
        raise DomainError(N_("Only a draft statement can be sent."), field="status")
    agreement = agreements.get_agreement(db, statement.agreement_id)
    today = clock.today()

    def change(s: BureauStatement) -> None:
        s.status, s.sent_at, s.sent_by = StatementStatus.SENT, datetime.now(UTC), actor.label
        if agreement is not None and agreement.payment_due_days is not None:
            s.due_on = today + timedelta(days=agreement.payment_due_days)

    return _transition(db, statement, "statement.send", change, actor=actor)


def confirm_statement(db: TenantSession, statement_id: int, *, actor: Actor, bureau_id: int | None = None) -> BureauStatement:
    """Sent → confirmed, by the bureau (a reviewer: pass their ``bureau_id``) or
    by staff recording the bureau's confirmation.  Never changes afterwards."""
    statement = get_statement(db, statement_id, bureau_id=bureau_id, lock=True)
    if statement.status is not StatementStatus.SENT:
        raise DomainError(N_("Only a statement sent to the bureau can be confirmed."), field="status")

    def change(s: BureauStatement) -> None:
        s.status, s.decided_at, s.decided_by = StatementStatus.CONFIRMED, datetime.now(UTC), actor.label

    return _transition(db, statement, "statement.confirm", change, actor=actor)


def dispute_statement(
    db: TenantSession, statement_id: int, comment: str, *, actor: Actor, bureau_id: int | None = None
) -> BureauStatement:
    """Sent → disputed, with the bureau's comment (required)."""
    comment = (comment or "").replace("\r\n", "\n").strip()
    if not comment:
        raise DomainError(N_("Say what is wrong with the statement."), field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(N_("At most {limit} characters."), field="comment", limit=COMMENT_MAX)
    statement = get_statement(db, statement_id, bureau_id=bureau_id, lock=True)
    if statement.status is not StatementStatus.SENT:
        raise DomainError(N_("Only a statement sent to the bureau can be disputed."), field="status")

    def change(s: BureauStatement) -> None:
        s.status, s.dispute_comment = StatementStatus.DISPUTED, comment
        s.decided_at, s.decided_by = datetime.now(UTC), actor.label

    return _transition(db, statement, "statement.dispute", change, actor=actor)


def correct_statement(
    db: TenantSession, statement_id: int, adjustment: Decimal = ZERO, note: str = "", *, actor: Actor
) -> BureauStatement:
    """A disputed (or sent, not yet decided) statement is replaced by a new draft
    that refers to it, priced again from the payroll in force now (a payroll
    correction run's figures included), plus an optional adjustment with its
    reason.  The old statement becomes "corrected" and never changes again."""
    tenant_id = db.tenant_id
    note = (note or "").strip()
    if adjustment.copy_abs() >= ADJUSTMENT_MAX:
        raise DomainError(N_("At most {limit}."), field="adjustment", limit=ADJUSTMENT_MAX)
    if adjustment != ZERO and not note:
        raise DomainError(N_("Give the reason for the adjustment."), field="adjustment_note")
    if len(note) > NOTE_MAX:
        raise DomainError(N_("At most {limit} characters."), field="adjustment_note", limit=NOTE_MAX)
    old = get_statement(db, statement_id, lock=True)
    if old.status not in (StatementStatus.DISPUTED, StatementStatus.SENT):
        raise DomainError(N_("Only a disputed or sent statement can be corrected."), field="status")
    bureau = db.get_one(ClientBureau, (tenant_id, old.bureau_id))  # a foreign key: the bureau exists
    agreement = agreement_for_month(db, old.bureau_id, old.month)
    if agreement is None:  # pragma: no cover - the old statement had one; signed agreements are never deleted
        agreement = db.get_one(ServiceAgreement, (tenant_id, old.agreement_id))
    priced = _price(db, bureau, agreement, old.month)
    _transition(db, old, "statement.mark_corrected", lambda s: setattr(s, "status", StatementStatus.CORRECTED), actor=actor)
    new = BureauStatement(
        tenant_id=tenant_id,
        bureau_id=old.bureau_id,
        month=old.month,
        agreement_id=id_of(agreement),
        source_run_id=priced.run_id,
        corrects_statement_id=old.id,
        adjustment_note=note,
    )
    _fill(new, priced, adjustment.quantize(Decimal("0.01")))
    db.add(new)
    db.flush()
    _write_lines(db, new, priced.lines)
    record(db, tenant_id, actor, "statement.correct", "bureau_statement", new.id, after=new.snapshot())
    return new


def discard_draft(db: TenantSession, statement_id: int, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    statement = get_statement(db, statement_id, lock=True)
    if statement.status is not StatementStatus.DRAFT:
        raise DomainError(N_("Only a draft statement can be discarded."), field="status")
    before = statement.snapshot()
    db.delete(statement)
    db.flush()
    record(db, tenant_id, actor, "statement.discard", "bureau_statement", statement_id, before=before)
