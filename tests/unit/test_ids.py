"""A stored row's id, typed: present once the row is in the database, an error before."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from service.assessment.models import AssessmentPeriod
from service.database.ids import id_of, ids_of


def _period(id: int | None) -> AssessmentPeriod:
    return AssessmentPeriod(
        tenant_id=uuid.uuid4(), id=id, kind="monthly", name="March", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31)
    )


def test_a_stored_row_gives_its_id():
    assert id_of(_period(42)) == 42


def test_a_row_never_flushed_is_a_programming_error():
    with pytest.raises(RuntimeError, match="AssessmentPeriod has no id yet"):
        id_of(_period(None))


def test_ids_of_an_identity_column_keep_their_order():
    assert ids_of(iter([3, 1, 2])) == [3, 1, 2]


def test_a_null_among_selected_ids_is_refused():
    with pytest.raises(RuntimeError):
        ids_of([1, None])
