"""The campaign's proposal (one grade up, stay, one grade down), stored reasons, and the SVG charts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from service.assessment.charts import PeriodRow, Series, distribution_svg, trend_svg
from service.assessment.ratings import Rating
from service.errors import Label
from service.grades.actions import evaluations_json, propose, reason_params
from service.grades.rules import BasicConditions, GradeCriteria, WorkerFacts
from service.i18n import translator
from service.workforce.models import Education

ON = date(2026, 6, 30)
BASIC = BasicConditions(1)


def facts(**overrides: object) -> WorkerFacts:
    values = {
        "birth_date": date(1990, 1, 1),
        "hire_date": date(2018, 1, 1),
        "education": Education.BACHELOR,
        "post_points": Decimal(100),
        "trainings": frozenset({"执法培训"}),
        "ratings": (Rating.GOOD, Rating.EXCELLENT),
        "disciplinary_dates": (),
        "political_standing_confirmed": True,
        "fitness_confirmed": True,
        "conduct_confirmed": True,
    }
    values.update(overrides)
    return WorkerFacts(**values)  # type: ignore[arg-type]


CRITERIA = {
    4: GradeCriteria(4, BASIC, min_education=Education.BACHELOR, min_rating=Rating.GOOD, rating_periods=2),
    5: GradeCriteria(5, BASIC, min_rating=Rating.BASIC, rating_periods=1),
}


def test_eligible_for_the_grade_above_is_proposed_up() -> None:
    grade, evaluations = propose(facts(), 5, CRITERIA, ON)
    assert grade == 4 and [e.grade for e in evaluations] == [4]


def test_not_eligible_above_but_meeting_their_own_grade_stays() -> None:
    grade, evaluations = propose(facts(education=Education.SENIOR_HIGH), 5, CRITERIA, ON)
    assert grade == 5 and [e.grade for e in evaluations] == [4, 5]


def test_failing_their_own_grade_is_proposed_one_down() -> None:
    grade, _ = propose(facts(ratings=(Rating.GOOD, Rating.FAILS)), 4, CRITERIA, ON)
    assert grade == 5


def test_grade_five_is_the_floor_and_unconfigured_grades_promote_nobody() -> None:
    assert propose(facts(ratings=(Rating.FAILS,)), 5, {5: CRITERIA[5]}, ON)[0] == 5
    assert propose(facts(), 4, {}, ON) == (4, [])


def test_disciplinary_record_blocks_promotion() -> None:
    grade, [up, _] = propose(facts(disciplinary_dates=(date(2026, 1, 5),)), 5, CRITERIA, ON)
    assert grade == 5 and not up.eligible


def test_stored_reasons_translate_back_with_their_labels() -> None:
    _, evaluations = propose(facts(education=Education.SENIOR_HIGH), 5, CRITERIA, ON)
    stored = evaluations_json(evaluations)
    education = next(r for r in stored[0]["reasons"] if r["condition"] == "education")
    params = reason_params(education["params"])
    assert isinstance(params["required"], Label)
    text = translator("zh_CN")(education["message"], **params)
    assert "本科" in text
    ratings = next(r for r in stored[0]["reasons"] if r["condition"] == "ratings")
    assert isinstance(reason_params(ratings["params"])["had"], tuple)


def test_distribution_svg_is_scaled_and_escaped() -> None:
    labels = {r: r.chinese_name for r in Rating}
    svg = distribution_svg(
        [PeriodRow(1, "<一月>", {Rating.EXCELLENT: 1, Rating.FAILS: 3}), PeriodRow(2, "二月")], labels, "分布"
    )
    assert svg.startswith("<svg") and 'viewBox="0 0 340' in svg and "&lt;一月&gt;" in svg
    assert "<script" not in svg and svg.count("<rect") >= 3


def test_trend_svg_draws_a_line_per_group_and_skips_gaps() -> None:
    series = [
        Series("扬尘", [Decimal("80"), None, Decimal("90")]),
        Series("市容", [Decimal("70"), Decimal("75"), Decimal("72")]),
    ]
    svg = trend_svg(["一月", "二月", "三月"], series, "趋势")
    assert svg.count("<polyline") == 2 and svg.count("<circle") == 5
    assert "<svg" in trend_svg(["一月"], [Series("扬尘", [Decimal("80")])], "趋势")
