"""``special_deductions.Declarations`` to and from the jsonb stored in ``tax_declarations`` (pure).

Reading back builds the dataclasses again, so the pure rules validate every
stored declaration the same way as a newly entered one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from service.payroll.tax.special_deductions import (
    Child,
    Declarations,
    ElderlySupport,
    ParentShare,
    Period,
    Rent,
    RentTier,
)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _period(period: Period | None) -> dict[str, Any] | None:
    return None if period is None else {"start": period.start.isoformat(), "end": _day(period.end)}


def _period_from(data: dict[str, Any] | None) -> Period | None:
    if data is None:
        return None
    return Period(date.fromisoformat(data["start"]), date.fromisoformat(data["end"]) if data["end"] else None)


def to_json(declarations: Declarations) -> dict[str, Any]:
    elderly = declarations.elderly_support
    rent = declarations.rent
    return {
        "year": declarations.year,
        "children": [
            {"birth_date": c.birth_date.isoformat(), "share": c.share.value, "in_education": c.in_education}
            for c in declarations.children
        ],
        "elderly_support": None
        if elderly is None
        else {
            "oldest_parent_birth_date": elderly.oldest_parent_birth_date.isoformat(),
            "only_child": elderly.only_child,
            "sibling_share": None if elderly.sibling_share is None else str(elderly.sibling_share),
        },
        "degree_study": _period(declarations.degree_study),
        "certificates": [d.isoformat() for d in declarations.certificates],
        "housing_loan": _period(declarations.housing_loan),
        "rent": None if rent is None else {"tier": rent.tier.value, "period": _period(rent.period)},
    }


def from_json(data: dict[str, Any]) -> Declarations:
    elderly = data.get("elderly_support")
    rent = data.get("rent")
    return Declarations(
        year=data["year"],
        children=tuple(
            Child(date.fromisoformat(c["birth_date"]), ParentShare(c["share"]), c["in_education"])
            for c in data.get("children", [])
        ),
        elderly_support=None
        if elderly is None
        else ElderlySupport(
            date.fromisoformat(elderly["oldest_parent_birth_date"]),
            elderly["only_child"],
            None if elderly["sibling_share"] is None else Decimal(elderly["sibling_share"]),
        ),
        degree_study=_period_from(data.get("degree_study")),
        certificates=tuple(date.fromisoformat(d) for d in data.get("certificates", [])),
        housing_loan=_period_from(data.get("housing_loan")),
        rent=None if rent is None else Rent(RentTier(rent["tier"]), _period_from(rent["period"])),  # type: ignore[arg-type]
    )
