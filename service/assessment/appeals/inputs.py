"""The answer to an appeal as the assessor or reviewer typed it: raw strings in, an ``AppealOutcome`` or every problem out."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from service.assessment.appeals.rules import AppealOutcome, Decision
from service.assessment.ratings import Rating
from service.errors import N_, DomainError, InputErrors
from service.web.forms import choice, collect, parse_decimal, stripped

ANSWER_FIELDS = ("decision", "new_score", "new_rating", "explanation")


def parse_answer(raw: Mapping[str, Any]) -> AppealOutcome:
    """The answer form: every problem at once, then ``AppealOutcome`` checks completeness."""
    values: dict[str, Any] = {}

    def decision() -> None:
        values["decision"] = choice(raw, "decision", Decision, required=True)

    def score() -> None:
        values["new_score"] = parse_decimal(stripped(raw, "new_score"), "new_score", upper=Decimal(100))

    def rating() -> None:
        values["new_rating"] = choice(raw, "new_rating", Rating)

    def explanation() -> None:
        text = stripped(raw, "explanation")
        if len(text) > 2000:
            raise DomainError(N_("At most {limit} characters."), field="explanation", limit=2000)
        values["explanation"] = text

    collect([decision, score, rating, explanation])
    if values["decision"] is Decision.REJECTED:
        # A rejection keeps the result: whatever was typed in the score fields is not an answer.
        values["new_score"] = values["new_rating"] = None
    try:
        return AppealOutcome(**values)
    except DomainError as error:
        raise InputErrors([error]) from None
