"""The only code that writes client bureaus, their units and establishment
offices.  Every change is audited in the same transaction.

A bureau's name is what sheets and forms match on, so it is unique per
tenant.  Everything else points at the record by id (payroll since migration
0024, assessment scopes and grade campaigns since 0025, the dispatch-cap alert
since 0027, contracts and assessment results since 0028), so renaming a bureau
rewrites nothing else.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlmodel import col, select

from service import clock, events
from service.audit import Actor, record
from service.bureaus import directory
from service.bureaus.bureau_input import BureauInput, Contacts, OfficeInput, UnitInput
from service.bureaus.client_workforce import BUREAU_MAX, parse_headcount
from service.bureaus.events import BureausChanged
from service.bureaus.models import BureauUnit, ClientBureau, EstablishmentOffice, UnitKind
from service.database.ids import id_of
from service.errors import N_, DomainError
from tenants.isolation import TenantSession

_Named = TypeVar("_Named", ClientBureau, BureauUnit, EstablishmentOffice)


def _same_name(db: TenantSession, model: type[_Named], name: str, own_id: int | None, **scope: object) -> _Named | None:
    tenant_id = db.tenant_id
    query = select(model).where(col(model.tenant_id) == tenant_id, col(model.name) == name)
    for column, value in scope.items():
        query = query.where(getattr(model, column) == value)
    found = db.exec(query).first()
    return found if found is not None and found.id != own_id else None


def _check_office(db: TenantSession, office_id: int | None) -> None:
    tenant_id = db.tenant_id
    if office_id is not None and db.get(EstablishmentOffice, (tenant_id, office_id)) is None:
        raise DomainError(N_("Choose a value."), field="establishment_office_id")


def _apply(entity: object, data: object) -> None:
    for name, value in asdict(data.contacts).items():  # type: ignore[attr-defined]
        setattr(entity, name, value)


def create_bureau(db: TenantSession, data: BureauInput, *, actor: Actor) -> ClientBureau:
    tenant_id = db.tenant_id
    if _same_name(db, ClientBureau, data.name, None):
        raise DomainError(N_("A client bureau named {name} already exists."), field="name", name=data.name)
    _check_office(db, data.establishment_office_id)
    bureau = ClientBureau(tenant_id=tenant_id, name=data.name, establishment_office_id=data.establishment_office_id)
    _apply(bureau, data)
    db.add(bureau)
    db.flush()
    record(db, tenant_id, actor, "client_bureau.create", "client_bureau", bureau.id, after=bureau.snapshot())
    return bureau


def update_bureau(db: TenantSession, bureau: ClientBureau, data: BureauInput, *, actor: Actor) -> ClientBureau:
    tenant_id = db.tenant_id
    if _same_name(db, ClientBureau, data.name, bureau.id):
        raise DomainError(N_("A client bureau named {name} already exists."), field="name", name=data.name)
    _check_office(db, data.establishment_office_id)
    before = bureau.snapshot()
    bureau.name = data.name
    bureau.establishment_office_id = data.establishment_office_id
    _apply(bureau, data)
    bureau.updated_at = datetime.now(UTC)
    db.add(bureau)
    db.flush()
    after = bureau.snapshot()
    if after != before:
        record(db, tenant_id, actor, "client_bureau.update", "client_bureau", bureau.id, before=before, after=after)
    return bureau


def create_unit(db: TenantSession, bureau: ClientBureau, data: UnitInput, *, actor: Actor) -> BureauUnit:
    tenant_id = db.tenant_id
    if _same_name(db, BureauUnit, data.name, None, bureau_id=bureau.id):
        raise DomainError(N_("{bureau} already has a unit named {name}."), field="name", bureau=bureau.name, name=data.name)
    unit = BureauUnit(tenant_id=tenant_id, bureau_id=id_of(bureau), name=data.name, kind=data.kind)
    _apply(unit, data)
    db.add(unit)
    db.flush()
    record(db, tenant_id, actor, "bureau_unit.create", "bureau_unit", unit.id, after=unit.snapshot())
    return unit


def update_unit(db: TenantSession, unit: BureauUnit, data: UnitInput, *, actor: Actor) -> BureauUnit:
    tenant_id = db.tenant_id
    if _same_name(db, BureauUnit, data.name, unit.id, bureau_id=unit.bureau_id):
        raise DomainError(N_("This bureau already has a unit named {name}."), field="name", name=data.name)
    before = unit.snapshot()
    unit.name, unit.kind = data.name, data.kind
    _apply(unit, data)
    unit.updated_at = datetime.now(UTC)
    db.add(unit)
    db.flush()
    after = unit.snapshot()
    if after != before:
        record(db, tenant_id, actor, "bureau_unit.update", "bureau_unit", unit.id, before=before, after=after)
    return unit


def create_office(db: TenantSession, data: OfficeInput, *, actor: Actor) -> EstablishmentOffice:
    tenant_id = db.tenant_id
    if _same_name(db, EstablishmentOffice, data.name, None):
        raise DomainError(N_("An establishment office named {name} already exists."), field="name", name=data.name)
    office = EstablishmentOffice(tenant_id=tenant_id, name=data.name)
    _apply(office, data)
    db.add(office)
    db.flush()
    record(db, tenant_id, actor, "establishment_office.create", "establishment_office", office.id, after=office.snapshot())
    return office


def update_office(db: TenantSession, office: EstablishmentOffice, data: OfficeInput, *, actor: Actor) -> EstablishmentOffice:
    tenant_id = db.tenant_id
    if _same_name(db, EstablishmentOffice, data.name, office.id):
        raise DomainError(N_("An establishment office named {name} already exists."), field="name", name=data.name)
    before = office.snapshot()
    office.name = data.name
    _apply(office, data)
    office.updated_at = datetime.now(UTC)
    db.add(office)
    db.flush()
    after = office.snapshot()
    if after != before:
        record(
            db, tenant_id, actor, "establishment_office.update", "establishment_office", office.id, before=before, after=after
        )
    return office


def ensure_assignment(
    db: TenantSession, bureau_name: str, unit_name: str = "", *, actor: Actor
) -> tuple[ClientBureau, BureauUnit | None]:
    """Find the bureau (and unit) by name, creating what is missing (audited).

    For seeding (the demo tenant, test factories) only: forms and sheets never
    create bureaus implicitly.
    """
    empty = Contacts(None, "", "", "", "")
    bureau = _same_name(db, ClientBureau, bureau_name, None)
    if bureau is None:
        bureau = create_bureau(db, BureauInput(bureau_name, empty, None), actor=actor)
    unit = None
    if unit_name:
        unit = _same_name(db, BureauUnit, unit_name, None, bureau_id=bureau.id)
        if unit is None:
            kind = (
                UnitKind.STREET_OFFICE
                if "街道" in unit_name
                else UnitKind.BRIGADE
                if unit_name.endswith("大队")
                else UnitKind.SQUAD
                if unit_name.endswith("中队")
                else UnitKind.OTHER
            )
            unit = create_unit(db, bureau, UnitInput(unit_name, kind, empty), actor=actor)
    return bureau, unit


def set_client_workforce(
    db: TenantSession,
    client_bureau: str,
    direct_headcount: int | str,
    cap_warning: bool,
    today: date | None = None,
    *,
    actor: Actor,
) -> ClientBureau:
    """Record (or change) a bureau's direct-contract headcount and cap-warning setting.

    Refused with a DomainError (nothing written): a headcount that is not a
    whole number from 0, or a name that is not a recorded client bureau.
    Then the bureau's dispatch-cap alert is recomputed, before the commit.
    """
    tenant_id = db.tenant_id
    client_bureau = (client_bureau or "").strip()
    headcount = parse_headcount(direct_headcount)
    entry = directory.bureau_by_name(db, client_bureau) if client_bureau and len(client_bureau) <= BUREAU_MAX else None
    if entry is None:
        raise DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=client_bureau[:BUREAU_MAX])
    before = {"direct_headcount": entry.direct_headcount, "cap_warning": entry.cap_warning}
    entry.direct_headcount = headcount
    entry.cap_warning = bool(cap_warning)
    entry.updated_at = datetime.now(UTC)
    db.add(entry)
    db.flush()
    after = {"direct_headcount": entry.direct_headcount, "cap_warning": entry.cap_warning}
    if before != after:
        record(db, tenant_id, actor, "client_workforce.set", "client_bureau", entry.id, before=before, after=after)
    events.record(db, BureausChanged(tenant_id, (id_of(entry),), today or clock.today()))
    return entry
