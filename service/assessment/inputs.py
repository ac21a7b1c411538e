"""Pure parsing of what people type (or put in a sheet) for assessment.

Each ``parse_*`` collects every problem with its field and raises them
together (``InputErrors``); forms and Excel rows go through the same code.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from service.assessment.models import PeriodKind
from service.assessment.rating_rules import Quota, Thresholds
from service.assessment.ratings import Rating
from service.assessment.scoring import Category, RuleItem, check_score
from service.errors import N_, DomainError, InputErrors
from service.workforce.roster.input import parse_date

POINTS_LIMIT = Decimal("999.99")
_NUMBER = re.compile(r"[+-]?\d{1,6}(\.\d{1,2})?")
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,29}")

# What a period's score can be made of.  ``daily``: the base score plus the
# daily records of the period (capped per item); ``concentrated`` and
# ``special_sheet``: a third party's sheet imported into the period; the
# period kinds: the mean of the worker's approved or published results of
# periods of that kind lying inside this period.
COMPONENTS: dict[str, str] = {
    "daily": N_("Daily assessment"),
    "concentrated": N_("Concentrated assessment (third-party sheet)"),
    "monthly": N_("Monthly results"),
    "quarterly": N_("Quarterly results"),
    "half_yearly": N_("Half-yearly results"),
    "special": N_("Special inspections"),
}
SHEET_COMPONENTS = ("concentrated", "special")
RESULT_COMPONENTS = ("monthly", "quarterly", "half_yearly")

# ``special`` is fed by a sheet imported into the period when there is one,
# else by the results of special periods lying inside it.


def text_of(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_points(value: object, field: str = "points") -> Decimal:
    """Signed points with at most two decimals: "+3", "-2", "0.5"."""
    if isinstance(value, bool):
        raise DomainError(N_("Points must be a number like -2 or 1.5."), field=field)
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    text = text_of(value)
    if not _NUMBER.fullmatch(text):
        raise DomainError(N_("Points must be a number like -2 or 1.5."), field=field)
    points = Decimal(text)
    if abs(points) > POINTS_LIMIT:
        raise DomainError(N_("Points may be at most {limit} either way."), field=field, limit=POINTS_LIMIT)
    return points


def parse_score(value: object, field: str = "score") -> Decimal:
    """A score from 0 to 100 with at most two decimals (an Excel cell may be a number)."""
    if isinstance(value, bool):
        raise DomainError(N_("A score must be a number from 0 to 100."), field=field)
    if isinstance(value, (int, float)):
        value = repr(value) if isinstance(value, float) else str(value)
    text = text_of(value)
    try:
        score = Decimal(text)
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or abs(score) > 1000 or score != score.quantize(Decimal("0.01")):
        raise DomainError(N_("A score must be a number from 0 to 100."), field=field)
    return check_score(score.quantize(Decimal("0.01")), field=field)


def parse_percent(value: object, field: str) -> Decimal | None:
    """A percentage typed as "30" or "30%" (up to two decimals); blank is None."""
    text = text_of(value).removesuffix("%").strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,3}(\.\d{1,2})?", text) or Decimal(text) > 100:
        raise DomainError(N_("Enter a percentage from 0 to 100."), field=field)
    return Decimal(text)


def short_text(value: object, field: str, limit: int, required: bool = False) -> str:
    text = text_of(value)
    if required and not text:
        raise DomainError(N_("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
    if "<" in text or ">" in text:
        raise DomainError(N_("Angle brackets (< >) are not allowed here."), field=field)
    return text


def parse_category(value: object, labels: Mapping[str, Category] | None = None) -> Category:
    text = text_of(value)
    if not text:
        raise DomainError(N_("Choose a value."), field="category")
    if text in Category._value2member_map_:
        return Category(text)
    if labels and text in labels:
        return labels[text]
    raise DomainError(N_("“{value}” is not one of the allowed values."), field="category", value=text[:40])


@dataclass(frozen=True)
class ItemInput:
    code: str
    name: str
    category: Category
    min_points: Decimal
    max_points: Decimal
    period_cap: Decimal | None
    bureau_id: int | None  # None: every bureau
    effective_from: date
    note: str

    def rule(self) -> RuleItem:
        return RuleItem(self.code, self.name, self.category, self.min_points, self.max_points, self.period_cap)


ITEM_FIELDS = ("code", "name", "category", "min_points", "max_points", "period_cap", "client_bureau", "effective_from", "note")


def parse_bureau(raw: Mapping[str, object], bureaus: Mapping[str, int]) -> int | None:
    """The scope typed as a bureau's name, as its id (``bureaus``: the tenant's, name -> id); blank is every bureau."""
    name = short_text(raw.get("client_bureau"), "client_bureau", 80)
    if not name:
        return None
    if name not in bureaus:
        raise DomainError(N_("There is no client bureau named {name}."), field="client_bureau", name=name)
    return bureaus[name]


def parse_item(
    raw: Mapping[str, object], bureaus: Mapping[str, int], *, categories: Mapping[str, Category] | None = None
) -> ItemInput:
    """An item of the catalogue.  Blank highest points means a fixed item (min = max)."""
    errors: list[DomainError] = []

    def attempt(parse, *args):
        try:
            return parse(*args)
        except DomainError as error:
            errors.append(error)
            return None

    code = text_of(raw.get("code"))
    if not _CODE.fullmatch(code):
        errors.append(DomainError(N_("A code is 1 to 30 letters, digits, dots, dashes or underscores."), field="code"))
    name = attempt(short_text, raw.get("name"), "name", 120, True)
    category = attempt(parse_category, raw.get("category"), categories)
    min_points = attempt(parse_points, raw.get("min_points"), "min_points")
    max_text = text_of(raw.get("max_points"))
    max_points = attempt(parse_points, max_text, "max_points") if max_text else min_points
    cap_text = text_of(raw.get("period_cap"))
    period_cap = attempt(parse_points, cap_text, "period_cap") if cap_text else None
    bureau_id = attempt(parse_bureau, raw, bureaus)
    effective_from = attempt(parse_date, raw.get("effective_from"), "effective_from")
    note = attempt(short_text, raw.get("note"), "note", 300)
    if not errors:
        data = ItemInput(code, name, category, min_points, max_points, period_cap, bureau_id, effective_from, note or "")
        try:
            data.rule()
        except DomainError as error:
            errors.append(error)
        else:
            return data
    raise InputErrors(errors)


# ---- periods -------------------------------------------------------------

THRESHOLD_FIELDS = ("excellent", "good", "meets", "basic")
DEFAULT_THRESHOLDS = {"excellent": "90", "good": "80", "meets": "70", "basic": "60"}
QUOTA_RATINGS = (Rating.EXCELLENT, Rating.GOOD)


@dataclass(frozen=True)
class PeriodInput:
    kind: PeriodKind
    name: str
    starts_on: date
    ends_on: date
    bureau_id: int | None  # None: every bureau
    base_score: Decimal
    weights: dict[str, Decimal]  # component -> percentage, adding up to 100
    thresholds: Thresholds
    quotas: tuple[Quota, ...]

    def weights_json(self) -> dict[str, str]:
        return {kind: str(weight) for kind, weight in self.weights.items()}

    def rating_json(self) -> dict:
        return {
            "thresholds": {r.value: str(c) for r, c in self.thresholds.cutoffs()},
            "quotas": {q.rating.value: str(q.share) for q in self.quotas},
        }


def period_form_fields() -> tuple[str, ...]:
    return (
        "kind",
        "name",
        "starts_on",
        "ends_on",
        "client_bureau",
        "base_score",
        *tuple(f"weight_{c}" for c in COMPONENTS),
        *tuple(f"cutoff_{r}" for r in THRESHOLD_FIELDS),
        *tuple(f"quota_{r.value}" for r in QUOTA_RATINGS),
    )


def parse_period(raw: Mapping[str, object], bureaus: Mapping[str, int]) -> PeriodInput:
    errors: list[DomainError] = []

    def attempt(parse, *args):
        try:
            return parse(*args)
        except DomainError as error:
            errors.append(error)
            return None

    kind_text = text_of(raw.get("kind"))
    kind = PeriodKind(kind_text) if kind_text in PeriodKind._value2member_map_ else None
    if kind is None:
        errors.append(DomainError(N_("Choose a value."), field="kind"))
    name = attempt(short_text, raw.get("name"), "name", 120, True)
    starts_on = attempt(parse_date, raw.get("starts_on"), "starts_on")
    ends_on = attempt(parse_date, raw.get("ends_on"), "ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        errors.append(DomainError(N_("The period cannot end before it starts."), field="ends_on"))
    bureau_id = attempt(parse_bureau, raw, bureaus)
    base_text = text_of(raw.get("base_score")) or "100"
    base_score = attempt(parse_score, base_text, "base_score")
    weights: dict[str, Decimal] = {}
    for component in COMPONENTS:
        weight = attempt(parse_percent, raw.get(f"weight_{component}"), f"weight_{component}")
        if weight:
            weights[component] = weight
    if not any(e.field and e.field.startswith("weight_") for e in errors):
        total = sum(weights.values(), Decimal(0))
        if total != 100:
            errors.append(
                DomainError(N_("Weights must add up to 100%; these add up to {total}%."), field="weights", total=total)
            )
    cutoffs = {}
    for cutoff in THRESHOLD_FIELDS:
        cutoffs[cutoff] = attempt(parse_score, text_of(raw.get(f"cutoff_{cutoff}")), f"cutoff_{cutoff}")
    thresholds = None
    if all(v is not None for v in cutoffs.values()):
        try:
            thresholds = Thresholds(**cutoffs)
        except DomainError as error:
            errors.append(DomainError(error.message, field=f"cutoff_{error.field}", **error.params))
    quotas: list[Quota] = []
    for rating in QUOTA_RATINGS:
        share = attempt(parse_percent, raw.get(f"quota_{rating.value}"), f"quota_{rating.value}")
        if share is not None:
            if share == 0:
                errors.append(DomainError(N_("A quota must be more than 0 and at most 100%."), field=f"quota_{rating.value}"))
            else:
                quotas.append(Quota(rating, share / 100))
    if errors:
        raise InputErrors(errors)
    assert kind is not None and thresholds is not None  # each is None only beside an error
    return PeriodInput(kind, name, starts_on, ends_on, bureau_id, base_score, weights, thresholds, tuple(quotas))


def thresholds_of(config: Mapping) -> Thresholds:
    cut = config.get("thresholds") or DEFAULT_THRESHOLDS
    return Thresholds(**{name: Decimal(cut[name]) for name in THRESHOLD_FIELDS})


def quotas_of(config: Mapping) -> tuple[Quota, ...]:
    return tuple(Quota(Rating(code), Decimal(share)) for code, share in (config.get("quotas") or {}).items())


def weights_of(weights: Mapping) -> dict[str, Decimal]:
    return {kind: Decimal(str(weight)) for kind, weight in weights.items()}
