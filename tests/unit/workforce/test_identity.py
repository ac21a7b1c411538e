"""ID numbers and phone numbers: what is accepted, how it is stored, why it is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.errors import DomainError
from service.workforce.identity import (
    NationalId,
    age_on,
    check_digit,
    make_national_id,
    mask_national_id,
    normalize_phone,
    parse_national_id,
)

TODAY = date(2024, 6, 15)

# Check digits worked out by hand from the GB 11643 weights, e.g. for the
# first: 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 -> X.
SAMPLE_FEMALE = "11010519491231002X"  # the standard's own example, Beijing Chaoyang
SAMPLE_1880 = "440524188001010014"  # sum 195, mod 11 = 8 -> 4; born before 1900
SAMPLE_CHENGDU = "510104199003151210"  # sum 210, mod 11 = 1 -> 0


def refusal(text: str, today: date = TODAY) -> DomainError:
    with pytest.raises(DomainError) as caught:
        parse_national_id(text, today=today)
    assert caught.value.field == "id_number"
    return caught.value


def with_check(first17: str) -> str:
    return first17 + check_digit(first17)


# --- check digit -------------------------------------------------------------


@pytest.mark.parametrize("number", [SAMPLE_FEMALE, SAMPLE_1880, SAMPLE_CHENGDU])
def test_check_digit_of_hand_checked_samples(number: str) -> None:
    assert check_digit(number[:17]) == number[17]


def test_weights_are_powers_of_two_mod_11() -> None:
    # A lone 1 at position k makes the weighted sum that position's weight,
    # which GB 11643 defines as 2**(17 - k) mod 11.
    for k in range(17):
        first17 = "0" * k + "1" + "0" * (16 - k)
        assert check_digit(first17) == "10X98765432"[2 ** (17 - k) % 11]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "1101051949123100",  # 16 digits
        "110105194912310021",  # 18 digits
        "1101051949123100X",
        "１１０１０５１９４９１２３１００２",  # full-width is for parse_national_id to convert
    ],
)
def test_check_digit_wants_17_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


# --- parsing: accepted --------------------------------------------------------


def test_parse_standard_sample() -> None:
    assert parse_national_id(SAMPLE_FEMALE, today=TODAY) == NationalId(
        number=SAMPLE_FEMALE,
        region_code="110105",
        birth_date=date(1949, 12, 31),
        gender="female",
    )


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",  # lower-case x
        "  11010519491231002X\t",
        "\u300011010519491231002X\u3000",  # ideographic spaces from a Chinese IME
        "１１０１０５１９４９１２３１００２Ｘ",  # full-width digits and X
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_parse_normalizes_spelling(typed: str) -> None:
    assert parse_national_id(typed, today=TODAY).number == SAMPLE_FEMALE


def test_parse_digit_check_character() -> None:
    parsed = parse_national_id(SAMPLE_CHENGDU, today=TODAY)
    assert parsed.number == SAMPLE_CHENGDU
    assert parsed.region_code == "510104"
    assert parsed.birth_date == date(1990, 3, 15)
    assert parsed.gender == "male"


def test_parse_uses_current_date_by_default() -> None:
    assert parse_national_id(SAMPLE_FEMALE).birth_date == date(1949, 12, 31)


# --- parsing: refused ---------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "   ", "\u3000"])
def test_refuses_empty(typed: str) -> None:
    assert refusal(typed).message == "Enter an ID number."


@pytest.mark.parametrize(
    ("typed", "length"),
    [
        ("11010519491231002", 17),
        ("1101051949123100211", 19),
        ("12345X", 6),
        ("110105491231002", 15),  # a first-generation 15-digit number
    ],
)
def test_refuses_wrong_length(typed: str, length: int) -> None:
    error = refusal(typed)
    assert error.message == "An ID number must be 18 characters long; this one has {length}."
    assert error.params == {"length": length}
    assert str(error).endswith(f"this one has {length}.")


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002Y",
        "1101051949123100X2",  # X anywhere but last
        "110105194912310O2X",  # letter O for zero
        "110105 19491231 002X",  # inner spaces are refused for the spaces, not the length
        "110105-19491231-002X",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits are not digits here
    ],
)
def test_refuses_illegal_characters(typed: str) -> None:
    assert refusal(typed).message == ("An ID number may contain only digits, and an X as its last character.")


@pytest.mark.parametrize(
    "birth",
    [
        "19490230",  # 30 February
        "19491301",  # month 13
        "19490001",  # month 0
        "19490100",  # day 0
        "19490229",  # 1949 is not a leap year
        "19000229",  # nor is 1900 (divisible by 100, not by 400)
        "00000101",  # year 0
    ],
)
def test_refuses_birth_date_that_is_not_a_date(birth: str) -> None:
    error = refusal(with_check(f"110105{birth}002"))
    assert error.message == "The birth date in this ID number ({digits}) is not a real date."
    assert error.params == {"digits": birth}


def test_born_today_is_accepted_and_tomorrow_refused() -> None:
    born_today = with_check("110105" + TODAY.strftime("%Y%m%d") + "002")
    assert parse_national_id(born_today, today=TODAY).birth_date == TODAY
    tomorrow = TODAY + timedelta(days=1)
    error = refusal(with_check("110105" + tomorrow.strftime("%Y%m%d") + "002"))
    assert error.message == "The birth date in this ID number ({birth_date}) is in the future."
    assert error.params == {"birth_date": "2024-06-16"}


def test_first_of_1900_is_accepted_and_the_day_before_refused() -> None:
    assert parse_national_id(with_check("11010519000101002"), today=TODAY).birth_date == date(1900, 1, 1)
    error = refusal(with_check("11010518991231002"))
    assert error.message == "The birth date in this ID number ({birth_date}) is before 1900."
    assert error.params == {"birth_date": "1899-12-31"}
    assert refusal(SAMPLE_1880).params == {"birth_date": "1880-01-01"}


@pytest.mark.parametrize("leap_day", ["20000229", "19960229", "20240229"])
def test_leap_day_births_are_real(leap_day: str) -> None:
    parsed = parse_national_id(with_check(f"510104{leap_day}121"), today=TODAY)
    assert (parsed.birth_date.month, parsed.birth_date.day) == (2, 29)


@pytest.mark.parametrize(
    "typed",
    [
        "110105194912310021",  # wrong final character
        "11010519491231003X",  # one digit mistyped
        "11010519491213002X",  # two adjacent digits swapped
        "510104199003151211",
    ],
)
def test_refuses_wrong_check_digit(typed: str) -> None:
    assert refusal(typed).message == ("This ID number does not pass its check digit; a character is probably mistyped.")


def test_every_refusal_reason_has_its_own_msgid() -> None:
    tomorrow = TODAY + timedelta(days=1)
    messages = {
        refusal("").message,
        refusal("123").message,
        refusal("11010519491231002Y").message,
        refusal(with_check("11010519490230002")).message,
        refusal(with_check("11010518991231002")).message,
        refusal(with_check("110105" + tomorrow.strftime("%Y%m%d") + "002")).message,
        refusal("110105194912310021").message,
    }
    assert len(messages) == 7


# --- properties ---------------------------------------------------------------

region_codes = st.from_regex(r"[1-9][0-9]{5}", fullmatch=True)
births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
genders = st.sampled_from(["male", "female"])


@given(region_codes, births, st.integers(0, 99), genders)
def test_make_then_parse_round_trips(region: str, born: date, sequence: int, gender) -> None:
    number = make_national_id(region, born, sequence, gender)
    assert parse_national_id(number, today=TODAY) == NationalId(
        number=number, region_code=region, birth_date=born, gender=gender
    )
    assert number[14:16] == f"{sequence:02d}"


@given(
    region_codes,
    births,
    st.integers(0, 99),
    genders,
    st.integers(0, 17),
    st.sampled_from("0123456789X"),
)
def test_any_single_character_mistake_is_refused(
    region: str, born: date, sequence: int, gender, position: int, replacement: str
) -> None:
    number = make_national_id(region, born, sequence, gender)
    typo = number[:position] + replacement + number[position + 1 :]
    if typo != number:
        with pytest.raises(DomainError):
            parse_national_id(typo, today=TODAY)


# --- building -------------------------------------------------------------------


def test_make_reproduces_the_standard_sample() -> None:
    assert make_national_id("110105", date(1949, 12, 31), 0, "female") == SAMPLE_FEMALE
    assert make_national_id("510104", date(1990, 3, 15), 12, "male") == SAMPLE_CHENGDU


@pytest.mark.parametrize("region", ["11010", "1101055", "11O105", "１１０１０５"])
def test_make_refuses_bad_region_code(region: str) -> None:
    with pytest.raises(ValueError, match="region code"):
        make_national_id(region, date(1990, 1, 1), 0, "male")


@pytest.mark.parametrize("sequence", [-1, 100])
def test_make_refuses_sequence_out_of_range(sequence: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        make_national_id("110105", date(1990, 1, 1), sequence, "male")


# --- masking --------------------------------------------------------------------


def test_mask_shows_first_and_last_four() -> None:
    assert mask_national_id(SAMPLE_FEMALE) == "1101**********002X"
    assert mask_national_id("510104199003151234") == "5101**********1234"


@pytest.mark.parametrize("bad", ["", "1101051949", "1101051949123100211"])
def test_mask_refuses_anything_but_18_characters(bad: str) -> None:
    with pytest.raises(ValueError):
        mask_national_id(bad)


# --- phones -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        (" 13812345678\n", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("＋８６　１３８１２３４５６７８", "13812345678"),
        ("19912345678", "19912345678"),
        ("028-85551234", "028-85551234"),
        ("02885551234", "028-85551234"),
        ("028 8555 1234", "028-85551234"),
        ("0288-5551234", "028-85551234"),  # the dash is misplaced; the plan decides
        ("010-12345678", "010-12345678"),
        ("020-83331234", "020-83331234"),
        ("0755-86013388", "0755-86013388"),
        ("0571-8765432", "0571-8765432"),  # 7-digit local numbers still exist
        ("0991 2345678", "0991-2345678"),
    ],
)
def test_phone_accepted(typed: str, stored: str) -> None:
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "12812345678",  # no mobile numbers start 12
        "10012345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "+8612812345678",
        "8613812345678",  # country code without + or 00
        "+1 415 555 1234",
        "013812345678",
        "011-12345678",  # no 011 area code
        "028-05551234",  # a local number never starts with the trunk prefix 0
        "028-555123",  # 6-digit local number
        "028-855512345",  # 9-digit local number
        "028-85551234-801",  # extensions are not stored here
        "85551234",  # landline without area code
        "+86 028 85551234",
        "138.1234.5678",
        "phone: 13812345678",
    ],
)
def test_phone_refused(typed: str) -> None:
    with pytest.raises(DomainError) as caught:
        normalize_phone(typed)
    assert caught.value.field == "phone"
    assert "mobile" in caught.value.message and "area code" in caught.value.message


# --- age ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1990, 6, 15), date(1990, 6, 15), 0),
        (date(1990, 6, 15), date(2024, 6, 14), 33),
        (date(1990, 6, 15), date(2024, 6, 15), 34),
        (date(1990, 12, 31), date(2024, 1, 1), 33),
        (date(2000, 2, 29), date(2018, 2, 28), 17),  # non-leap: not yet on 28 Feb
        (date(2000, 2, 29), date(2018, 3, 1), 18),  # ... but on 1 March
        (date(2000, 2, 29), date(2020, 2, 28), 19),
        (date(2000, 2, 29), date(2020, 2, 29), 20),  # leap year: on the day itself
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


def test_age_before_birth_is_an_error() -> None:
    with pytest.raises(ValueError):
        age_on(date(2000, 1, 2), date(2000, 1, 1))
