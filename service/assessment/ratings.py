"""The five assessment ratings, best first.

Seed 000 (健全绩效考核体系): "设立五个等级：优秀、优良、达标、基本达标及不达标".
"""

from __future__ import annotations

from enum import Enum

from service.errors import N_, Label


class Rating(Enum):
    """An assessment rating; members are declared best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    MEETS = "meets"
    BASIC = "basic"
    FAILS = "fails"

    @property
    def label(self) -> str:
        """The display name: an English msgid, translated at the edge (zh_CN: 优秀 ...)."""
        return Label(LABELS[self])

    @property
    def chinese_name(self) -> str:
        """The official Chinese term of seed 000 (优秀, 优良, 达标, 基本达标, 不达标).

        For matching what people type, e.g. a rating column of an Excel
        sheet; not a display label (use ``label`` and the Translator).
        """
        return _CHINESE_NAMES[self]

    @property
    def rank(self) -> int:
        """0 for the best rating (优秀), 4 for the worst (不达标)."""
        return _ORDER.index(self)

    def at_least(self, other: Rating) -> bool:
        """Whether this rating is as good as ``other`` or better."""
        return self.rank <= other.rank

    def next_lower(self) -> Rating:
        """The rating one step below; 不达标 has none."""
        if self is Rating.FAILS:
            raise ValueError("no rating below FAILS")
        return _ORDER[self.rank + 1]


_ORDER: tuple[Rating, ...] = tuple(Rating)

LABELS: dict[Rating, str] = {
    Rating.EXCELLENT: N_("Excellent"),
    Rating.GOOD: N_("Good"),
    Rating.MEETS: N_("Up to standard"),
    Rating.BASIC: N_("Basically up to standard"),
    Rating.FAILS: N_("Below standard"),
}

_CHINESE_NAMES: dict[Rating, str] = {
    Rating.EXCELLENT: "优秀",
    Rating.GOOD: "优良",
    Rating.MEETS: "达标",
    Rating.BASIC: "基本达标",
    Rating.FAILS: "不达标",
}
