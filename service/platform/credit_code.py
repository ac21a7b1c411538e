"""The unified social credit code (统一社会信用代码), GB 32100-2015.

Eighteen characters from a 31-character alphabet (digits and capital letters
without I, O, S, V, Z): registration authority, organisation type, the
six-digit administrative division, the nine-character organisation code,
and a check character.  The check character is chosen so that the weighted
sum of all eighteen values is a multiple of 31; weight i is 3**i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: value for value, char in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def normalise(code: str) -> str:
    """Upper-case, without the spaces people paste in."""
    return "".join(code.split()).upper()


def check_character(first17: str) -> str:
    """The check character for the first seventeen characters."""
    total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    """True when the code has eighteen allowed characters and its check character is right."""
    if len(code) != 18 or any(char not in VALUES for char in code):
        return False
    return check_character(code[:17]) == code[17]
