"""The only code that writes city reference figures; every change is audited.

A version is never deleted: a new figure is a new version from its effective
date, and a typing error is corrected in place with the before/after in the
audit trail.  Rules read ``in_force`` (or the pure
``reference.version_in_force`` over ``all_versions``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from service import clock, events
from service.audit import SYSTEM, Actor, record, record_many
from service.cities.events import CityFiguresChanged
from service.cities.models import CityParameter
from service.cities.reference import REFERENCE, CityFigures
from service.cities.version_input import CityVersionInput
from service.errors import N_, DomainError
from tenants.isolation import TenantSession


def snapshot(parameter: CityParameter) -> dict:
    return {
        "city": parameter.city,
        "effective_from": parameter.effective_from.isoformat(),
        "minimum_wage_monthly": str(parameter.minimum_wage_monthly),
        "minimum_wage_hourly": str(parameter.minimum_wage_hourly),
        "average_wage_monthly": str(parameter.average_wage_monthly),
        "source": parameter.source,
        "housing_fund_start": parameter.housing_fund_start,
    }


def figures(parameter: CityParameter) -> CityFigures:
    return CityFigures(
        city=parameter.city,
        effective_from=parameter.effective_from,
        minimum_wage_monthly=parameter.minimum_wage_monthly,
        minimum_wage_hourly=parameter.minimum_wage_hourly,
        average_wage_monthly=parameter.average_wage_monthly,
        source=parameter.source,
        housing_fund_start=parameter.housing_fund_start,
    )


def seed_reference(db: TenantSession, *, actor: Actor = SYSTEM) -> int:
    """Give the tenant the reference figures (``reference.REFERENCE``).

    Called when a tenant is created; versions the tenant already has (same
    city and effective date) are left alone, so calling it again adds only
    what is missing.  Returns the number of versions added.
    """
    tenant_id = db.tenant_id
    existing = {
        (city, effective)
        for city, effective in db.exec(
            select(col(CityParameter.city), col(CityParameter.effective_from)).where(CityParameter.tenant_id == tenant_id)
        )
    }
    rows: list[dict[str, Any]] = [  # the table's columns, for one multi-row INSERT
        {
            "tenant_id": tenant_id,
            "city": f.city,
            "effective_from": f.effective_from,
            "minimum_wage_monthly": f.minimum_wage_monthly,
            "minimum_wage_hourly": f.minimum_wage_hourly,
            "average_wage_monthly": f.average_wage_monthly,
            "source": f.source,
            "housing_fund_start": f.housing_fund_start,
        }
        for f in REFERENCE
        if (f.city, f.effective_from) not in existing
    ]
    if not rows:
        return 0
    # Matched back by (city, effective date): RETURNING order is not a promise.
    returned = db.execute(
        insert(CityParameter).returning(col(CityParameter.city), col(CityParameter.effective_from), col(CityParameter.id)), rows
    ).all()
    ids = {(city, effective): i for city, effective, i in returned}
    record_many(
        db,
        tenant_id,
        actor,
        "city_parameter.seed",
        "city_parameter",
        [(ids[(row["city"], row["effective_from"])], None, snapshot(CityParameter(**row))) for row in rows],
    )
    return len(rows)


def _refuse_duplicate(db: TenantSession, city: str, effective_from: date, own_id: int | None) -> None:
    clash = db.exec(
        select(CityParameter.id).where(
            CityParameter.tenant_id == db.tenant_id,
            CityParameter.city == city,
            CityParameter.effective_from == effective_from,
        )
    ).first()
    if clash is not None and clash != own_id:
        raise DomainError(
            N_("{city} already has figures from {effective_from}: correct that version instead."),
            field="effective_from",
            city=city,
            effective_from=effective_from,
        )


def _refuse_non_positive(data: CityVersionInput) -> None:
    # The form parser refuses these already; callers outside it get the same answer.
    for field in ("minimum_wage_monthly", "minimum_wage_hourly", "average_wage_monthly"):
        if getattr(data, field) <= 0:
            raise DomainError(N_("The amount must be more than zero."), field=field)


def add_version(db: TenantSession, data: CityVersionInput, *, actor: Actor) -> CityParameter:
    """A new version of a city's figures from ``data.effective_from`` on."""
    tenant_id = db.tenant_id
    _refuse_non_positive(data)
    _refuse_duplicate(db, data.city, data.effective_from, None)
    parameter = CityParameter(tenant_id=tenant_id, **data.__dict__)
    db.add(parameter)
    db.flush()
    record(db, tenant_id, actor, "city_parameter.create", "city_parameter", parameter.id, after=snapshot(parameter))
    _recompute_city(db, data.city)
    return parameter


def correct_version(db: TenantSession, parameter: CityParameter, data: CityVersionInput, *, actor: Actor) -> CityParameter:
    """Correct a version in place (a typing error); the city stays the same."""
    if data.city != parameter.city:
        raise DomainError(N_("A version cannot move to another city."), field="city")
    _refuse_non_positive(data)
    _refuse_duplicate(db, parameter.city, data.effective_from, parameter.id)
    before = snapshot(parameter)
    for name, value in data.__dict__.items():
        setattr(parameter, name, value)
    db.add(parameter)
    db.flush()
    after = snapshot(parameter)
    if after != before:
        record(db, db.tenant_id, actor, "city_parameter.correct", "city_parameter", parameter.id, before=before, after=after)
        _recompute_city(db, parameter.city)
    return parameter


def _recompute_city(db: TenantSession, city: str) -> None:
    """The city's figures feed the probation-pay rule: its workers' alerts are recomputed before the commit."""
    events.record(db, CityFiguresChanged(db.tenant_id, city, clock.today()))


def get_version(db: TenantSession, parameter_id: int) -> CityParameter | None:
    return db.exec(
        select(CityParameter).where(CityParameter.tenant_id == db.tenant_id, CityParameter.id == parameter_id)
    ).first()


def all_versions(db: TenantSession) -> list[CityParameter]:
    """Every version of every city, by city then newest first."""
    return list(
        db.exec(
            select(CityParameter)
            .where(CityParameter.tenant_id == db.tenant_id)
            .order_by(col(CityParameter.city), col(CityParameter.effective_from).desc())
        ).all()
    )


def history(db: TenantSession, city: str) -> list[CityParameter]:
    """The city's versions, newest first."""
    return list(
        db.exec(
            select(CityParameter)
            .where(CityParameter.tenant_id == db.tenant_id, CityParameter.city == city)
            .order_by(col(CityParameter.effective_from).desc())
        ).all()
    )


def in_force(db: TenantSession, city: str, on: date) -> CityParameter | None:
    """The city's version in force on ``on``: the latest effective on or before it."""
    return db.exec(
        select(CityParameter)
        .where(
            CityParameter.tenant_id == db.tenant_id,
            CityParameter.city == city,
            CityParameter.effective_from <= on,
        )
        .order_by(col(CityParameter.effective_from).desc())
        .limit(1)
    ).first()
