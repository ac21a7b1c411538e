"""PRC resident ID numbers (居民身份证号, GB 11643-1999) and phone numbers.

Pure functions: they check what a person typed into a form or an Excel
sheet, refuse it with a DomainError naming the reason, or return the one
canonical spelling that is stored, compared and blind-indexed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from service import clock
from service.errors import N_, DomainError

Gender = Literal["male", "female"]

# Chinese input methods and spreadsheets often produce full-width characters
# (１２３, Ｘ, ＋, －); they mean the same as their ASCII forms.
_FULL_WIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"Ｘ": "X", "ｘ": "x", "＋": "+", "－": "-"})

# ISO 7064 MOD 11-2 as GB 11643 states it: the digit at 0-based position k
# weighs 2**(17 - k) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"  # indexed by the weighted sum mod 11

_ID_CHARS = re.compile(r"[0-9]*[0-9X]")
_SEVENTEEN_DIGITS = re.compile(r"[0-9]{17}")
_REGION_CODE = re.compile(r"[0-9]{6}")
_EARLIEST_BIRTH = date(1900, 1, 1)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# Area codes are 010 and 02x (three digits) or 03xx-09xx (four digits); a
# local number is 7 or 8 digits and never starts with 0, the trunk prefix.
_LANDLINE = re.compile(r"(010|02[0-9]|0[3-9][0-9]{2})([1-9][0-9]{6,7})")
_PHONE_SEPARATORS = re.compile(r"[\s-]")


@dataclass(frozen=True)
class NationalId:
    """A resident ID number that passed every check, and what it encodes."""

    number: str  # the canonical 18 characters, final check character upper-case
    region_code: str  # 行政区划代码 where the number was first issued
    birth_date: date
    gender: Gender


def check_digit(first17: str) -> str:
    """Return the check character ('0'-'9' or 'X') for the first 17 digits."""
    if not _SEVENTEEN_DIGITS.fullmatch(first17):
        # The value is not echoed: it may be most of a real ID number.
        raise ValueError(f"expected 17 ASCII digits, got {len(first17)} characters")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def parse_national_id(text: str, *, today: date | None = None) -> NationalId:
    """Check a typed ID number and return it in canonical form.

    Surrounding whitespace is ignored, full-width digits and a lower-case x
    are accepted.  Characters are checked before length so that a number
    typed with spaces in it is refused for the spaces, not for its length.
    ``today`` bounds the birth date; it defaults to the current date.
    """
    number = text.strip().translate(_FULL_WIDTH).upper()
    if not number:
        raise DomainError(N_("Enter an ID number."), field="id_number")
    if not _ID_CHARS.fullmatch(number):
        raise DomainError(
            N_("An ID number may contain only digits, and an X as its last character."),
            field="id_number",
        )
    if len(number) != 18:
        raise DomainError(
            N_("An ID number must be 18 characters long; this one has {length}."),
            field="id_number",
            length=len(number),
        )
    birth_date = _birth_date(number[6:14], today or clock.today())
    if check_digit(number[:17]) != number[17]:
        raise DomainError(
            N_("This ID number does not pass its check digit; a character is probably mistyped."),
            field="id_number",
        )
    return NationalId(
        number=number,
        region_code=number[:6],
        birth_date=birth_date,
        gender="male" if int(number[16]) % 2 else "female",
    )


def _birth_date(digits: str, today: date) -> date:
    """Read the YYYYMMDD birth date and refuse one no living worker can have."""
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise DomainError(
            N_("The birth date in this ID number ({digits}) is not a real date."),
            field="id_number",
            digits=digits,
        ) from None
    if born < _EARLIEST_BIRTH:
        raise DomainError(
            N_("The birth date in this ID number ({birth_date}) is before 1900."),
            field="id_number",
            birth_date=born.isoformat(),
        )
    if born > today:
        raise DomainError(
            N_("The birth date in this ID number ({birth_date}) is in the future."),
            field="id_number",
            birth_date=born.isoformat(),
        )
    return born


def mask_national_id(number: str) -> str:
    """Hide the birth date and sequence of a canonical ID number for display.

    Anything but 18 characters is refused rather than masked by guesswork,
    so a malformed value can never leak more than intended.
    """
    if len(number) != 18:
        raise ValueError("can only mask an 18-character ID number")
    return f"{number[:4]}{'*' * 10}{number[-4:]}"


def make_national_id(region_code: str, birth_date: date, sequence: int, gender: Gender) -> str:
    """Build a valid ID number, for demo data and test factories.

    ``sequence`` (0-99) fills digits 15-16; digit 17 is 1 for a man and 2
    for a woman, as the 17th digit's parity encodes gender.  The birth date
    is not checked for plausibility, so a test can build a refusable number.
    """
    if not _REGION_CODE.fullmatch(region_code):
        raise ValueError(f"region code must be 6 ASCII digits, got {region_code!r}")
    if not 0 <= sequence <= 99:
        raise ValueError(f"sequence must be 0-99, got {sequence}")
    gender_digit = {"male": "1", "female": "2"}[gender]
    first17 = f"{region_code}{birth_date.year:04d}{birth_date.month:02d}{birth_date.day:02d}{sequence:02d}{gender_digit}"
    return first17 + check_digit(first17)


def normalize_phone(text: str) -> str:
    """Return a mainland phone number in its one stored spelling.

    A mobile number comes back as its bare 11 digits, with any +86 or 0086
    prefix dropped; a landline as ``AREA-NUMBER`` (``028-85551234``).  Spaces
    and dashes anywhere are ignored, and the area code is found from the
    numbering plan rather than from where the person put a dash.
    """
    digits = _PHONE_SEPARATORS.sub("", text.translate(_FULL_WIDTH))
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix) and _MOBILE.fullmatch(digits[len(prefix) :]):
            return digits[len(prefix) :]
    if _MOBILE.fullmatch(digits):
        return digits
    landline = _LANDLINE.fullmatch(digits)
    if landline:
        return f"{landline[1]}-{landline[2]}"
    raise DomainError(
        N_("Enter an 11-digit mobile number, or a landline number with its area code (such as 028-85551234)."),
        field="phone",
    )


def age_on(birth_date: date, on: date) -> int:
    """Completed years of age on a date.

    Comparing (month, day) pairs makes someone born on 29 February a year
    older on 1 March in a non-leap year, the usual legal reading.
    """
    if on < birth_date:
        raise ValueError("cannot give an age on a date before the birth date")
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years
