"""Grade-evaluation forms as people typed them: raw strings in, values or every problem out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from service.assessment.ratings import Rating
from service.errors import N_, DomainError, InputErrors
from service.grades.actions import CampaignInput, CandidateInput
from service.grades.rules import BasicConditions, Body, GradeCriteria, check_grade
from service.web.forms import choice, collect, parse_decimal, stripped, whole_number
from service.workforce.models import Education
from service.workforce.roster.input import parse_date

CRITERIA_FIELDS = (
    "min_age",
    "max_age",
    "min_education",
    "min_years_of_service",
    "min_post_points",
    "required_trainings",
    "min_rating",
    "rating_periods",
)
CAMPAIGN_FIELDS = ("name", "evaluated_on", "effective_from", "client_bureau")
CANDIDATE_FIELDS = ("post_points", "target_grade")
CANDIDATE_CHECKS = ("political_standing_confirmed", "fitness_confirmed", "conduct_confirmed")
DECISION_FIELDS = ("body", "approved", "reference", "note")
MAX_POINTS = Decimal("999999.99")


def _points(raw: Mapping[str, Any], field: str) -> Decimal | None:
    return parse_decimal(stripped(raw, field), field, upper=MAX_POINTS)


def _optional_int(raw: Mapping[str, Any], field: str, *, upper: int = 200) -> int | None:
    text = stripped(raw, field)
    if not text:
        return None
    if text == "0":
        return 0
    value = whole_number(text, below=upper + 1)
    if value is None:
        raise DomainError(N_("Enter a whole number from 0 to {max}."), field=field, max=upper)
    return value


def parse_criteria(grade: int, raw: Mapping[str, Any], basic: BasicConditions) -> GradeCriteria:
    check_grade(grade)
    values: dict[str, Any] = {}

    def put(name: str, fn: Callable[[], object]) -> Callable[[], None]:
        def step() -> None:
            values[name] = fn()

        return step

    collect(
        [
            put("min_age", lambda: _optional_int(raw, "min_age", upper=100)),
            put("max_age", lambda: _optional_int(raw, "max_age", upper=100)),
            put("min_education", lambda: choice(raw, "min_education", Education)),
            put("min_years_of_service", lambda: _optional_int(raw, "min_years_of_service", upper=60)),
            put("min_post_points", lambda: _points(raw, "min_post_points")),
            put("min_rating", lambda: choice(raw, "min_rating", Rating)),
            put("rating_periods", lambda: _optional_int(raw, "rating_periods", upper=20) or 0),
            put("required_trainings", lambda: _trainings(stripped(raw, "required_trainings"))),
        ]
    )
    return GradeCriteria(grade=grade, basic=basic, **values)  # the pure class checks the combination


def _trainings(text: str) -> frozenset[str]:
    names = frozenset(
        part.strip() for part in text.replace("，", ",").replace("、", ",").replace("\n", ",").split(",") if part.strip()
    )
    if any(len(name) > 120 for name in names) or len(names) > 30:
        raise DomainError(N_("At most 30 names of at most 120 characters."), field="required_trainings")
    return names


def parse_campaign(raw: Mapping[str, Any], bureaus: Mapping[str, int]) -> CampaignInput:
    """The scope is chosen by the bureau's name; ``bureaus`` (the tenant's, name -> id) turns it into the id."""
    values: dict[str, Any] = {}

    def name() -> None:
        text = stripped(raw, "name")
        if not text:
            raise DomainError(N_("This field is required."), field="name")
        if len(text) > 120:
            raise DomainError(N_("At most {limit} characters."), field="name", limit=120)
        values["name"] = text

    def day(field: str) -> Callable[[], None]:
        def step() -> None:
            values[field] = parse_date(raw.get(field), field)

        return step

    def bureau() -> None:
        text = stripped(raw, "client_bureau")
        if text and text not in bureaus:
            raise DomainError(N_("Choose one of the listed values."), field="client_bureau")
        values["bureau_id"] = bureaus[text] if text else None

    collect([name, day("evaluated_on"), day("effective_from"), bureau])
    if values["effective_from"] < values["evaluated_on"]:
        raise InputErrors([DomainError(N_("The effective date cannot be before the evaluation date."), field="effective_from")])
    return CampaignInput(**values)


def parse_candidate(raw: Mapping[str, Any]) -> CandidateInput:
    values: dict[str, Any] = {}

    def points() -> None:
        values["post_points"] = _points(raw, "post_points") or Decimal(0)

    def target() -> None:
        text = stripped(raw, "target_grade")
        if not text:
            values["target_grade"] = None
            return
        number = whole_number(text, below=6)
        if number is None:
            raise DomainError(N_("A grade runs from 1 to 5."), field="target_grade")
        values["target_grade"] = check_grade(number)

    collect([points, target])
    return CandidateInput(
        post_points=values["post_points"],
        target_grade=values["target_grade"],
        **{name: stripped(raw, name) in ("on", "1", "true", "yes") for name in CANDIDATE_CHECKS},
    )


def parse_decision(raw: Mapping[str, Any]) -> tuple[Body, bool, str, str]:
    values: dict[str, Any] = {}

    def body() -> None:
        values["body"] = choice(raw, "body", Body, required=True)

    def approved() -> None:
        text = stripped(raw, "approved")
        if text not in ("yes", "no"):
            raise DomainError(N_("Choose one."), field="approved")
        values["approved"] = text == "yes"

    def limited(field: str, limit: int) -> Callable[[], None]:
        def step() -> None:
            text = stripped(raw, field)
            if len(text) > limit:
                raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
            values[field] = text

        return step

    collect([body, approved, limited("reference", 120), limited("note", 500)])
    return values["body"], values["approved"], values["reference"], values["note"]


def today_or(raw_date: date | None, today: date) -> date:
    return raw_date or today
