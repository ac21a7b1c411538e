"""Pure rules of a service agreement (劳务派遣协议) and of the statement it prices.

**The 13 mandatory items** (劳务派遣暂行规定 Art. 7, labor-law-cn.md §4).  Each
is satisfied either by the agreement's structured fields or by an attached
clause of that item (``ITEM_SOURCES`` says which fields can satisfy it):

1. post name and nature — every post has a name and a nature (temporary,
   auxiliary, substitute: LCL Art. 66); at least one post
2. work place — the agreement's place, or every post's own place
3. headcount and period — every post has its headcount; the period is the term
4. remuneration by equal pay and its payment — clause
5. social insurance amounts and payment — clause
6. working hours, rest and leave — the working-hours field or a clause
7. treatment during work injury, maternity, sickness — clause
8. labour safety, health and training — clause
9. economic compensation and similar costs — clause
10. the agreement's term — start and end dates (always present) — a field
11. service fee: payment method and standard — the fee basis with its amount
    for every post, and the payment terms
12. liability for breach — clause
13. other items laws, regulations and rules require — clause

**Pricing a worker's month** (``price_line``): on a pass-through basis the bureau
pays the worker's gross wages, the employer's social insurance and housing
fund, and the management fee per head; on a fixed basis the fixed price per
head.  The post (matched on the worker's post line) may set its own basis and
amounts; otherwise the agreement's apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from service.bureaus.models import FeeBasis
from service.errors import N_

ZERO = Decimal("0.00")


class Item(str, Enum):
    POSTS = "posts"
    WORK_PLACE = "work_place"
    HEADCOUNT_AND_PERIOD = "headcount_and_period"
    REMUNERATION = "remuneration"
    SOCIAL_INSURANCE = "social_insurance"
    HOURS_AND_LEAVE = "hours_and_leave"
    INJURY_MATERNITY_SICKNESS = "injury_maternity_sickness"
    SAFETY_AND_TRAINING = "safety_and_training"
    ECONOMIC_COMPENSATION = "economic_compensation"
    TERM = "term"
    SERVICE_FEE = "service_fee"
    BREACH_LIABILITY = "breach_liability"
    OTHER_STATUTORY = "other_statutory"


ITEM_LABELS: dict[Item, str] = {
    Item.POSTS: N_("Name and nature of the posts"),
    Item.WORK_PLACE: N_("Work place"),
    Item.HEADCOUNT_AND_PERIOD: N_("Number of dispatched workers and dispatch period"),
    Item.REMUNERATION: N_("Remuneration set by equal pay for equal work, and how it is paid"),
    Item.SOCIAL_INSURANCE: N_("Social insurance amounts and how they are paid"),
    Item.HOURS_AND_LEAVE: N_("Working hours, rest and leave"),
    Item.INJURY_MATERNITY_SICKNESS: N_("Treatment during work injury, maternity and sickness"),
    Item.SAFETY_AND_TRAINING: N_("Labour safety, health and training"),
    Item.ECONOMIC_COMPENSATION: N_("Economic compensation and similar costs"),
    Item.TERM: N_("Term of the agreement"),
    Item.SERVICE_FEE: N_("Service fee: how it is paid and its standard"),
    Item.BREACH_LIABILITY: N_("Liability for breach of the agreement"),
    Item.OTHER_STATUTORY: N_("Other items laws, regulations and rules require"),
}
ARTICLE = N_("Interim Provisions on Labour Dispatch, Art. 7")

# Items a structured field can satisfy (the rest need a clause).
FIELD_ITEMS = frozenset(
    {Item.POSTS, Item.WORK_PLACE, Item.HEADCOUNT_AND_PERIOD, Item.HOURS_AND_LEAVE, Item.TERM, Item.SERVICE_FEE}
)


@dataclass(frozen=True)
class Terms:
    """What the check and the pricing read from an agreement (plain values)."""

    start_date: date | None
    end_date: date | None
    work_place: str
    working_hours: str
    fee_basis: FeeBasis
    management_fee: Decimal | None
    fixed_price: Decimal | None
    payment_terms: str


@dataclass(frozen=True)
class PostTerms:
    name: str
    nature: str | None
    headcount: int | None
    work_place: str = ""
    fee_basis: FeeBasis | None = None
    management_fee: Decimal | None = None
    fixed_price: Decimal | None = None


@dataclass(frozen=True)
class ItemState:
    item: Item
    present: bool
    by_clause: bool  # satisfied (or only satisfiable) by an attached clause


def fee_of(terms: Terms, post: PostTerms | None) -> tuple[FeeBasis, Decimal | None]:
    """The basis and its per-head amount for a post (its own, else the agreement's)."""
    basis = (post.fee_basis if post and post.fee_basis else None) or terms.fee_basis
    if basis is FeeBasis.FIXED:
        own = post.fixed_price if post and post.fixed_price is not None else None
        return basis, own if own is not None else terms.fixed_price
    own = post.management_fee if post and post.management_fee is not None else None
    return basis, own if own is not None else terms.management_fee


def check_items(terms: Terms, posts: Sequence[PostTerms], clause_items: Iterable[str]) -> list[ItemState]:
    """Each of the 13 items, present or not (a clause of the item always satisfies it)."""
    clauses = set(clause_items)
    fee_posts: Sequence[PostTerms | None] = posts or [None]  # with no posts, the agreement's own fee decides
    by_field = {
        Item.POSTS: bool(posts) and all(p.name.strip() and p.nature for p in posts),
        Item.WORK_PLACE: bool(terms.work_place.strip()) or (bool(posts) and all(p.work_place.strip() for p in posts)),
        Item.HEADCOUNT_AND_PERIOD: bool(posts)
        and all((p.headcount or 0) > 0 for p in posts)
        and terms.start_date is not None
        and terms.end_date is not None,
        Item.HOURS_AND_LEAVE: bool(terms.working_hours.strip()),
        Item.TERM: terms.start_date is not None and terms.end_date is not None,
        Item.SERVICE_FEE: bool(terms.payment_terms.strip())
        and all(amount is not None for _, amount in (fee_of(terms, p) for p in fee_posts)),
    }
    return [ItemState(item, by_field.get(item, False) or item.value in clauses, item not in FIELD_ITEMS) for item in Item]


def missing_items(terms: Terms, posts: Sequence[PostTerms], clause_items: Iterable[str]) -> list[Item]:
    return [s.item for s in check_items(terms, posts, clause_items) if not s.present]


@dataclass(frozen=True)
class Priced:
    fee_basis: FeeBasis
    wages: Decimal
    employer_social_insurance: Decimal
    employer_housing_fund: Decimal
    management_fee: Decimal
    fixed_price: Decimal

    @property
    def total(self) -> Decimal:
        if self.fee_basis is FeeBasis.FIXED:
            return self.fixed_price
        return self.wages + self.employer_social_insurance + self.employer_housing_fund + self.management_fee


def price_line(
    terms: Terms,
    post: PostTerms | None,
    wages: Decimal,
    employer_social_insurance: Decimal,
    employer_housing_fund: Decimal,
) -> Priced:
    """A worker's month as the bureau pays it.  The pass-through amounts are
    shown on a fixed-price line too (for information) but not added."""
    basis, amount = fee_of(terms, post)
    amount = (amount or ZERO).quantize(Decimal("0.01"))
    if basis is FeeBasis.FIXED:
        return Priced(basis, wages, employer_social_insurance, employer_housing_fund, ZERO, amount)
    return Priced(basis, wages, employer_social_insurance, employer_housing_fund, amount, ZERO)


def headcount_by_post(post_names: Sequence[str], worker_posts: Iterable[str]) -> dict[str, int]:
    """Workers per agreement post (by the worker's post line); others under ''."""
    known = set(post_names)
    counts = dict.fromkeys(post_names, 0)
    for post in worker_posts:
        key = post if post in known else ""
        counts[key] = counts.get(key, 0) + 1
    return counts
