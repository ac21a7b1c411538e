"""The only code that writes the tenant's insurance settings and workers'
contribution bases; every change is audited in the same transaction.

Policies themselves are seeded (``seed_policies``, audited like the rest); the tenant chooses,
per city, its housing-fund rate within the city's range and the work-injury
rate its risk class was given.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from service import clock
from service.audit import SYSTEM, Actor, record, record_many
from service.errors import N_, DomainError
from service.insurance.cities import POLICIES
from service.insurance.inputs import RateErrors
from service.insurance.models import InsurancePolicy, InsuranceSetting
from service.insurance.store import SEED_SOURCE, policy_in_force, setting_for, snapshot, to_json
from service.insurance.worker_contributions import check_rates
from service.workforce.contracts.input import MAXIMUM_MONTHLY_WAGE
from service.workforce.models import Worker
from tenants.isolation import TenantSession


def seed_policies(db: TenantSession, *, actor: Actor = SYSTEM) -> int:
    """Give the tenant the reference policies (``cities.POLICIES``).

    Versions the tenant already has (same city and effective date) are left
    alone, so seeding again adds only what is missing.  Returns how many were added.
    """
    tenant_id = db.tenant_id
    existing = set(
        db.exec(
            select(col(InsurancePolicy.city), col(InsurancePolicy.effective_from)).where(InsurancePolicy.tenant_id == tenant_id)
        ).all()
    )
    rows: list[dict[str, Any]] = [  # the table's columns, for one multi-row INSERT
        {
            "tenant_id": tenant_id,
            "city": p.city,
            "effective_from": p.effective,
            "policy": to_json(p),
            "disputed": list(p.disputed),
            "source": SEED_SOURCE,
        }
        for p in POLICIES
        if (p.city, p.effective) not in existing
    ]
    if not rows:
        return 0
    # Matched back by (city, effective date): RETURNING order is not a promise.
    returned = db.execute(
        insert(InsurancePolicy).returning(
            col(InsurancePolicy.city), col(InsurancePolicy.effective_from), col(InsurancePolicy.id)
        ),
        rows,
    ).all()
    ids = {(city, effective): i for city, effective, i in returned}
    record_many(
        db,
        tenant_id,
        actor,
        "insurance_policy.seed",
        "insurance_policy",
        [(ids[(row["city"], row["effective_from"])], None, snapshot(InsurancePolicy(**row))) for row in rows],
    )
    return len(rows)


def all_settings(db: TenantSession) -> dict[str, InsuranceSetting]:
    return {s.city: s for s in db.exec(select(InsuranceSetting).where(InsuranceSetting.tenant_id == db.tenant_id))}


def set_rates(
    db: TenantSession,
    city: str,
    housing_fund_rate: Decimal | None,
    work_injury_rate: Decimal | None,
    on: date | None = None,
    *,
    actor: Actor,
) -> InsuranceSetting:
    """Choose the tenant's rates in ``city`` (None = not chosen), checked
    against the city's policy in force on ``on`` (today by default)."""
    tenant_id = db.tenant_id
    on = on or clock.today()
    policy = policy_in_force(db, city, on)
    if policy is None:
        raise DomainError(N_("No insurance policy for {city} is in force on {on}."), field="city", city=city, on=on.isoformat())
    errors = check_rates(policy, housing_fund_rate, work_injury_rate)
    if errors:
        raise RateErrors(errors)
    setting = setting_for(db, city)
    before = None if setting is None else setting.snapshot()
    if setting is None:
        setting = InsuranceSetting(tenant_id=tenant_id, city=city)
    setting.housing_fund_rate = housing_fund_rate
    setting.work_injury_rate = work_injury_rate
    setting.updated_at = datetime.now(UTC)
    db.add(setting)
    db.flush()
    after = setting.snapshot()
    if after != before:
        action = "insurance_setting.create" if before is None else "insurance_setting.update"
        record(db, tenant_id, actor, action, "insurance_setting", setting.id, before=before, after=after)
    return setting


def set_contribution_base(db: TenantSession, worker: Worker, base: Decimal | None, *, actor: Actor) -> Worker:
    """Declare the worker's monthly contribution base (None = the city average).
    Nothing else is recomputed: contributions are computed when they are read."""
    if base is not None and base <= 0:
        raise DomainError(N_("The amount must be more than zero."), field="contribution_base")
    if base is not None and base > MAXIMUM_MONTHLY_WAGE:  # and numeric(12, 2) would overflow at 10^10
        raise DomainError(N_("The amount is too large."), field="contribution_base")
    before = {"contribution_base": None if worker.contribution_base is None else str(worker.contribution_base)}
    worker.contribution_base = base
    worker.updated_at = datetime.now(UTC)
    db.add(worker)
    db.flush()
    after = {"contribution_base": None if base is None else str(base)}
    if after != before:
        record(db, db.tenant_id, actor, "worker.contribution_base", "worker", worker.id, before=before, after=after)
    return worker
