"""Grade-evaluation and appeal forms as people typed them: raw strings in, values or every problem out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from service.assessment.appeals import AppealOutcome, Decision
from service.assessment.grade_evaluation import BasicConditions, Body, GradeCriteria, check_grade
from service.assessment.ratings import Rating
from service.errors import N_, DomainError, InputErrors
from service.grades.actions import CampaignInput, CandidateInput
from service.web.forms import whole_number
from service.workforce.models import Education
from service.workforce.worker_input import parse_date

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
ANSWER_FIELDS = ("decision", "new_score", "new_rating", "explanation")
MAX_POINTS = Decimal("999999.99")


def _s(raw: Mapping[str, Any], field: str) -> str:
    value = raw.get(field)
    return value.strip() if isinstance(value, str) else ""


def _collect(steps: list[Callable[[], None]]) -> None:
    errors: list[DomainError] = []
    for step in steps:
        try:
            step()
        except DomainError as error:
            errors.append(error)
    if errors:
        raise InputErrors(errors)


def _optional_int(raw: Mapping[str, Any], field: str, *, upper: int = 200) -> int | None:
    text = _s(raw, field)
    if not text:
        return None
    if text == "0":
        return 0
    value = whole_number(text, below=upper + 1)
    if value is None:
        raise DomainError(N_("Enter a whole number from 0 to {max}."), field=field, max=upper)
    return value


def parse_decimal(text: str, field: str, *, required: bool = False, upper: Decimal = MAX_POINTS) -> Decimal | None:
    cleaned = text.strip().replace(",", "")
    if not cleaned:
        if required:
            raise DomainError(N_("This field is required."), field=field)
        return None
    try:
        value = Decimal(cleaned)
        if not value.is_finite() or value != value.quantize(Decimal("0.01")):
            raise ArithmeticError
    except ArithmeticError:
        raise DomainError(N_("Enter a number with at most two decimals."), field=field) from None
    if not Decimal(0) <= value <= upper:
        raise DomainError(N_("Enter a number from 0 to {max}."), field=field, max=upper)
    return value


def _choice(raw: Mapping[str, Any], field: str, enum: type, *, required: bool = False):
    text = _s(raw, field)
    if not text:
        if required:
            raise DomainError(N_("Choose one."), field=field)
        return None
    try:
        return enum(text)
    except ValueError:
        raise DomainError(N_("Choose one of the listed values."), field=field) from None


def parse_criteria(grade: int, raw: Mapping[str, Any], basic: BasicConditions) -> GradeCriteria:
    check_grade(grade)
    values: dict[str, Any] = {}

    def put(name: str, fn: Callable[[], object]) -> Callable[[], None]:
        def step() -> None:
            values[name] = fn()

        return step

    _collect(
        [
            put("min_age", lambda: _optional_int(raw, "min_age", upper=100)),
            put("max_age", lambda: _optional_int(raw, "max_age", upper=100)),
            put("min_education", lambda: _choice(raw, "min_education", Education)),
            put("min_years_of_service", lambda: _optional_int(raw, "min_years_of_service", upper=60)),
            put("min_post_points", lambda: parse_decimal(_s(raw, "min_post_points"), "min_post_points")),
            put("min_rating", lambda: _choice(raw, "min_rating", Rating)),
            put("rating_periods", lambda: _optional_int(raw, "rating_periods", upper=20) or 0),
            put("required_trainings", lambda: _trainings(_s(raw, "required_trainings"))),
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


def parse_campaign(raw: Mapping[str, Any], bureaus: set[str]) -> CampaignInput:
    values: dict[str, Any] = {}

    def name() -> None:
        text = _s(raw, "name")
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
        text = _s(raw, "client_bureau")
        if text and text not in bureaus:
            raise DomainError(N_("Choose one of the listed values."), field="client_bureau")
        values["client_bureau"] = text or None

    _collect([name, day("evaluated_on"), day("effective_from"), bureau])
    if values["effective_from"] < values["evaluated_on"]:
        raise InputErrors([DomainError(N_("The effective date cannot be before the evaluation date."), field="effective_from")])
    return CampaignInput(**values)


def parse_candidate(raw: Mapping[str, Any]) -> CandidateInput:
    values: dict[str, Any] = {}

    def points() -> None:
        values["post_points"] = parse_decimal(_s(raw, "post_points"), "post_points") or Decimal(0)

    def target() -> None:
        text = _s(raw, "target_grade")
        if not text:
            values["target_grade"] = None
            return
        number = whole_number(text, below=6)
        if number is None:
            raise DomainError(N_("A grade runs from 1 to 5."), field="target_grade")
        values["target_grade"] = check_grade(number)

    _collect([points, target])
    return CandidateInput(
        post_points=values["post_points"],
        target_grade=values["target_grade"],
        **{name: _s(raw, name) in ("on", "1", "true", "yes") for name in CANDIDATE_CHECKS},
    )


def parse_decision(raw: Mapping[str, Any]) -> tuple[Body, bool, str, str]:
    values: dict[str, Any] = {}

    def body() -> None:
        values["body"] = _choice(raw, "body", Body, required=True)

    def approved() -> None:
        text = _s(raw, "approved")
        if text not in ("yes", "no"):
            raise DomainError(N_("Choose one."), field="approved")
        values["approved"] = text == "yes"

    def limited(field: str, limit: int) -> Callable[[], None]:
        def step() -> None:
            text = _s(raw, field)
            if len(text) > limit:
                raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
            values[field] = text

        return step

    _collect([body, approved, limited("reference", 120), limited("note", 500)])
    return values["body"], values["approved"], values["reference"], values["note"]


def parse_answer(raw: Mapping[str, Any]) -> AppealOutcome:
    """The answer form: every problem at once, then ``AppealOutcome`` checks completeness."""
    values: dict[str, Any] = {}

    def decision() -> None:
        values["decision"] = _choice(raw, "decision", Decision, required=True)

    def score() -> None:
        values["new_score"] = parse_decimal(_s(raw, "new_score"), "new_score", upper=Decimal(100))

    def rating() -> None:
        values["new_rating"] = _choice(raw, "new_rating", Rating)

    def explanation() -> None:
        text = _s(raw, "explanation")
        if len(text) > 2000:
            raise DomainError(N_("At most {limit} characters."), field="explanation", limit=2000)
        values["explanation"] = text

    _collect([decision, score, rating, explanation])
    if values["decision"] is Decision.REJECTED:
        # A rejection keeps the result: whatever was typed in the score fields is not an answer.
        values["new_score"] = values["new_rating"] = None
    try:
        return AppealOutcome(**values)
    except DomainError as error:
        raise InputErrors([error]) from None


def today_or(raw_date: date | None, today: date) -> date:
    return raw_date or today
