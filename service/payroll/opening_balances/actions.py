"""The only code that writes opening balances, each change audited in the same transaction.

A balance is put by the sheet import (many workers at once, all or nothing)
or by the per-worker form; both replace the worker's balance of the year and
refuse an as-of month payroll here has published (``rules.published_problem``;
the import checks its rows itself, to number them).  A balance equal to the one
stored changes nothing and is not audited, so a sheet can be imported again.
Changing or removing a balance after later months were published here is
allowed: the cumulative method settles the difference in the next month
calculated, as it does for a published correction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col, select

from service.audit import Actor, Change, record, record_many
from service.database.ids import id_of
from service.errors import N_, DomainError
from service.payroll.opening_balances import queries
from service.payroll.opening_balances.rules import published_problem
from service.payroll.tax.income_tax import OPENING_AMOUNTS, OpeningBalance
from service.payroll.tax.models import OpeningBalanceRow
from service.workforce.models import Worker
from tenants.isolation import TenantSession


class Source(str, Enum):
    IMPORT = "import"
    FORM = "form"


@dataclass(frozen=True)
class Outcome:
    saved: int  # new or changed
    unchanged: int


def _values(balance: OpeningBalance) -> dict[str, object]:
    return {
        "as_of_month": balance.as_of_month,
        "months_employed": balance.months_employed,
        **{name: getattr(balance, name) for name in OPENING_AMOUNTS},
    }


def _snapshot(balance: OpeningBalance) -> dict[str, object]:
    """The audit trail's view: the year and the values, amounts as text."""
    return {"year": balance.year, **{k: str(v) if isinstance(v, Decimal) else v for k, v in _values(balance).items()}}


def put_balances(db: TenantSession, planned: Sequence[tuple[int, OpeningBalance]], *, source: Source, actor: Actor) -> Outcome:
    """Write each (worker id, balance), replacing the worker's balance of that year; the counts."""
    tenant_id = db.tenant_id
    years = sorted({b.year for _, b in planned})
    stored = {
        (row.worker_id, row.year): row
        for row in db.exec(
            select(OpeningBalanceRow).where(
                OpeningBalanceRow.tenant_id == tenant_id,
                col(OpeningBalanceRow.worker_id).in_(sorted({w for w, _ in planned})),
                col(OpeningBalanceRow.year).in_(years),
            )
        )
    }
    changes: list[Change] = []
    values: list[dict[str, object]] = []
    for worker_id, balance in planned:
        before = stored.get((worker_id, balance.year))
        if before is not None and before.balance() == balance:
            continue
        row = {"tenant_id": tenant_id, "worker_id": worker_id, "year": balance.year, **_values(balance)}
        values.append({**row, "source": source.value, "updated_by": actor.label, "updated_at": datetime.now(UTC)})
        changes.append((worker_id, None if before is None else _snapshot(before.balance()), _snapshot(balance)))
    if values:
        statement = pg_insert(OpeningBalanceRow).values(values)
        replaced = {name: statement.excluded[name] for name in values[0] if name not in ("tenant_id", "worker_id", "year")}
        db.execute(statement.on_conflict_do_update(index_elements=["tenant_id", "worker_id", "year"], set_=replaced))
        action = "opening_balance.import" if source is Source.IMPORT else "opening_balance.save"
        record_many(db, tenant_id, actor, action, "worker", changes)
    return Outcome(saved=len(values), unchanged=len(planned) - len(values))


def save_balance(db: TenantSession, worker: Worker, balance: OpeningBalance, *, actor: Actor) -> Outcome:
    """The form's balance for one worker; refused (on the as-of field) for a month published here."""
    worker_id = id_of(worker)
    first = queries.first_published_months(db, [worker_id], [balance.year]).get((worker_id, balance.year))
    problem = published_problem(balance, first)
    if problem is not None:
        raise problem
    return put_balances(db, [(worker_id, balance)], source=Source.FORM, actor=actor)


def remove_balance(db: TenantSession, worker: Worker, year: int, *, actor: Actor) -> None:
    """Remove the worker's balance of ``year`` (entered for the wrong worker or year)."""
    row = queries.balance_of(db, id_of(worker), year, for_update=True)
    if row is None:
        raise DomainError(N_("This worker has no opening balance for {year}."), year=year)
    before = _snapshot(row.balance())
    db.delete(row)
    db.flush()
    record(db, db.tenant_id, actor, "opening_balance.remove", "worker", id_of(worker), before=before)
