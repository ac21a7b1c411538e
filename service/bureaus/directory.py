"""Reading client bureaus, their units and establishment offices, and turning
a bureau's and unit's *names* (as typed on a form or written in a sheet) into
the records' ids.  Nothing here writes; nothing is created implicitly: an
unknown name is an error on its field."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text
from sqlmodel import select

from service.bureaus.client_workforce import DISPATCHED_STATUSES, BureauWorkforce
from service.bureaus.models import NAME_MAX, BureauUnit, ClientBureau, EstablishmentOffice
from service.database.ids import id_of
from service.errors import N_, DomainError, InputErrors
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class Assignments:
    """Every bureau of a tenant by name, each with its units by name."""

    bureaus: dict[str, int] = field(default_factory=dict)
    units: dict[int, dict[str, int]] = field(default_factory=dict)

    def resolve(self, bureau: str, unit: str) -> tuple[int, int | None]:
        """(bureau_id, unit_id or None); a list of DomainErrors (fields client_bureau, unit) when unknown."""
        bureau, unit = (bureau or "").strip(), (unit or "").strip()
        bureau_id = self.bureaus.get(bureau)
        if bureau_id is None:
            raise AssignmentErrors(
                [DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=bureau[:80])]
            )
        if not unit:
            return bureau_id, None
        unit_id = self.units.get(bureau_id, {}).get(unit)
        if unit_id is None:
            raise AssignmentErrors(
                [DomainError(N_("{bureau} has no unit named {name}."), field="unit", bureau=bureau, name=unit[:80])]
            )
        return bureau_id, unit_id


class AssignmentErrors(InputErrors):
    """A bureau or unit name no record has: a refusal of the input, each problem on its field."""


def load_assignments(db: TenantSession) -> Assignments:
    tenant_id = db.tenant_id
    bureaus = {b.name: id_of(b) for b in db.exec(select(ClientBureau).where(ClientBureau.tenant_id == tenant_id))}
    units: dict[int, dict[str, int]] = {}
    for unit in db.exec(select(BureauUnit).where(BureauUnit.tenant_id == tenant_id)):
        units.setdefault(unit.bureau_id, {})[unit.name] = id_of(unit)
    return Assignments(bureaus, units)


def bureaus(db: TenantSession) -> list[ClientBureau]:
    tenant_id = db.tenant_id
    return list(db.exec(select(ClientBureau).where(ClientBureau.tenant_id == tenant_id).order_by(ClientBureau.name)).all())


def bureau_names(db: TenantSession) -> list[str]:
    tenant_id = db.tenant_id
    return list(db.exec(select(ClientBureau.name).where(ClientBureau.tenant_id == tenant_id).order_by(ClientBureau.name)).all())


def unit_names(db: TenantSession, bureau_id: int | None = None) -> list[str]:
    tenant_id = db.tenant_id
    query = select(BureauUnit.name).where(BureauUnit.tenant_id == tenant_id)
    if bureau_id is not None:
        query = query.where(BureauUnit.bureau_id == bureau_id)
    return sorted(set(db.exec(query).all()))


def get_bureau(db: TenantSession, bureau_id: int) -> ClientBureau | None:
    tenant_id = db.tenant_id
    return db.get(ClientBureau, (tenant_id, bureau_id))


def bureau_by_name(db: TenantSession, name: str) -> ClientBureau | None:
    tenant_id = db.tenant_id
    return db.exec(
        select(ClientBureau).where(ClientBureau.tenant_id == tenant_id, ClientBureau.name == (name or "").strip())
    ).first()


def scope_id(db: TenantSession, name: str, field: str = "client_bureau") -> int | None:
    """The id of the bureau a form names as a scope; an empty name is None (every bureau).

    Forms keep offering bureaus by name; an unknown name is refused on ``field``."""
    name = (name or "").strip()
    if not name:
        return None
    bureau = bureau_by_name(db, name)
    if bureau is None:
        raise DomainError(N_("There is no client bureau named {name}."), field=field, name=name[:NAME_MAX])
    return id_of(bureau)


def units_of(db: TenantSession, bureau_id: int) -> list[BureauUnit]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(BureauUnit)
            .where(BureauUnit.tenant_id == tenant_id, BureauUnit.bureau_id == bureau_id)
            .order_by(BureauUnit.kind, BureauUnit.name)
        ).all()
    )


def get_unit(db: TenantSession, unit_id: int) -> BureauUnit | None:
    tenant_id = db.tenant_id
    return db.get(BureauUnit, (tenant_id, unit_id))


def offices(db: TenantSession) -> list[EstablishmentOffice]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(EstablishmentOffice).where(EstablishmentOffice.tenant_id == tenant_id).order_by(EstablishmentOffice.name)
        ).all()
    )


def get_office(db: TenantSession, office_id: int) -> EstablishmentOffice | None:
    tenant_id = db.tenant_id
    return db.get(EstablishmentOffice, (tenant_id, office_id))


def worker_counts(db: TenantSession) -> dict[int, int]:
    """Workers (any status) per bureau id (the workforce package builds on bureaus: plain SQL here)."""
    tenant_id = db.tenant_id
    return dict(
        db.execute(
            text("select bureau_id, count(*) from workers where tenant_id = :t group by bureau_id"), {"t": tenant_id}
        ).fetchall()
    )


def workforce_rows(db: TenantSession, today: date) -> list[BureauWorkforce]:
    """Every client bureau, with its dispatched count and recorded figure."""
    tenant_id = db.tenant_id
    dispatched = count_dispatched(db, today)
    return [
        BureauWorkforce(
            client_bureau=b.name,
            dispatched=dispatched.get(id_of(b), 0),
            direct_headcount=b.direct_headcount,
            cap_warning=b.cap_warning,
            bureau_id=b.id,
        )
        for b in db.exec(select(ClientBureau).where(ClientBureau.tenant_id == tenant_id).order_by(ClientBureau.name))
    ]


def count_dispatched(db: TenantSession, today: date, bureau_ids: Collection[int] | None = None) -> dict[int, int]:
    """Dispatched workers per client bureau id (every bureau, or ``bureau_ids`` only).

    One grouped count over the index ``workers_filters (tenant_id, status,
    bureau_id, ...)``.
    """
    tenant_id = db.tenant_id
    if bureau_ids is not None and not bureau_ids:
        return {}
    sql = (
        "select w.bureau_id, count(*) from workers w"
        " where w.tenant_id = :t and w.status = any(cast(:statuses as text[])) and w.hire_date <= :today"
    )
    if bureau_ids is not None:
        sql += " and w.bureau_id = any(cast(:ids as bigint[]))"
    sql += " group by w.bureau_id"
    params = {"t": tenant_id, "statuses": list(DISPATCHED_STATUSES), "today": today, "ids": sorted(bureau_ids or ())}
    return dict(db.execute(text(sql), params).fetchall())
