"""The five assessment ratings, best first.

Seed 000 (健全绩效考核体系): "设立五个等级：优秀、优良、达标、基本达标及不达标".
"""

from __future__ import annotations

from enum import Enum


class Rating(Enum):
    """An assessment rating; members are declared best first."""

    EXCELLENT = "excellent"
    GOOD = "good"
    MEETS = "meets"
    BASIC = "basic"
    FAILS = "fails"

    @property
    def label(self) -> str:
        """The Chinese name shown to workers and reviewers."""
        return _LABELS[self]

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

_LABELS: dict[Rating, str] = {
    Rating.EXCELLENT: "优秀",
    Rating.GOOD: "优良",
    Rating.MEETS: "达标",
    Rating.BASIC: "基本达标",
    Rating.FAILS: "不达标",
}
