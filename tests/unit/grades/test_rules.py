from dataclasses import replace
from datetime import date
from decimal import Decimal as D

import pytest

from service.assessment.ratings import Rating
from service.errors import DomainError
from service.grades.rules import (
    AUTHORITY,
    AUTHORITY_MESSAGES,
    BasicConditions,
    Body,
    GradeChange,
    GradeCriteria,
    WorkerFacts,
    check_authority,
    check_grade,
    evaluate,
    grade_change,
)
from service.workforce.models import Education

ON = date(2024, 7, 1)
BASIC = BasicConditions(disciplinary_window_years=2)
GRADE_4 = GradeCriteria(
    grade=4,
    basic=BASIC,
    min_age=20,
    max_age=45,
    min_education=Education.SENIOR_HIGH,
    min_years_of_service=3,
    min_post_points=D("60"),
    required_trainings=frozenset({"law-basics", "first-aid"}),
    min_rating=Rating.GOOD,
    rating_periods=2,
)
WORKER = WorkerFacts(
    birth_date=date(1990, 7, 1),  # 34 on ON
    hire_date=date(2021, 7, 1),  # 3 full years on ON
    education=Education.SENIOR_HIGH,
    post_points=D("60"),
    trainings=frozenset({"law-basics", "first-aid", "driving"}),
    ratings=(Rating.FAILS, Rating.EXCELLENT, Rating.GOOD),
    disciplinary_dates=(date(2022, 6, 30),),
    political_standing_confirmed=True,
    fitness_confirmed=True,
    conduct_confirmed=True,
)


def unmet(facts, criteria=GRADE_4, on=ON):
    return [r.condition for r in evaluate(facts, criteria, on).unmet]


def test_a_worker_meeting_everything_exactly_is_eligible():
    result = evaluate(WORKER, GRADE_4, ON)
    assert result.eligible
    assert result.grade == 4
    assert [r.condition for r in result.reasons] == [
        "political_standing",
        "fitness",
        "conduct",
        "discipline",
        "min_age",
        "max_age",
        "education",
        "years_of_service",
        "post_points",
        "training",
        "training",
        "ratings",
    ]
    assert all(r.met for r in result.reasons)


def test_reasons_carry_msgids_and_params():
    reasons = {r.condition: r for r in evaluate(WORKER, GRADE_4, ON).reasons}
    assert reasons["min_age"].message == "Aged at least {min_age} (age: {age})"
    assert reasons["min_age"].params == {"min_age": 20, "age": 34}
    assert reasons["education"].params == {
        "required": "Senior high or vocational",
        "actual": "Senior high or vocational",
    }
    assert reasons["ratings"].params == {
        "rating": "Good",
        "periods": 2,
        "had": ("Excellent", "Good"),
    }
    assert reasons["discipline"].params == {"years": 2, "count": 0}


def test_only_configured_conditions_are_listed():
    bare = GradeCriteria(grade=5, basic=BASIC)
    assert [r.condition for r in evaluate(WORKER, bare, ON).reasons] == [
        "political_standing",
        "fitness",
        "conduct",
        "discipline",
    ]


@pytest.mark.parametrize("flag", ["political_standing", "fitness", "conduct"])
def test_each_basic_confirmation_is_required(flag):
    assert unmet(replace(WORKER, **{f"{flag}_confirmed": False})) == [flag]


@pytest.mark.parametrize(
    "record, counts",
    [
        (date(2022, 7, 1), True),  # the first day of the window
        (date(2022, 6, 30), False),  # the day before it
        (date(2024, 7, 1), True),  # the evaluation day
        (date(2024, 7, 2), False),  # after the evaluation date
    ],
)
def test_disciplinary_window(record, counts):
    result = unmet(replace(WORKER, disciplinary_dates=(record,)))
    assert result == (["discipline"] if counts else [])


def test_disciplinary_window_from_29_february():
    # two years before 29 February 2024 is taken as 28 February 2022
    bare = GradeCriteria(grade=5, basic=BASIC)
    leap_day = date(2024, 2, 29)
    inside = replace(WORKER, disciplinary_dates=(date(2022, 2, 28),))
    outside = replace(WORKER, disciplinary_dates=(date(2022, 2, 27),))
    assert unmet(inside, bare, leap_day) == ["discipline"]
    assert unmet(outside, bare, leap_day) == []


def test_age_from_29_february_counts_on_1_march():
    facts = replace(WORKER, birth_date=date(2004, 2, 29), hire_date=date(2020, 1, 1))
    facts = replace(facts, disciplinary_dates=())
    assert unmet(facts, on=date(2024, 2, 28)) == ["min_age"]
    assert unmet(facts, on=date(2024, 3, 1)) == []


def test_age_edges():
    assert unmet(replace(WORKER, birth_date=date(2004, 7, 1))) == []  # 20 today
    assert unmet(replace(WORKER, birth_date=date(2004, 7, 2))) == ["min_age"]  # 19
    assert unmet(replace(WORKER, birth_date=date(1978, 7, 2))) == []  # 45
    assert unmet(replace(WORKER, birth_date=date(1978, 7, 1))) == ["max_age"]  # 46 today


def test_education_is_ordered():
    assert unmet(replace(WORKER, education=Education.JUNIOR_HIGH)) == ["education"]
    assert unmet(replace(WORKER, education=Education.POSTGRADUATE)) == []
    assert [e.rank for e in Education] == [0, 1, 2, 3, 4]
    assert [e.value for e in sorted(Education, key=lambda e: e.rank)] == [
        "junior_high",
        "senior_high",
        "junior_college",
        "bachelor",
        "postgraduate",
    ]


def test_education_label_is_the_roster_msgid():
    facts = replace(WORKER, education=Education.JUNIOR_HIGH)
    reasons = {r.condition: r for r in evaluate(facts, GRADE_4, ON).reasons}
    assert reasons["education"].params == {
        "required": "Senior high or vocational",
        "actual": "Junior high or below",
    }


def test_years_of_service_edges():
    assert unmet(replace(WORKER, hire_date=date(2021, 7, 2))) == ["years_of_service"]


def test_post_points_edges():
    assert unmet(replace(WORKER, post_points=D("59.99"))) == ["post_points"]


def test_each_missing_training_is_a_reason():
    result = evaluate(replace(WORKER, trainings=frozenset()), GRADE_4, ON)
    assert [r.params for r in result.unmet] == [{"training": "first-aid"}, {"training": "law-basics"}]


def test_ratings_in_the_last_periods():
    assert unmet(replace(WORKER, ratings=(Rating.GOOD, Rating.MEETS))) == ["ratings"]
    assert unmet(replace(WORKER, ratings=(Rating.MEETS, Rating.GOOD, Rating.GOOD))) == []
    assert unmet(replace(WORKER, ratings=(Rating.EXCELLENT,))) == ["ratings"]  # too few periods
    assert unmet(replace(WORKER, ratings=())) == ["ratings"]


def test_several_unmet_reasons_together():
    facts = replace(WORKER, fitness_confirmed=False, post_points=D("0"), ratings=())
    assert unmet(facts) == ["fitness", "post_points", "ratings"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"grade": 0}, "grade"),
        ({"grade": 6}, "grade"),
        ({"min_age": 50}, "min_age"),
        ({"min_age": -1}, "min_age"),
        ({"min_post_points": D("-1")}, "min_post_points"),
        ({"rating_periods": 0}, "rating_periods"),
        ({"min_rating": None}, "rating_periods"),
        ({"rating_periods": -1}, "rating_periods"),
    ],
)
def test_criteria_are_validated(changes, field):
    with pytest.raises(DomainError) as err:
        replace(GRADE_4, **changes)
    assert err.value.field == field


def test_basic_window_must_be_a_year_or_more():
    with pytest.raises(DomainError):
        BasicConditions(disciplinary_window_years=0)


# --- grades and authority ----------------------------------------------------


def test_check_grade():
    assert check_grade(1) == 1 and check_grade(5) == 5
    for bad in (0, 6):
        with pytest.raises(DomainError):
            check_grade(bad)


def test_grade_1_is_the_highest():
    assert grade_change(5, 4) is GradeChange.PROMOTION
    assert grade_change(2, 3) is GradeChange.DEMOTION
    assert grade_change(3, 3) is GradeChange.UNCHANGED
    with pytest.raises(DomainError):
        grade_change(5, 0)


def test_authority_table_of_seed_002():
    jointly = frozenset({Body.CLIENT_BUREAU, Body.DISPATCH_COMPANY})
    office = frozenset({Body.ESTABLISHMENT_OFFICE})
    assert dict(AUTHORITY) == {5: jointly, 4: office, 3: office, 2: office, 1: office}


def test_grade_5_is_decided_jointly():
    check_authority({Body.CLIENT_BUREAU, Body.DISPATCH_COMPANY}, 5)
    for alone in (Body.CLIENT_BUREAU, Body.DISPATCH_COMPANY, Body.ESTABLISHMENT_OFFICE):
        with pytest.raises(DomainError) as err:
            check_authority({alone}, 5)
        assert err.value.message == ("Grade {grade} is decided jointly by the client bureau and the dispatch company.")
        assert err.value.params == {"grade": 5}


@pytest.mark.parametrize("grade", [1, 2, 3, 4])
def test_grade_4_and_above_by_the_establishment_office(grade):
    check_authority({Body.ESTABLISHMENT_OFFICE}, grade)
    check_authority({Body.ESTABLISHMENT_OFFICE, Body.CLIENT_BUREAU}, grade)
    with pytest.raises(DomainError) as err:
        check_authority({Body.CLIENT_BUREAU, Body.DISPATCH_COMPANY}, grade)
    assert err.value.message == "Grade {grade} is decided by the establishment office."
    assert err.value.params == {"grade": grade}


def test_every_authority_has_its_message_and_bodies_have_msgids():
    assert set(AUTHORITY.values()) <= set(AUTHORITY_MESSAGES)
    assert [body.label for body in Body] == [
        "Client bureau",
        "Dispatch company",
        "Establishment office",
    ]


def test_authority_needs_a_valid_grade_and_a_decider():
    with pytest.raises(DomainError):
        check_authority({Body.ESTABLISHMENT_OFFICE}, 6)
    with pytest.raises(DomainError):
        check_authority((), 4)
