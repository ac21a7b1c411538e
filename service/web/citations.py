"""Citations of the law as a Chinese reader writes them.

The rules cite compactly ("劳动合同法 Arts. 44(1), 46(5); 实施条例 Art. 22"), one
form for both languages.  On a Chinese page that becomes
"《劳动合同法》第44条第（一）项、第46条第（五）项；《实施条例》第22条".
Parts without article numbers (a local rule) pass through unchanged.
"""

from __future__ import annotations

import re

_PART = re.compile(r"^(?P<law>\S+) Arts?\. (?P<refs>.+)$")
_REF = re.compile(r"^(?P<first>\d+)(?:-(?P<last>\d+))?(?:\((?P<item>\d+)\))?(?: ¶(?P<paragraph>\d+))?$")
_NUMERALS = "零一二三四五六七八九十"


def _numeral(n: int) -> str:
    if n <= 10:
        return _NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _NUMERALS[tens]) + "十" + (_NUMERALS[ones] if ones else "")


def _ref(text: str) -> str | None:
    match = _REF.match(text.strip())
    if match is None:
        return None
    first, last = match["first"], match["last"]
    cited = f"第{first}–{last}条" if last else f"第{first}条"
    if match["paragraph"]:
        cited += f"第{match['paragraph']}款"
    if match["item"]:
        cited += f"第（{_numeral(int(match['item']))}）项"
    return cited


def _part(text: str) -> str:
    match = _PART.match(text.strip())
    if match is None:
        return text.strip()
    refs = [_ref(r) for r in match["refs"].split(",")]
    if any(r is None for r in refs):
        return text.strip()
    return f"《{match['law']}》" + "、".join(refs)  # type: ignore[arg-type]


def in_chinese(citation: str) -> str:
    return "；".join(_part(p) for p in citation.split(";"))


def citation(text: str | None, locale: str) -> str:
    """The Jinja filter: Chinese form on Chinese pages, the compact form otherwise."""
    if not text:
        return ""
    return in_chinese(text) if locale == "zh_CN" else text
