"""Checking a worker's fields as a person typed them, on a form or in a sheet.

Pure: raw strings (or Excel cell values) in, a ``WorkerInput`` or every
problem out, each a DomainError naming its field.  Both the form and the
Excel import go through ``parse_worker``, so they refuse the same things
with the same words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from service.cities.names import CITY_NAMES
from service.dates import parse_date
from service.errors import N_, DomainError, InputErrors
from service.workforce.identity import NationalId, age_on, normalize_phone, parse_national_id
from service.workforce.models import GRADES, Education, WorkerStatus

FIELDS = (
    "name",
    "id_number",
    "phone",
    "education",
    "hire_date",
    "status",
    "post_line",
    "client_bureau",
    "unit",
    "grade",
    "city",
    "si_registered_on",
)
# Columns added after the first exports: a sheet without them still imports.
OPTIONAL_FIELDS = frozenset({"city", "si_registered_on"})

MINIMUM_WORKING_AGE = 16  # 劳动法 Art. 15
_NAME = re.compile(r"[\w·•.\- ]+")


@dataclass(frozen=True)
class WorkerInput:
    name: str
    national_id: NationalId
    phone: str | None
    education: Education
    hire_date: date
    status: WorkerStatus
    post_line: str
    client_bureau: str
    unit: str
    grade: int
    city: str | None = None
    si_registered_on: date | None = None


class WorkerInputErrors(InputErrors):
    def by_field(self) -> dict[str, DomainError]:
        return {e.field or "": e for e in reversed(self.errors)}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _name(value: object) -> str:
    name = _text(value)
    if not name:
        raise DomainError(N_("Enter the worker's name."), field="name")
    if len(name) > 50:
        raise DomainError(N_("A name may have at most 50 characters."), field="name")
    if not _NAME.fullmatch(name) or any(ch.isdigit() or ch == "_" for ch in name):
        raise DomainError(N_("A name may contain only letters, spaces and the middle dot (·)."), field="name")
    return name


def _id_number(value: object, today: date) -> NationalId:
    if isinstance(value, (int, float)):
        # Excel stores long numbers as floating point and loses the last digits.
        raise DomainError(N_("Type the ID number as text: as a number Excel loses its last digits."), field="id_number")
    return parse_national_id(_text(value), today=today)


def _choice(value: object, enum: type[Enum], labels: Mapping[str, Enum], field: str) -> Enum:
    text = _text(value)
    if not text:
        raise DomainError(N_("Choose a value."), field=field)
    try:
        return enum(text)
    except ValueError:
        pass
    if text in labels:
        return labels[text]
    raise DomainError(N_("“{value}” is not one of the allowed values."), field=field, value=text[:40])


def date_or_none(text: str) -> date | None:
    """The date typed, or None when it is not one: a filter ignores what it cannot read."""
    try:
        return parse_date(text, "")
    except DomainError:
        return None


def _grade(value: object) -> int:
    text = _text(value).removesuffix("级")
    if not (text.isascii() and text.isdigit() and len(text) < 3) or int(text) not in GRADES:
        raise DomainError(N_("The grade must be a whole number from 1 to 5."), field="grade")
    return int(text)


def _city(value: object, labels: Mapping[str, str]) -> str | None:
    text = _text(value)
    if not text:
        return None
    code = text.lower() if text.lower() in CITY_NAMES else labels.get(text)
    if code is None:
        raise DomainError(N_("“{value}” is not one of the allowed values."), field="city", value=text[:40])
    return code


def _optional_date(value: object, field: str) -> date | None:
    return parse_date(value, field) if _text(value) or isinstance(value, date) else None


def _short_text(value: object, field: str, limit: int, *, required: bool) -> str:
    text = _text(value)
    if required and not text:
        raise DomainError(N_("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
    if "<" in text or ">" in text:
        raise DomainError(N_("Angle brackets (< >) are not allowed here."), field=field)
    return text


def parse_worker(
    raw: Mapping[str, object],
    *,
    today: date,
    labels: Mapping[str, Enum] | None = None,
    city_labels: Mapping[str, str] | None = None,
) -> WorkerInput:
    """Check every field; raise WorkerInputErrors with all problems at once.

    ``labels`` maps display labels (Chinese and English) to enum members, so
    a sheet may say 在岗 or active; ``city_labels`` maps city names to codes.
    """
    labels = labels or {}
    values: dict[str, Any] = {}  # each field's checked value, of the type its check returns
    errors: list[DomainError] = []
    checks = {
        "name": lambda v: _name(v),
        "id_number": lambda v: _id_number(v, today),
        "phone": lambda v: normalize_phone(_text(v)) if _text(v) else None,
        "education": lambda v: _choice(v, Education, labels, "education"),
        "hire_date": lambda v: parse_date(v, "hire_date"),
        "status": lambda v: _choice(v, WorkerStatus, labels, "status"),
        "post_line": lambda v: _short_text(v, "post_line", 40, required=True),
        "client_bureau": lambda v: _short_text(v, "client_bureau", 80, required=True),
        "unit": lambda v: _short_text(v, "unit", 80, required=False),
        "grade": _grade,
        "city": lambda v: _city(v, city_labels or {}),
        "si_registered_on": lambda v: _optional_date(v, "si_registered_on"),
    }
    for field, check in checks.items():
        try:
            values[field] = check(raw.get(field))
        except DomainError as error:
            errors.append(error)
    national_id, hire_date = values.get("id_number"), values.get("hire_date")
    if isinstance(national_id, NationalId) and isinstance(hire_date, date):
        # a hire date before the birth date (a typo within the calendar's bounds) has no age to give
        if hire_date < national_id.birth_date or age_on(national_id.birth_date, hire_date) < MINIMUM_WORKING_AGE:
            errors.append(
                DomainError(
                    N_("The worker would be under {age} on the hire date."),
                    field="hire_date",
                    age=MINIMUM_WORKING_AGE,
                )
            )
        if hire_date > today + timedelta(days=366):
            errors.append(DomainError(N_("The hire date is more than a year ahead."), field="hire_date"))
    registered = values.get("si_registered_on")
    if isinstance(registered, date) and registered > today:
        errors.append(DomainError(N_("The registration date is in the future."), field="si_registered_on"))
    if errors:
        raise WorkerInputErrors(errors)
    return WorkerInput(
        name=values["name"],
        national_id=values["id_number"],
        phone=values["phone"],
        education=values["education"],
        hire_date=values["hire_date"],
        status=values["status"],
        post_line=values["post_line"],
        client_bureau=values["client_bureau"],
        unit=values["unit"],
        grade=values["grade"],
        city=values["city"],
        si_registered_on=values["si_registered_on"],
    )
