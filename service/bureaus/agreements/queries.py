"""Reading service agreements: an agreement, its posts and clauses, the one in force on a day,
the 13-item check (``rules.check_items``) and the headcount in use per post, today and by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import col, select

from service.bureaus.agreements.rules import ItemState, PostTerms, Terms, check_items
from service.bureaus.client_workforce import DISPATCHED_STATUSES
from service.bureaus.models import AgreementClause, AgreementPost, ServiceAgreement
from service.database.ids import id_of
from service.dates import add_months
from tenants.isolation import TenantSession


def get_agreement(db: TenantSession, agreement_id: int) -> ServiceAgreement | None:
    tenant_id = db.tenant_id
    return db.get(ServiceAgreement, (tenant_id, agreement_id))


def get_post(db: TenantSession, agreement: ServiceAgreement, post_id: int) -> AgreementPost | None:
    """One of the agreement's posts (None when missing or of another agreement)."""
    tenant_id = db.tenant_id
    post = db.get(AgreementPost, (tenant_id, post_id))
    return post if post is not None and post.agreement_id == agreement.id else None


def agreements_of(db: TenantSession, bureau_id: int) -> list[ServiceAgreement]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(ServiceAgreement)
            .where(ServiceAgreement.tenant_id == tenant_id, ServiceAgreement.bureau_id == bureau_id)
            .order_by(col(ServiceAgreement.start_date).desc(), col(ServiceAgreement.id).desc())
        ).all()
    )


def posts_of(db: TenantSession, agreement_id: int) -> list[AgreementPost]:
    tenant_id = db.tenant_id
    return list(
        db.exec(
            select(AgreementPost)
            .where(AgreementPost.tenant_id == tenant_id, AgreementPost.agreement_id == agreement_id)
            .order_by(col(AgreementPost.id))
        ).all()
    )


def clauses_of(db: TenantSession, agreement_id: int) -> dict[str, str]:
    tenant_id = db.tenant_id
    return {
        c.item: c.body
        for c in db.exec(
            select(AgreementClause).where(AgreementClause.tenant_id == tenant_id, AgreementClause.agreement_id == agreement_id)
        ).all()
    }


def in_force(db: TenantSession, bureau_id: int, day: date) -> ServiceAgreement | None:
    """The bureau's signed agreement whose term covers ``day``."""
    for agreement in agreements_of(db, bureau_id):
        if agreement.in_force_on(day):
            return agreement
    return None


def terms_of(agreement: ServiceAgreement) -> Terms:
    return Terms(
        agreement.start_date,
        agreement.end_date,
        agreement.work_place,
        agreement.working_hours,
        agreement.fee_basis,
        agreement.management_fee,
        agreement.fixed_price,
        agreement.payment_terms,
    )


def post_terms(post: AgreementPost) -> PostTerms:
    return PostTerms(
        post.name, post.nature.value, post.headcount, post.work_place, post.fee_basis, post.management_fee, post.fixed_price
    )


def check(db: TenantSession, agreement: ServiceAgreement) -> list[ItemState]:
    """The 13 items of Art. 7, each present or missing."""
    posts = [post_terms(p) for p in posts_of(db, id_of(agreement))]
    return check_items(terms_of(agreement), posts, clauses_of(db, id_of(agreement)))


# ------------------------------------------------------------------ headcount in use


@dataclass(frozen=True)
class PostUse:
    post: str  # '' : workers whose post line is no post of the agreement
    agreed: int | None
    in_use: int

    @property
    def over(self) -> bool:
        return self.agreed is not None and self.in_use > self.agreed


def headcount_today(db: TenantSession, agreement: ServiceAgreement, today: date) -> list[PostUse]:
    """Dispatched workers at the bureau today (probation, active, suspended; hired by today) per post."""
    tenant_id = db.tenant_id
    counts = dict(
        db.execute(
            text(
                "select post_line, count(*) from workers where tenant_id = :t and bureau_id = :b"
                " and status = any(cast(:statuses as text[])) and hire_date <= :today group by post_line"
            ),
            {"t": tenant_id, "b": agreement.bureau_id, "statuses": list(DISPATCHED_STATUSES), "today": today},
        ).fetchall()
    )
    return _by_post(posts_of(db, id_of(agreement)), counts)


def _by_post(posts: list[AgreementPost], counts: dict[str, int]) -> list[PostUse]:
    rows = [PostUse(p.name, p.headcount, counts.pop(p.name, 0)) for p in posts]
    other = sum(counts.values())
    if other:
        rows.append(PostUse("", None, other))
    return rows


def headcount_by_month(db: TenantSession, agreement: ServiceAgreement, today: date) -> list[tuple[date, list[PostUse]]]:
    """Per month of the term up to this month: the bureau's workers paid that
    month (a payslip of a published run), per post by their post line now."""
    tenant_id = db.tenant_id
    first = agreement.start_date.replace(day=1)
    last = min(agreement.end_date, today).replace(day=1)
    if last < first:
        return []
    rows = db.execute(
        text(
            """
            select p.month, w.post_line, count(distinct p.worker_id)
            from payslips p
            join payroll_runs r on r.tenant_id = p.tenant_id and r.id = p.run_id and r.status = 'published'
            join workers w on w.tenant_id = p.tenant_id and w.id = p.worker_id
            where p.tenant_id = :t and w.bureau_id = :b and p.month between :first and :last
            group by p.month, w.post_line
            """
        ),
        {"t": tenant_id, "b": agreement.bureau_id, "first": first, "last": last},
    ).fetchall()
    by_month: dict[date, dict[str, int]] = {}
    for month, post, count in rows:
        by_month.setdefault(month, {})[post] = count
    posts = posts_of(db, id_of(agreement))
    months, month = [], last
    while month >= first:
        months.append((month, _by_post(posts, dict(by_month.get(month, {})))))
        month = add_months(month, -1)
    return months
