"""The settlement form as a person typed it: every problem at once, each beside its field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from service.dates import parse_date
from service.errors import N_, DomainError
from service.payroll.leavers.settlement import SettlementTerms
from service.web.forms import choice, collect, stripped
from service.workforce.contracts.severance import SeveranceKind

FIELDS = (
    "last_day",
    "kind",
    "kind_reason",
    "pre_2008_compensable",
    "pre_2008_explanation",
    "entitlement_days",
    "entitlement_reason",
    "days_taken",
)
MAX_DAYS = 366
YES = "yes"


def _days(raw: Mapping[str, Any], field: str, *, required: bool) -> int | None:
    text = stripped(raw, field)
    if not text:
        if required:
            raise DomainError(N_("Enter a number of days (0 if none)."), field=field)
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 3 or int(text) > MAX_DAYS:
        raise DomainError(N_("Enter whole days from 0 to {max}."), field=field, max=MAX_DAYS)
    return int(text)


def parse_terms(raw: Mapping[str, Any]) -> SettlementTerms:
    values: dict[str, Any] = {
        "kind_reason": stripped(raw, "kind_reason"),
        "pre_2008_compensable": stripped(raw, "pre_2008_compensable") == YES,
        "pre_2008_explanation": stripped(raw, "pre_2008_explanation"),
        "entitlement_reason": stripped(raw, "entitlement_reason"),
    }

    def step(field: str, parse: Any) -> Any:
        return lambda: values.__setitem__(field, parse())

    collect(
        [
            step("last_day", lambda: parse_date(stripped(raw, "last_day"), "last_day")),
            step("kind", lambda: choice(raw, "kind", SeveranceKind)),
            step("entitlement_days", lambda: _days(raw, "entitlement_days", required=False)),
            step("days_taken", lambda: _days(raw, "days_taken", required=True)),
        ]
    )
    return SettlementTerms(**values)
