"""Read queries for the assistants' portal and the payroll clerk's questions page (nothing here writes).

An assistant only ever reaches payslips through ``my_payslip`` and
``my_payslips``: their own worker id, in published runs only.  Anything else
is "not found", whether it exists or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import col, select

from service.payroll.runs.models import PayrollRun, PayslipRow, RunStatus
from service.payroll.runs.payslip_feedback import PayslipQuestion
from service.payroll.runs.payslip_feedback import feedback_of as feedback_of  # the portal's pages read it here too
from service.portal.models import AssistantAccount, AssistantInvitation
from tenants.isolation import TenantSession

QUESTIONS_PER_PAGE = 50


@dataclass(frozen=True)
class MyPayslip:
    payslip_id: int
    run_id: int
    month: date
    kind: str
    gross_pay: Decimal
    tax: Decimal
    net_pay: Decimal
    published_at: datetime | None
    confirmed_at: datetime | None
    questions: int
    unanswered: int


def my_payslips(db: TenantSession, worker_id: int) -> list[MyPayslip]:
    """The worker's payslips in published runs, newest month first (one query)."""
    rows = db.execute(
        text(
            """
            select p.id as payslip_id, r.id as run_id, p.month, r.kind, p.gross_pay, p.tax, p.net_pay,
                   r.published_at, c.confirmed_at,
                   (select count(*) from payslip_questions q
                     where q.tenant_id = p.tenant_id and q.payslip_id = p.id) as questions,
                   (select count(*) from payslip_questions q
                     where q.tenant_id = p.tenant_id and q.payslip_id = p.id and q.answer is null) as unanswered
            from payslips p
            join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id
            left join payslip_confirmations c on c.tenant_id = p.tenant_id and c.payslip_id = p.id
            where p.tenant_id = :tenant and p.worker_id = :worker and r.status = 'published'
            order by p.month desc, r.published_at desc, p.id desc
            """
        ),
        {"tenant": db.tenant_id, "worker": worker_id},
    )
    return [MyPayslip(**row._mapping) for row in rows]


def my_payslip(db: TenantSession, worker_id: int, payslip_id: int) -> tuple[PayslipRow, PayrollRun] | None:
    """The payslip if it is the worker's own and its run is published, else None."""
    found = db.exec(
        select(PayslipRow, PayrollRun)
        .join(PayrollRun, (col(PayrollRun.tenant_id) == PayslipRow.tenant_id) & (col(PayrollRun.id) == PayslipRow.run_id))
        .where(
            PayslipRow.tenant_id == db.tenant_id,
            PayslipRow.id == payslip_id,
            PayslipRow.worker_id == worker_id,
            PayrollRun.status == RunStatus.PUBLISHED.value,
        )
    ).first()
    return (found[0], found[1]) if found else None


@dataclass(frozen=True)
class QuestionRow:
    id: int
    payslip_id: int
    run_id: int
    worker_id: int
    name: str
    id_number_masked: str
    month: date
    question: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None
    answered_by: str | None


def questions(db: TenantSession, *, state: str, page: int) -> tuple[list[QuestionRow], int, int]:
    """(a page of questions, the page shown, the number of pages): ``state`` open, answered or all."""
    tenant_id = db.tenant_id
    where = {"open": "and q.answer is null", "answered": "and q.answer is not null"}.get(state, "")
    count = db.execute(
        text(f"select count(*) from payslip_questions q where q.tenant_id = :tenant {where}"), {"tenant": tenant_id}
    ).scalar_one()
    pages = max(1, -(-count // QUESTIONS_PER_PAGE))
    page = min(max(1, page), pages)
    rows = db.execute(
        text(
            f"""
            select q.id, q.payslip_id, p.run_id, q.worker_id, w.name, w.id_number_masked, p.month, q.question,
                   q.asked_at, q.answer, q.answered_at, q.answered_by
            from payslip_questions q
            join payslips p on p.tenant_id = q.tenant_id and p.id = q.payslip_id
            join workers w on w.tenant_id = q.tenant_id and w.id = q.worker_id
            where q.tenant_id = :tenant {where}
            order by (q.answer is null) desc, q.asked_at desc, q.id desc
            limit :limit offset :offset
            """
        ),
        {"tenant": tenant_id, "limit": QUESTIONS_PER_PAGE, "offset": (page - 1) * QUESTIONS_PER_PAGE},
    )
    return [QuestionRow(**row._mapping) for row in rows], page, pages


def get_question(db: TenantSession, question_id: int) -> PayslipQuestion | None:
    return db.exec(
        select(PayslipQuestion).where(PayslipQuestion.tenant_id == db.tenant_id, PayslipQuestion.id == question_id)
    ).first()


def account_of(db: TenantSession, worker_id: int) -> AssistantAccount | None:
    return db.exec(
        select(AssistantAccount).where(AssistantAccount.tenant_id == db.tenant_id, AssistantAccount.worker_id == worker_id)
    ).first()


def open_invitation(db: TenantSession, worker_id: int) -> AssistantInvitation | None:
    return db.exec(
        select(AssistantInvitation).where(
            AssistantInvitation.tenant_id == db.tenant_id,
            AssistantInvitation.worker_id == worker_id,
            col(AssistantInvitation.used_at).is_(None),
            col(AssistantInvitation.revoked_at).is_(None),
        )
    ).first()


@dataclass(frozen=True)
class AccountState:
    account: AssistantAccount | None
    open_invitation: AssistantInvitation | None

    @property
    def status(self) -> str:
        if self.account is None:
            return "none"
        if not self.account.active:
            return "disabled"
        return "active" if self.account.password_hash else "invited"


def account_state(db: TenantSession, worker_id: int) -> AccountState:
    return AccountState(account_of(db, worker_id), open_invitation(db, worker_id))
