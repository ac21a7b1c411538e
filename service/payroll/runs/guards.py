"""The guards on a run's money: four eyes, and pay below the city minimum wage.

**Four eyes.**  The person who calculated a run may neither approve nor
publish it: someone else checks the figures before money leaves.  People are
compared by the actor's kind and id recorded on the run (two system actors
are the same actor).  A run calculated before migration 0031 has no
calculator on record and is approved as before.  A tenant admin may switch the
rule off (``set_four_eyes``), but only while a single active account can run
payroll (administrators and payroll clerks): the rule is waived for a company
with one payroll person, not for convenience.  Switching is audited; the run
pages say plainly when it is off.

**Minimum wage.**  A payslip below the city minimum wage (``minimum_wage``)
is not a warning to click past: approving the run needs a reason for each
such worker (``check_reasons``), stored per run and worker with the shortfall
(``MinimumWageReason``), audited with the approval and shown on the run.
Calculating the run again clears them with the approval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy
from sqlalchemy import CursorResult, delete, func
from sqlmodel import col, select

from service.accounts.models import StaffRole, StaffUser
from service.audit import Actor, record
from service.database.ids import id_of
from service.errors import N_, DomainError, InputErrors
from service.payroll.runs.models import MinimumWageReason, PayrollRun, PayrollSetting, PayslipRow
from service.workforce.models import Worker
from tenants.isolation import TenantSession

REASON_MAX = 500
PAYROLL_ROLES = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)  # who may approve and publish a run


# ---------------------------------------------------------------- four eyes


def four_eyes(db: TenantSession) -> bool:
    """Whether the four-eyes rule holds for the tenant (on unless an admin switched it off)."""
    setting = db.get(PayrollSetting, db.tenant_id)
    return setting is None or setting.four_eyes


def payroll_people(db: TenantSession) -> int:
    """Active staff accounts that may approve and publish payroll runs."""
    return db.exec(
        select(func.count())
        .select_from(StaffUser)
        .where(
            StaffUser.tenant_id == db.tenant_id,
            col(StaffUser.active).is_(True),
            col(StaffUser.role).in_(PAYROLL_ROLES),
        )
    ).one()


def set_four_eyes(db: TenantSession, on: bool, *, actor: Actor) -> None:
    """Switch the four-eyes rule on or off for the tenant; off only with one payroll person."""
    tenant_id = db.tenant_id
    if not on and (people := payroll_people(db)) > 1:
        raise DomainError(
            N_(
                "Four-eyes review can only be switched off when one person does the payroll: {count} active "
                "accounts can approve payroll runs (administrators and payroll clerks)."
            ),
            field="four_eyes",
            count=people,
        )
    setting = db.get(PayrollSetting, tenant_id)
    before = None if setting is None else {"four_eyes": setting.four_eyes}
    if setting is None:
        setting = PayrollSetting(tenant_id=tenant_id, four_eyes=on)
    elif setting.four_eyes == on:
        return
    setting.four_eyes = on
    setting.updated_at = datetime.now(UTC)
    db.add(setting)
    db.flush()
    record(db, tenant_id, actor, "payroll_settings.update", "payroll_settings", None, before=before, after={"four_eyes": on})


def same_actor(kind: str | None, actor_id: int | None, other_kind: str | None, other_id: int | None) -> bool:
    """Whether two recorded actors are one: same kind and id (an unknown one is nobody's)."""
    return kind is not None and kind == other_kind and actor_id == other_id


def calculated_by(run: PayrollRun, actor: Actor) -> bool:
    """Whether ``actor`` calculated the run."""
    return same_actor(run.calculated_by_kind, run.calculated_by_id, actor.kind, actor.id)


def refuse_own_run(db: TenantSession, run: PayrollRun, actor: Actor, *, publishing: bool) -> None:
    """The four-eyes rule: refuse the calculating clerk's approval or publication while it holds."""
    if not calculated_by(run, actor) or not four_eyes(db):
        return
    if publishing:
        message = N_(
            "You calculated this run, so you cannot publish it: four-eyes review needs another payroll clerk "
            "or an administrator to approve and publish it."
        )
    else:
        message = N_(
            "You calculated this run, so you cannot approve it: four-eyes review needs another payroll clerk "
            "or an administrator to approve and publish it."
        )
    raise DomainError(message, field="status")


# ---------------------------------------------------------------- minimum wage


@dataclass(frozen=True)
class BelowMinimum:
    """A worker of the run paid below the city minimum wage."""

    worker_id: int
    name: str
    gross_pay: Decimal
    shortfall: Decimal

    @property
    def field(self) -> str:
        """The approval form's field for this worker's reason."""
        return reason_field(self.worker_id)


def reason_field(worker_id: int) -> str:
    return f"reason_{worker_id}"


def below_minimum(db: TenantSession, run_id: int) -> list[BelowMinimum]:
    """Every worker of the run paid below the minimum wage, by name."""
    # Four columns: more than sqlmodel's select() has typed overloads for.
    rows = db.execute(
        sqlalchemy.select(
            col(PayslipRow.worker_id), col(Worker.name), col(PayslipRow.gross_pay), col(PayslipRow.minimum_wage_shortfall)
        )
        .join(Worker, (col(Worker.tenant_id) == PayslipRow.tenant_id) & (col(Worker.id) == PayslipRow.worker_id))
        .where(
            col(PayslipRow.tenant_id) == db.tenant_id,
            col(PayslipRow.run_id) == run_id,
            col(PayslipRow.minimum_wage_ok).is_(False),
        )
        .order_by(col(Worker.name), col(PayslipRow.worker_id))
    ).all()
    return [BelowMinimum(worker_id, name, gross, shortfall) for worker_id, name, gross, shortfall in rows]


def check_reasons(cases: list[BelowMinimum], reasons: Mapping[int, str]) -> dict[int, str]:
    """Pure: a reason for every case, or InputErrors naming each case without one (the first error,
    without a field, says why the run was not approved).  Reasons for other workers are ignored."""
    given: dict[int, str] = {}
    errors: list[DomainError] = []
    for case in cases:
        reason = (reasons.get(case.worker_id) or "").strip()
        if not reason:
            errors.append(
                DomainError(
                    N_("Give the reason {name} may be paid {shortfall} yuan below the minimum wage."),
                    field=case.field,
                    name=case.name,
                    shortfall=f"{case.shortfall:,.2f}",
                )
            )
        elif len(reason) > REASON_MAX:
            errors.append(DomainError(N_("At most {max} characters."), field=case.field, max=REASON_MAX))
        else:
            given[case.worker_id] = reason
    if errors:
        summary = DomainError(
            N_(
                "The run was not approved: {count} workers are paid below the city minimum wage. Give the reason for "
                "each of them, or correct their pay and calculate the run again."
            ),
            count=len(cases),
        )
        raise InputErrors([summary, *errors])
    return given


def keep_reasons(
    db: TenantSession, run: PayrollRun, cases: list[BelowMinimum], given: dict[int, str], *, actor: Actor
) -> list[dict]:
    """Store the approver's reasons for the run; returns them as the audit entry shows them."""
    rows = [
        MinimumWageReason(
            tenant_id=db.tenant_id,
            run_id=id_of(run),
            worker_id=case.worker_id,
            shortfall=case.shortfall,
            reason=given[case.worker_id],
            given_by=actor.label,
        )
        for case in cases
    ]
    db.add_all(rows)
    db.flush()
    return [
        {"worker_id": case.worker_id, "name": case.name, "shortfall": str(case.shortfall), "reason": given[case.worker_id]}
        for case in cases
    ]


def clear_reasons(db: TenantSession, run_id: int) -> int:
    """Drop the run's reasons (its approval is gone); returns how many there were."""
    result = db.execute(
        delete(MinimumWageReason).where(
            col(MinimumWageReason.tenant_id) == db.tenant_id, col(MinimumWageReason.run_id) == run_id
        )
    )
    return cast("CursorResult[Any]", result).rowcount or 0


@dataclass(frozen=True)
class GivenReason:
    worker_id: int
    name: str
    shortfall: Decimal
    reason: str
    given_by: str
    given_at: datetime | None


def reasons_of(db: TenantSession, run_id: int) -> list[GivenReason]:
    """The reasons the run was approved with, by worker name."""
    rows = db.exec(
        select(MinimumWageReason, Worker.name)
        .join(Worker, (col(Worker.tenant_id) == MinimumWageReason.tenant_id) & (col(Worker.id) == MinimumWageReason.worker_id))
        .where(MinimumWageReason.tenant_id == db.tenant_id, MinimumWageReason.run_id == run_id)
        .order_by(col(Worker.name), col(MinimumWageReason.worker_id))
    ).all()
    return [GivenReason(r.worker_id, name, r.shortfall, r.reason, r.given_by, r.given_at) for r, name in rows]
