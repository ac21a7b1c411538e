"""The roster's field checks, shared by the form and the Excel import."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from service.workforce.models import Education, WorkerStatus
from service.workforce.roster.input import WorkerInputErrors, parse_date, parse_worker

TODAY = date(2026, 11, 22)
GOOD = {
    "name": "欧阳·娜娜",
    "id_number": "11010519491231002x",
    "phone": "+86 139 1234 5678",
    "education": "bachelor",
    "hire_date": "2021/1/4",
    "status": "active",
    "post_line": "数字城管",
    "client_bureau": "青羊区城管局",
    "unit": "",
    "grade": "3级",
}


def test_a_good_row_is_normalised() -> None:
    worker = parse_worker(GOOD, today=TODAY)
    assert worker.national_id.number == "11010519491231002X"
    assert worker.national_id.birth_date == date(1949, 12, 31) and worker.national_id.gender == "female"
    assert worker.phone == "13912345678"
    assert (worker.education, worker.status, worker.grade) == (Education.BACHELOR, WorkerStatus.ACTIVE, 3)
    assert worker.hire_date == date(2021, 1, 4)


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    with pytest.raises(WorkerInputErrors) as caught:
        parse_worker({**GOOD, "name": "", "grade": "6", "education": "phd", "phone": "12"}, today=TODAY)
    assert sorted(e.field for e in caught.value.errors) == ["education", "grade", "name", "phone"]


def test_labels_in_either_language_are_accepted() -> None:
    labels = {"在岗": WorkerStatus.ACTIVE, "本科": Education.BACHELOR}
    worker = parse_worker({**GOOD, "status": "在岗", "education": "本科"}, today=TODAY, labels=labels)
    assert worker.status is WorkerStatus.ACTIVE and worker.education is Education.BACHELOR


@pytest.mark.parametrize(
    ("hire_date", "ok"),
    [("2027-11-22", True), ("2027-11-24", False), ("1965-12-31", True), ("1965-12-30", False)],
)
def test_hire_date_limits(hire_date: str, ok: bool) -> None:
    """At most a year ahead; not before the worker turns 16 (born 1949-12-31)."""
    if ok:
        parse_worker({**GOOD, "hire_date": hire_date}, today=TODAY)
    else:
        with pytest.raises(WorkerInputErrors) as caught:
            parse_worker({**GOOD, "hire_date": hire_date}, today=TODAY)
        assert [e.field for e in caught.value.errors] == ["hire_date"]


@pytest.mark.parametrize("name", ["<b>张三</b>", "张三1", "a_b", "x" * 51, "  "])
def test_names_that_are_not_names_are_refused(name: str) -> None:
    with pytest.raises(WorkerInputErrors) as caught:
        parse_worker({**GOOD, "name": name}, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["name"]


def test_excel_cells_parse() -> None:
    assert parse_date(datetime(2024, 3, 1, 0, 0), "d") == date(2024, 3, 1)  # noqa: DTZ001 (Excel cells carry no zone)
    assert parse_date("2024年3月1日", "d") == date(2024, 3, 1)
    assert parse_worker({**GOOD, "grade": 4.0}, today=TODAY).grade == 4
    with pytest.raises(WorkerInputErrors) as caught:
        parse_worker({**GOOD, "id_number": 110105194912310021}, today=TODAY)
    assert [e.field for e in caught.value.errors] == ["id_number"]
