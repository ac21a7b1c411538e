"""The unified social credit code's check character (GB 32100-2015)."""

from __future__ import annotations

import pytest

from service.platform.credit_code import ALPHABET, WEIGHTS, check_character, is_valid, normalise

# Codes of real, registered companies (public business-registration records)
# and the standard's own worked example.
REAL_CODES = [
    "91350100M000100Y43",  # the example printed in GB 32100-2015
    "91440300708461136T",  # 深圳市腾讯计算机系统有限公司
    "914403001922038216",  # 华为技术有限公司
    "91110000802100433B",  # 北京百度网讯科技有限公司
    "91330100799655058B",  # 杭州阿里巴巴广告有限公司
]


def test_the_weights_are_powers_of_three_mod_31() -> None:
    assert WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert len(ALPHABET) == 31 and not set("IOSVZ") & set(ALPHABET)


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code: str) -> None:
    assert is_valid(code)
    assert check_character(code[:17]) == code[17]


@pytest.mark.parametrize("code", REAL_CODES)
def test_changing_any_one_character_is_caught(code: str) -> None:
    for position in range(18):
        for replacement in ALPHABET:
            if replacement == code[position]:
                continue
            corrupted = code[:position] + replacement + code[position + 1 :]
            assert not is_valid(corrupted), corrupted


@pytest.mark.parametrize("code", REAL_CODES)
def test_swapping_two_neighbours_is_caught(code: str) -> None:
    for position in range(17):
        if code[position] != code[position + 1]:
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            assert not is_valid(swapped), swapped


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91440300708461136",  # 17 characters
        "91440300708461136TT",  # 19
        "91440300708461136t",  # lower case is normalised by the caller, not here
        "9144030070846113IT",  # I is not in the alphabet
        "91440300708461136O",
        "９1440300708461136T",  # a full-width digit
    ],
)
def test_malformed_codes_are_refused(code: str) -> None:
    assert not is_valid(code)


def test_normalise_removes_spaces_and_upper_cases() -> None:
    assert normalise(" 9144 0300 7084 6113 6t ") == "91440300708461136T"
    assert is_valid(normalise("91440300708461136t"))
