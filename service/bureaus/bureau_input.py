"""Checking a bureau's, unit's or establishment office's fields as typed.

Pure: raw strings in, a typed input or every problem out (InputErrors, each
DomainError naming its field)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from service.bureaus.models import NAME_MAX, UnitKind
from service.cities.names import CITY_NAMES
from service.errors import N_, DomainError, InputErrors

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"[0-9+\-() ]{5,20}")


@dataclass(frozen=True)
class Contacts:
    city: str | None
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str


@dataclass(frozen=True)
class BureauInput:
    name: str
    contacts: Contacts
    establishment_office_id: int | None


@dataclass(frozen=True)
class UnitInput:
    name: str
    kind: UnitKind
    contacts: Contacts


@dataclass(frozen=True)
class OfficeInput:
    name: str
    contacts: Contacts


def clean(value: object) -> str:
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def short_text(value: object, field: str, limit: int, *, required: bool = False) -> str:
    text = clean(value)
    if required and not text:
        raise DomainError(N_("This field is required."), field=field)
    if len(text) > limit:
        raise DomainError(N_("At most {limit} characters."), field=field, limit=limit)
    if "<" in text or ">" in text:
        raise DomainError(N_("Angle brackets (< >) are not allowed here."), field=field)
    if any(ord(ch) < 32 for ch in text):
        raise DomainError(N_("Control characters are not allowed here."), field=field)
    return text


def _city(value: object) -> str | None:
    text = clean(value).lower()
    if not text:
        return None
    if text not in CITY_NAMES:
        raise DomainError(N_("“{value}” is not one of the allowed values."), field="city", value=text[:40])
    return text


def _phone(value: object) -> str:
    text = short_text(value, "contact_phone", 20)
    if text and not _PHONE.fullmatch(text):
        raise DomainError(N_("Enter a phone number (digits, spaces, + - and brackets)."), field="contact_phone")
    return text


def _email(value: object) -> str:
    text = short_text(value, "contact_email", 120)
    if text and not _EMAIL.fullmatch(text):
        raise DomainError(N_("Enter an email address like name@example.cn."), field="contact_email")
    return text


def _collect(raw: Mapping[str, object], checks: dict) -> dict:
    values, errors = {}, []
    for field, check in checks.items():
        try:
            values[field] = check(raw.get(field))
        except DomainError as error:
            errors.append(error)
    if errors:
        raise InputErrors(errors)
    return values


_CONTACT_CHECKS = {
    "city": _city,
    "contact_name": lambda v: short_text(v, "contact_name", 50),
    "contact_phone": _phone,
    "contact_email": _email,
    "address": lambda v: short_text(v, "address", 200),
}


def _contacts(values: dict) -> Contacts:
    return Contacts(*(values[f] for f in ("city", "contact_name", "contact_phone", "contact_email", "address")))


def _optional_id(value: object, field: str) -> int | None:
    text = clean(value)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise DomainError(N_("Choose a value."), field=field)
    return int(text)


def parse_bureau(raw: Mapping[str, object]) -> BureauInput:
    values = _collect(
        raw,
        {
            "name": lambda v: short_text(v, "name", NAME_MAX, required=True),
            "establishment_office_id": lambda v: _optional_id(v, "establishment_office_id"),
            **_CONTACT_CHECKS,
        },
    )
    return BureauInput(values["name"], _contacts(values), values["establishment_office_id"])


def parse_unit(raw: Mapping[str, object]) -> UnitInput:
    def kind(value: object) -> UnitKind:
        text = clean(value) or UnitKind.OTHER.value
        if text not in UnitKind._value2member_map_:
            raise DomainError(N_("“{value}” is not one of the allowed values."), field="kind", value=text[:40])
        return UnitKind(text)

    values = _collect(raw, {"name": lambda v: short_text(v, "name", NAME_MAX, required=True), "kind": kind, **_CONTACT_CHECKS})
    return UnitInput(values["name"], values["kind"], _contacts(values))


def parse_office(raw: Mapping[str, object]) -> OfficeInput:
    values = _collect(raw, {"name": lambda v: short_text(v, "name", NAME_MAX, required=True), **_CONTACT_CHECKS})
    return OfficeInput(values["name"], _contacts(values))
