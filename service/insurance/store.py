"""Stored policies: ``CityPolicy`` <-> jsonb and the version in force (the seed is written by ``actions.seed_policies``).

The jsonb is exact: every Decimal is written as its string and read back with
``Decimal(str)``, rounding rules as their ``Rounding`` values, so
``from_json(to_json(p), p.disputed) == p`` for every policy.  ``disputed``
lives in its own column, the rest of the policy in ``policy``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import col, select

from service.insurance.models import InsurancePolicy, InsuranceSetting
from service.insurance.policy import CityPolicy, HousingFundRule, Limits, Scheme
from service.money import Rounding
from tenants.isolation import TenantSession

SEED_SOURCE = "参考资料第2.2节（缴费基数、费率）、第2.3节（舍入规则）；存疑项见各条说明，使用前请向当地经办机构核实"


def _limits_json(limits: Limits) -> dict[str, str]:
    return {"lower": str(limits.lower), "upper": str(limits.upper)}


def _limits(data: dict[str, str]) -> Limits:
    return Limits(Decimal(data["lower"]), Decimal(data["upper"]))


def _scheme_json(scheme: Scheme | None) -> dict[str, str] | None:
    if scheme is None:
        return None
    return {
        "employer_rate": str(scheme.employer_rate),
        "employee_rate": str(scheme.employee_rate),
        "employee_fixed": str(scheme.employee_fixed),
        "employer_rounding": scheme.employer_rounding.value,
        "employee_rounding": scheme.employee_rounding.value,
    }


def _scheme(data: dict[str, str]) -> Scheme:
    return Scheme(
        employer_rate=Decimal(data["employer_rate"]),
        employee_rate=Decimal(data["employee_rate"]),
        employee_fixed=Decimal(data["employee_fixed"]),
        employer_rounding=Rounding(data["employer_rounding"]),
        employee_rounding=Rounding(data["employee_rounding"]),
    )


def to_json(policy: CityPolicy) -> dict[str, Any]:
    """Everything but ``disputed`` (stored in its own column)."""
    hf = policy.housing_fund
    return {
        "city": policy.city,
        "effective": policy.effective.isoformat(),
        "si_base": _limits_json(policy.si_base),
        "pension": _scheme_json(policy.pension),
        "medical": _scheme_json(policy.medical),
        "unemployment": _scheme_json(policy.unemployment),
        "maternity": _scheme_json(policy.maternity),
        "work_injury_rounding": policy.work_injury_rounding.value,
        "housing_fund": {
            "base": _limits_json(hf.base),
            "rates": _limits_json(hf.rates),
            "rounding": hf.rounding.value,
        },
    }


def from_json(data: dict[str, Any], disputed: list[str] | tuple[str, ...] = ()) -> CityPolicy:
    """The policy back, checked again by ``CityPolicy.__post_init__``."""
    hf = data["housing_fund"]
    return CityPolicy(
        city=data["city"],
        effective=date.fromisoformat(data["effective"]),
        si_base=_limits(data["si_base"]),
        pension=_scheme(data["pension"]),
        medical=_scheme(data["medical"]),
        unemployment=_scheme(data["unemployment"]),
        maternity=None if data.get("maternity") is None else _scheme(data["maternity"]),
        work_injury_rounding=Rounding(data["work_injury_rounding"]),
        housing_fund=HousingFundRule(base=_limits(hf["base"]), rates=_limits(hf["rates"]), rounding=Rounding(hf["rounding"])),
        disputed=tuple(disputed),
    )


def policy_of(row: InsurancePolicy) -> CityPolicy:
    return from_json(row.policy, row.disputed)


def snapshot(row: InsurancePolicy) -> dict[str, Any]:
    return {
        "city": row.city,
        "effective_from": row.effective_from.isoformat(),
        "policy": row.policy,
        "disputed": list(row.disputed),
        "source": row.source,
    }


def all_versions(db: TenantSession) -> list[InsurancePolicy]:
    """Every stored version, by city then newest first."""
    return list(
        db.exec(
            select(InsurancePolicy)
            .where(InsurancePolicy.tenant_id == db.tenant_id)
            .order_by(col(InsurancePolicy.city), col(InsurancePolicy.effective_from).desc())
        ).all()
    )


def row_in_force(db: TenantSession, city: str, on: date) -> InsurancePolicy | None:
    return db.exec(
        select(InsurancePolicy)
        .where(
            InsurancePolicy.tenant_id == db.tenant_id,
            InsurancePolicy.city == city,
            InsurancePolicy.effective_from <= on,
        )
        .order_by(col(InsurancePolicy.effective_from).desc())
        .limit(1)
    ).first()


def policy_in_force(db: TenantSession, city: str, on: date) -> CityPolicy | None:
    """The city's policy in force on ``on`` (the latest effective on or before it), or None."""
    row = row_in_force(db, city, on)
    return None if row is None else policy_of(row)


def setting_for(db: TenantSession, city: str) -> InsuranceSetting | None:
    """The tenant's own rates for the city (work injury, housing fund), if it set any."""
    return db.exec(
        select(InsuranceSetting).where(InsuranceSetting.tenant_id == db.tenant_id, InsuranceSetting.city == city)
    ).first()
