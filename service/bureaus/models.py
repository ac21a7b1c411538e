"""Client bureaus as records: the bureau, its units (brigades, squads, street
offices) and the establishment office (编办) that grades its assistants.

Workers point at a bureau and optionally one of its units (``workers.bureau_id``,
``workers.unit_id``; composite keys with tenant_id, migration 0016).  The
bureau also carries its direct-contract headcount for the 10% dispatch cap
(it was ``client_workforce`` before 0016).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from sqlalchemy import BigInteger, Column, DateTime, Identity, Integer, Numeric, SmallInteger, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import column_property
from sqlmodel import Field, SQLModel, col

from service.database.types import enum_column, now_by_default
from service.errors import N_

NAME_MAX = 80


class UnitKind(str, Enum):
    BRIGADE = "brigade"  # 大队
    SQUAD = "squad"  # 中队
    STREET_OFFICE = "street_office"  # 街道办事处
    OTHER = "other"


UNIT_KIND_LABELS: dict[Enum, str] = {
    UnitKind.BRIGADE: N_("Brigade"),
    UnitKind.SQUAD: N_("Squad"),
    UnitKind.STREET_OFFICE: N_("Street office"),
    UnitKind.OTHER: N_("Other unit"),
}


class Contactable(SQLModel):
    """Where an office, a bureau or one of its units is, and whom to call there."""

    city: str | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    address: str = ""

    def contact_snapshot(self) -> dict:
        return {
            "city": self.city,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
            "contact_email": self.contact_email,
            "address": self.address,
        }


class EstablishmentOffice(Contactable, table=True):
    __tablename__ = "establishment_offices"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    name: str
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {"name": self.name, **self.contact_snapshot()}


class ClientBureau(Contactable, table=True):
    __tablename__ = "client_bureaus"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    name: str
    establishment_office_id: int | None = Field(default=None, sa_type=BigInteger)
    direct_headcount: int | None = None  # the unit's own workforce, for the 10% cap; None: not recorded
    cap_warning: bool = True  # off where the cap's reach over a state organ is doubted (labor-law-cn.md §4)
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            **self.contact_snapshot(),
            "establishment_office_id": self.establishment_office_id,
            "direct_headcount": self.direct_headcount,
            "cap_warning": self.cap_warning,
        }


def map_bureau_name(model: type[SQLModel], attribute: str = "client_bureau") -> None:
    """Give a table with ``bureau_id`` the bureau's name as a read-only attribute.

    Loaded with the row (a correlated subquery) and usable in queries
    (``Model.client_bureau == name``); written only through ``bureau_id``.  A
    null ``bureau_id`` reads as None.  Declare it on the model under
    ``TYPE_CHECKING`` as ``ClassVar[Mapped[str | None]]`` for the type checker.
    """
    mapper = sa_inspect(model)
    columns = mapper.local_table.c
    mapper.add_property(
        attribute,
        column_property(
            select(col(ClientBureau.name))
            .where(col(ClientBureau.tenant_id) == columns.tenant_id, col(ClientBureau.id) == columns.bureau_id)
            .correlate_except(ClientBureau)
            .scalar_subquery()
        ),
    )


class BureauUnit(Contactable, table=True):
    __tablename__ = "bureau_units"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int = Field(sa_type=BigInteger)
    name: str
    kind: UnitKind = Field(default=UnitKind.OTHER, sa_column=enum_column(UnitKind))
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {"bureau_id": self.bureau_id, "name": self.name, "kind": self.kind.value, **self.contact_snapshot()}


# ---------------------------------------------------------------- agreements


class AgreementStatus(str, Enum):
    """draft → signed (→ terminated early).  Whether a signed agreement is in
    force follows from its dates."""

    DRAFT = "draft"
    SIGNED = "signed"
    TERMINATED = "terminated"


class FeeBasis(str, Enum):
    PASS_THROUGH = "pass_through"  # wages + employer contributions passed through, plus a management fee per head
    FIXED = "fixed"  # a fixed price per head per month


class PostNature(str, Enum):
    """LCL Art. 66: dispatch only to temporary, auxiliary or substitute posts."""

    TEMPORARY = "temporary"
    AUXILIARY = "auxiliary"
    SUBSTITUTE = "substitute"


AGREEMENT_LABELS: dict[Enum, str] = {
    AgreementStatus.DRAFT: N_("Draft"),
    AgreementStatus.SIGNED: N_("Signed"),
    AgreementStatus.TERMINATED: N_("Terminated"),
    FeeBasis.PASS_THROUGH: N_("Wages and contributions passed through, plus a management fee per head"),
    FeeBasis.FIXED: N_("Fixed price per head per month"),
    PostNature.TEMPORARY: N_("Temporary post"),
    PostNature.AUXILIARY: N_("Auxiliary post"),
    PostNature.SUBSTITUTE: N_("Substitute post"),
}


def _money_column(nullable: bool = True) -> Column:
    return Column(Numeric(12, 2), nullable=nullable)


class ServiceAgreement(SQLModel, table=True):
    __tablename__ = "service_agreements"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int = Field(sa_type=BigInteger)
    number: str = ""
    start_date: date
    end_date: date
    signed_on: date | None = None
    status: AgreementStatus = Field(default=AgreementStatus.DRAFT, sa_column=enum_column(AgreementStatus, length=12))
    terminated_on: date | None = None
    renews_agreement_id: int | None = Field(default=None, sa_type=BigInteger)
    work_place: str = ""
    working_hours: str = ""
    fee_basis: FeeBasis = Field(default=FeeBasis.PASS_THROUGH, sa_column=enum_column(FeeBasis))
    management_fee: Decimal | None = Field(default=None, sa_column=_money_column())
    fixed_price: Decimal | None = Field(default=None, sa_column=_money_column())
    payment_terms: str = ""
    payment_due_days: int | None = Field(default=None, sa_type=SmallInteger)
    note: str = ""
    created_at: datetime | None = now_by_default()
    updated_at: datetime | None = now_by_default()

    def in_force_on(self, day: date) -> bool:
        if self.status is not AgreementStatus.SIGNED and not (
            self.status is AgreementStatus.TERMINATED and self.terminated_on and day < self.terminated_on
        ):
            return False
        return self.start_date <= day <= self.end_date

    def snapshot(self) -> dict:
        return {
            "bureau_id": self.bureau_id,
            "number": self.number,
            "start_date": self.start_date.isoformat(),
            "end_date": self.end_date.isoformat(),
            "signed_on": self.signed_on.isoformat() if self.signed_on else None,
            "status": self.status.value,
            "terminated_on": self.terminated_on.isoformat() if self.terminated_on else None,
            "renews_agreement_id": self.renews_agreement_id,
            "work_place": self.work_place,
            "working_hours": self.working_hours,
            "fee_basis": self.fee_basis.value,
            "management_fee": None if self.management_fee is None else str(self.management_fee),
            "fixed_price": None if self.fixed_price is None else str(self.fixed_price),
            "payment_terms": self.payment_terms,
            "payment_due_days": self.payment_due_days,
            "note": self.note,
        }


class AgreementPost(SQLModel, table=True):
    __tablename__ = "agreement_posts"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    agreement_id: int = Field(sa_type=BigInteger)
    name: str  # matched against workers' post line
    nature: PostNature = Field(sa_column=enum_column(PostNature, length=12))
    headcount: int
    work_place: str = ""
    fee_basis: FeeBasis | None = Field(  # None: the agreement's basis
        default=None, sa_column=Column(enum_column(FeeBasis).type, nullable=True)
    )
    management_fee: Decimal | None = Field(default=None, sa_column=_money_column())
    fixed_price: Decimal | None = Field(default=None, sa_column=_money_column())

    def snapshot(self) -> dict:
        return {
            "name": self.name,
            "nature": self.nature.value,
            "headcount": self.headcount,
            "work_place": self.work_place,
            "fee_basis": self.fee_basis.value if self.fee_basis else None,
            "management_fee": None if self.management_fee is None else str(self.management_fee),
            "fixed_price": None if self.fixed_price is None else str(self.fixed_price),
        }


class AgreementClause(SQLModel, table=True):
    __tablename__ = "agreement_clauses"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    agreement_id: int = Field(sa_type=BigInteger)
    item: str  # an agreement_terms.Item value
    body: str


# ---------------------------------------------------------------- statements


class StatementStatus(str, Enum):
    """draft → sent → confirmed | disputed → corrected (a new statement replaces it)."""

    DRAFT = "draft"
    SENT = "sent"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    CORRECTED = "corrected"


STATEMENT_LABELS: dict[Enum, str] = {
    StatementStatus.DRAFT: N_("Draft"),
    StatementStatus.SENT: N_("Sent to the bureau"),
    StatementStatus.CONFIRMED: N_("Confirmed"),
    StatementStatus.DISPUTED: N_("Disputed"),
    StatementStatus.CORRECTED: N_("Corrected"),
}


def _total_column() -> Column:
    return Column(Numeric(14, 2), nullable=False)


class BureauStatement(SQLModel, table=True):
    __tablename__ = "bureau_statements"

    tenant_id: uuid.UUID = Field(primary_key=True)
    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(always=True), primary_key=True))
    bureau_id: int = Field(sa_type=BigInteger)
    agreement_id: int = Field(sa_type=BigInteger)
    month: date
    source_run_id: int = Field(sa_type=BigInteger)
    status: StatementStatus = Field(default=StatementStatus.DRAFT, sa_column=enum_column(StatementStatus, length=12))
    corrects_statement_id: int | None = Field(default=None, sa_type=BigInteger)
    worker_count: int = 0
    wages: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    employer_social_insurance: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    employer_housing_fund: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    management_fee: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    fixed_fees: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    adjustment: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    adjustment_note: str = ""
    total: Decimal = Field(default=Decimal("0"), sa_column=_total_column())
    due_on: date | None = None
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    sent_by: str | None = None
    decided_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    decided_by: str | None = None
    dispute_comment: str | None = None
    created_at: datetime | None = now_by_default()

    def snapshot(self) -> dict:
        return {
            "bureau_id": self.bureau_id,
            "agreement_id": self.agreement_id,
            "month": self.month.isoformat()[:7],
            "source_run_id": self.source_run_id,
            "status": self.status.value,
            "corrects_statement_id": self.corrects_statement_id,
            "worker_count": self.worker_count,
            "wages": str(self.wages),
            "employer_social_insurance": str(self.employer_social_insurance),
            "employer_housing_fund": str(self.employer_housing_fund),
            "management_fee": str(self.management_fee),
            "fixed_fees": str(self.fixed_fees),
            "adjustment": str(self.adjustment),
            "adjustment_note": self.adjustment_note,
            "total": str(self.total),
            "dispute_comment": self.dispute_comment,
        }


class BureauStatementLine(SQLModel, table=True):
    __tablename__ = "bureau_statement_lines"

    tenant_id: uuid.UUID = Field(primary_key=True)
    # None until the statement is saved: a line is priced before the statement it belongs to exists.
    statement_id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    position: int = Field(sa_column=Column(Integer, primary_key=True))
    worker_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    worker_name: str
    id_number_masked: str
    post: str
    fee_basis: FeeBasis = Field(sa_column=enum_column(FeeBasis))
    payslip_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    wages: Decimal = Field(sa_column=_money_column(False))
    employer_social_insurance: Decimal = Field(sa_column=_money_column(False))
    employer_housing_fund: Decimal = Field(sa_column=_money_column(False))
    management_fee: Decimal = Field(sa_column=_money_column(False))
    fixed_price: Decimal = Field(sa_column=_money_column(False))
    total: Decimal = Field(sa_column=_money_column(False))
