"""The 13 mandatory items of a dispatch agreement (劳务派遣暂行规定 Art. 7) and
the pricing of a worker's month."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.bureaus.agreements.inputs import parse_agreement, parse_clauses, parse_post
from service.bureaus.agreements.rules import Item, PostTerms, Terms, check_items, missing_items, price_line
from service.bureaus.bureau_input import parse_bureau
from service.bureaus.models import FeeBasis
from service.errors import InputErrors

D = Decimal
CLAUSE_ITEMS = [
    i.value
    for i in Item
    if i not in {Item.POSTS, Item.WORK_PLACE, Item.HEADCOUNT_AND_PERIOD, Item.HOURS_AND_LEAVE, Item.TERM, Item.SERVICE_FEE}
]


def terms(**changes: object) -> Terms:
    values = {
        "start_date": date(2026, 1, 1),
        "end_date": date(2027, 12, 31),
        "work_place": "锦江区辖区",
        "working_hours": "每周 40 小时，轮休",
        "fee_basis": FeeBasis.PASS_THROUGH,
        "management_fee": D("350"),
        "fixed_price": None,
        "payment_terms": "次月 15 日前转账",
    }
    values.update(changes)
    return Terms(**values)  # type: ignore[arg-type]


POSTS = [PostTerms("市容市貌", "auxiliary", 20), PostTerms("扬尘管控", "auxiliary", 5)]


def test_thirteen_items_are_listed_in_the_articles_order() -> None:
    assert len(Item) == 13
    states = check_items(terms(), POSTS, CLAUSE_ITEMS)
    assert [s.item for s in states] == list(Item)
    assert all(s.present for s in states)


def test_an_empty_draft_misses_everything_the_fields_cannot_give() -> None:
    missing = missing_items(terms(work_place="", working_hours="", management_fee=None, payment_terms=""), [], [])
    assert missing == [*list(Item)[:9], Item.SERVICE_FEE, Item.BREACH_LIABILITY, Item.OTHER_STATUTORY]
    # the term is always there: start and end dates are required
    assert Item.TERM not in missing


def test_each_clause_item_is_missing_until_its_clause_is_attached() -> None:
    for item in CLAUSE_ITEMS:
        others = [i for i in CLAUSE_ITEMS if i != item]
        assert missing_items(terms(), POSTS, others) == [Item(item)]


def test_a_clause_satisfies_an_item_the_fields_leave_open() -> None:
    assert Item.WORK_PLACE in missing_items(terms(work_place=""), POSTS, CLAUSE_ITEMS)
    assert Item.WORK_PLACE not in missing_items(terms(work_place=""), POSTS, [*CLAUSE_ITEMS, "work_place"])
    # every post having its own place is enough too
    placed = [PostTerms("市容市貌", "auxiliary", 20, work_place="春熙路")]
    assert Item.WORK_PLACE not in missing_items(terms(work_place=""), placed, CLAUSE_ITEMS)


def test_the_service_fee_needs_an_amount_for_every_post_and_the_payment_terms() -> None:
    assert Item.SERVICE_FEE in missing_items(terms(management_fee=None), POSTS, CLAUSE_ITEMS)
    assert Item.SERVICE_FEE in missing_items(terms(payment_terms=""), POSTS, CLAUSE_ITEMS)
    fixed_post = [PostTerms("扬尘管控", "auxiliary", 5, fee_basis=FeeBasis.FIXED)]  # fixed, no price anywhere
    assert Item.SERVICE_FEE in missing_items(terms(), fixed_post, CLAUSE_ITEMS)
    priced = [PostTerms("扬尘管控", "auxiliary", 5, fee_basis=FeeBasis.FIXED, fixed_price=D("7800"))]
    assert Item.SERVICE_FEE not in missing_items(terms(), priced, CLAUSE_ITEMS)


def test_a_post_without_nature_or_headcount_is_missing_its_items() -> None:
    missing = missing_items(terms(), [PostTerms("市容市貌", None, 0)], CLAUSE_ITEMS)
    assert Item.POSTS in missing and Item.HEADCOUNT_AND_PERIOD in missing


def test_pricing_pass_through_and_fixed_to_the_fen() -> None:
    line = price_line(terms(), POSTS[0], D("5123.45"), D("1398.17"), D("307.41"))
    assert line.fee_basis is FeeBasis.PASS_THROUGH and line.management_fee == D("350.00")
    assert line.total == D("7179.03")
    fixed = PostTerms("扬尘管控", "auxiliary", 5, fee_basis=FeeBasis.FIXED, fixed_price=D("7800.5"))
    line = price_line(terms(), fixed, D("5123.45"), D("1398.17"), D("307.41"))
    assert line.total == D("7800.50") and line.management_fee == D("0.00")
    own_fee = PostTerms("机动中队", "auxiliary", 5, management_fee=D("420"))
    assert price_line(terms(), own_fee, D("1"), D("0"), D("0")).total == D("421.00")
    assert price_line(terms(fee_basis=FeeBasis.FIXED, fixed_price=D("6000")), None, D("1"), D("2"), D("3")).total == D(
        "6000.00"
    )


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"start_date": "2026-13-01", "end_date": "2027-01-01", "fee_basis": "pass_through"}, "start_date"),
        ({"start_date": "2027-01-01", "end_date": "2026-01-01", "fee_basis": "pass_through"}, "end_date"),
        ({"start_date": "2026-01-01", "end_date": "2027-01-01", "fee_basis": "bogus"}, "fee_basis"),
        ({"start_date": "2026-01-01", "end_date": "2027-01-01", "fee_basis": "fixed", "fixed_price": "-5"}, "fixed_price"),
        (
            {"start_date": "2026-01-01", "end_date": "2027-01-01", "fee_basis": "fixed", "fixed_price": "1e999999"},
            "fixed_price",
        ),
        (
            {"start_date": "2026-01-01", "end_date": "2027-01-01", "fee_basis": "fixed", "payment_due_days": "999"},
            "payment_due_days",
        ),
    ],
)
def test_bad_agreement_input_names_its_field(raw: dict, field: str) -> None:
    with pytest.raises(InputErrors) as refused:
        parse_agreement(raw)
    assert field in {e.field for e in refused.value.errors}


def test_bad_post_clause_and_bureau_input() -> None:
    with pytest.raises(InputErrors) as refused:
        parse_post({"name": "", "nature": "core", "headcount": "0", "management_fee": "abc"})
    assert {e.field for e in refused.value.errors} == {"name", "nature", "headcount", "management_fee"}
    with pytest.raises(InputErrors):
        parse_clauses({"clause_breach_liability": "x" * 4001})
    assert parse_clauses({"clause_breach_liability": "  违约方赔偿 \r\n损失 ", "clause_other_statutory": ""}) == {
        Item.BREACH_LIABILITY: "违约方赔偿 \n损失"
    }
    with pytest.raises(InputErrors) as refused:
        parse_bureau({"name": "<b>", "city": "atlantis", "contact_email": "nope", "contact_phone": "abc"})
    assert {e.field for e in refused.value.errors} == {"name", "city", "contact_email", "contact_phone"}
