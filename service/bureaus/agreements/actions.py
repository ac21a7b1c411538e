"""Service agreements (劳务派遣协议): the only code that writes them (audited).

An agreement is edited while it is a draft; signing freezes it (a change is a
renewal or a new agreement).  Two signed agreements of one bureau may not
overlap: the statement of a month must know which terms apply.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete
from sqlmodel import col, select

from service.audit import Actor, record
from service.bureaus.agreements.inputs import AgreementInput, PostInput
from service.bureaus.agreements.queries import agreements_of, clauses_of, posts_of
from service.bureaus.agreements.rules import Item
from service.bureaus.models import (
    AgreementClause,
    AgreementPost,
    AgreementStatus,
    ClientBureau,
    ServiceAgreement,
)
from service.database.ids import id_of
from service.dates import add_months
from service.errors import N_, DomainError
from tenants.isolation import TenantSession


def _refuse_unless_draft(agreement: ServiceAgreement) -> None:
    if agreement.status is not AgreementStatus.DRAFT:
        raise DomainError(N_("A signed agreement does not change: renew it, or record a new agreement."), field="status")


def _columns(data: AgreementInput) -> dict:
    return asdict(data)


def create_agreement(
    db: TenantSession,
    bureau: ClientBureau,
    data: AgreementInput,
    renews: ServiceAgreement | None = None,
    *,
    actor: Actor,
) -> ServiceAgreement:
    tenant_id = db.tenant_id
    agreement = ServiceAgreement(
        tenant_id=tenant_id, bureau_id=id_of(bureau), renews_agreement_id=renews.id if renews else None, **_columns(data)
    )
    db.add(agreement)
    db.flush()
    record(db, tenant_id, actor, "service_agreement.create", "service_agreement", agreement.id, after=agreement.snapshot())
    return agreement


def update_agreement(db: TenantSession, agreement: ServiceAgreement, data: AgreementInput, *, actor: Actor) -> ServiceAgreement:
    tenant_id = db.tenant_id
    _refuse_unless_draft(agreement)
    before = agreement.snapshot()
    for name, value in _columns(data).items():
        setattr(agreement, name, value)
    agreement.updated_at = datetime.now(UTC)
    db.add(agreement)
    db.flush()
    after = agreement.snapshot()
    if after != before:
        record(db, tenant_id, actor, "service_agreement.update", "service_agreement", agreement.id, before=before, after=after)
    return agreement


def sign_agreement(db: TenantSession, agreement: ServiceAgreement, signed_on: date, *, actor: Actor) -> ServiceAgreement:
    """Draft → signed.  Refused when another signed agreement of the bureau overlaps the term."""
    tenant_id = db.tenant_id
    _refuse_unless_draft(agreement)
    for other in agreements_of(db, agreement.bureau_id):
        if other.id == agreement.id or other.status is AgreementStatus.DRAFT:
            continue
        other_end = other.terminated_on - timedelta(days=1) if other.terminated_on else other.end_date
        if other.start_date <= agreement.end_date and agreement.start_date <= other_end:
            raise DomainError(
                N_("The term overlaps the signed agreement {number} ({start} to {end})."),
                field="start_date",
                number=other.number or f"#{other.id}",
                start=other.start_date.isoformat(),
                end=other_end.isoformat(),
            )
    before = agreement.snapshot()
    agreement.status, agreement.signed_on = AgreementStatus.SIGNED, signed_on
    agreement.updated_at = datetime.now(UTC)
    db.add(agreement)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "service_agreement.sign",
        "service_agreement",
        agreement.id,
        before=before,
        after=agreement.snapshot(),
    )
    return agreement


def terminate_agreement(
    db: TenantSession, agreement: ServiceAgreement, terminated_on: date, *, actor: Actor
) -> ServiceAgreement:
    """A signed agreement ends early, from ``terminated_on`` (the first day it no longer applies)."""
    tenant_id = db.tenant_id
    if agreement.status is not AgreementStatus.SIGNED:
        raise DomainError(N_("Only a signed agreement can be terminated."), field="status")
    if not agreement.start_date <= terminated_on <= agreement.end_date:
        raise DomainError(N_("The date must fall within the agreement's term."), field="terminated_on")
    before = agreement.snapshot()
    agreement.status, agreement.terminated_on = AgreementStatus.TERMINATED, terminated_on
    agreement.updated_at = datetime.now(UTC)
    db.add(agreement)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "service_agreement.terminate",
        "service_agreement",
        agreement.id,
        before=before,
        after=agreement.snapshot(),
    )
    return agreement


def renew_agreement(db: TenantSession, agreement: ServiceAgreement, months: int = 12, *, actor: Actor) -> ServiceAgreement:
    """A draft renewal: the same terms, posts and clauses from the day after the term ends."""
    tenant_id = db.tenant_id
    if agreement.status is AgreementStatus.DRAFT:
        raise DomainError(N_("Sign the agreement before renewing it."), field="status")
    start = agreement.end_date + timedelta(days=1)
    data = AgreementInput(
        number="",
        start_date=start,
        end_date=add_months(start, months) - timedelta(days=1),
        work_place=agreement.work_place,
        working_hours=agreement.working_hours,
        fee_basis=agreement.fee_basis,
        management_fee=agreement.management_fee,
        fixed_price=agreement.fixed_price,
        payment_terms=agreement.payment_terms,
        payment_due_days=agreement.payment_due_days,
        note="",
    )
    bureau = db.get_one(ClientBureau, (tenant_id, agreement.bureau_id))  # a foreign key: the bureau exists
    renewal = create_agreement(db, bureau, data, actor=actor, renews=agreement)
    for post in posts_of(db, id_of(agreement)):
        save_post(
            db,
            renewal,
            None,
            PostInput(
                post.name,
                post.nature,
                post.headcount,
                post.work_place,
                post.fee_basis,
                post.management_fee,
                post.fixed_price,
            ),
            actor=actor,
        )
    save_clauses(db, renewal, {Item(k): v for k, v in clauses_of(db, id_of(agreement)).items()}, actor=actor)
    return renewal


def save_post(
    db: TenantSession,
    agreement: ServiceAgreement,
    post: AgreementPost | None,
    data: PostInput,
    *,
    actor: Actor,
) -> AgreementPost:
    tenant_id = db.tenant_id
    _refuse_unless_draft(agreement)
    clash = db.exec(
        select(AgreementPost).where(
            AgreementPost.tenant_id == tenant_id,
            AgreementPost.agreement_id == agreement.id,
            AgreementPost.name == data.name,
        )
    ).first()
    if clash is not None and (post is None or clash.id != post.id):
        raise DomainError(N_("The agreement already has a post named {name}."), field="name", name=data.name)
    before = post.snapshot() if post else None
    if post is None:
        post = AgreementPost(tenant_id=tenant_id, agreement_id=id_of(agreement), **asdict(data))
    else:
        for name, value in asdict(data).items():
            setattr(post, name, value)
    db.add(post)
    db.flush()
    if post.snapshot() != before:
        record(db, tenant_id, actor, "agreement_post.save", "agreement_post", post.id, before=before, after=post.snapshot())
    return post


def delete_post(db: TenantSession, agreement: ServiceAgreement, post: AgreementPost, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    _refuse_unless_draft(agreement)
    before = post.snapshot()
    db.delete(post)
    db.flush()
    record(db, tenant_id, actor, "agreement_post.delete", "agreement_post", post.id, before=before)


def save_clauses(db: TenantSession, agreement: ServiceAgreement, bodies: dict[Item, str], *, actor: Actor) -> None:
    """Replace the agreement's clauses with ``bodies`` (an item left out is removed)."""
    tenant_id = db.tenant_id
    _refuse_unless_draft(agreement)
    before = clauses_of(db, id_of(agreement))
    after = {item.value: body for item, body in bodies.items()}
    if before == after:
        return
    db.execute(
        delete(AgreementClause).where(
            col(AgreementClause.tenant_id) == tenant_id, col(AgreementClause.agreement_id) == agreement.id
        )
    )
    for item, body in after.items():
        db.add(AgreementClause(tenant_id=tenant_id, agreement_id=id_of(agreement), item=item, body=body))
    db.flush()
    record(db, tenant_id, actor, "service_agreement.clauses", "service_agreement", agreement.id, before=before, after=after)
