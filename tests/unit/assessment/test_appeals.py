from datetime import date
from decimal import Decimal as D

import pytest

from service.assessment.appeals.rules import (
    AppealOutcome,
    Decision,
    appeal_deadline,
    can_appeal,
    check_answerer,
)
from service.assessment.ratings import Rating
from service.errors import DomainError

PUBLISHED = date(2024, 3, 1)


def test_deadline_counts_calendar_days_from_the_day_after():
    assert appeal_deadline(PUBLISHED, 7) == date(2024, 3, 8)
    assert appeal_deadline(date(2024, 2, 25), 5) == date(2024, 3, 1)  # leap year, weekend kept


@pytest.mark.parametrize("days", [0, -1])
def test_window_must_be_at_least_a_day(days):
    with pytest.raises(DomainError) as err:
        appeal_deadline(PUBLISHED, days)
    assert err.value.field == "days"


@pytest.mark.parametrize(
    "today, allowed",
    [
        (date(2024, 2, 29), False),  # before publication
        (date(2024, 3, 1), True),  # the day of publication
        (date(2024, 3, 8), True),  # the deadline day is inside
        (date(2024, 3, 9), False),  # the day after
    ],
)
def test_can_appeal(today, allowed):
    assert can_appeal(PUBLISHED, 7, today) is allowed


def test_the_recorder_cannot_answer():
    with pytest.raises(DomainError) as err:
        check_answerer("r1", {"r1", "r2"})
    assert err.value.field == "answerer"
    check_answerer("r3", {"r1", "r2"})
    check_answerer("r3", ())


def test_upheld_needs_score_and_rating():
    outcome = AppealOutcome(Decision.UPHELD, new_score=D("85"), new_rating=Rating.GOOD)
    assert outcome.new_rating is Rating.GOOD
    with pytest.raises(DomainError) as err:
        AppealOutcome(Decision.UPHELD, new_rating=Rating.GOOD)
    assert err.value.field == "new_score"
    with pytest.raises(DomainError) as err:
        AppealOutcome(Decision.UPHELD, new_score=D("85"))
    assert err.value.field == "new_rating"
    with pytest.raises(DomainError) as err:
        AppealOutcome(Decision.UPHELD, new_score=D("101"), new_rating=Rating.EXCELLENT)
    assert err.value.field == "new_score"


def test_rejected_needs_an_explanation_and_keeps_the_result():
    assert AppealOutcome(Decision.REJECTED, explanation="记录属实").explanation == "记录属实"
    for blank in ("", "   "):
        with pytest.raises(DomainError) as err:
            AppealOutcome(Decision.REJECTED, explanation=blank)
        assert err.value.field == "explanation"
    with pytest.raises(DomainError) as err:
        AppealOutcome(Decision.REJECTED, explanation="x", new_rating=Rating.GOOD)
    assert err.value.field == "new_rating"
    with pytest.raises(DomainError) as err:
        AppealOutcome(Decision.REJECTED, explanation="x", new_score=D("90"))
    assert err.value.field == "new_score"
