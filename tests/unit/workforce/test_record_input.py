"""Training, certificate and discipline forms as typed: what each kind of record allows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from service.workforce.daily_models import DisciplineKind, TrainingResult
from service.workforce.records.input import (
    RecordInputErrors,
    parse_certificate,
    parse_discipline,
    parse_training,
)

TODAY = date(2025, 6, 1)


def _fields(parse, raw: dict[str, str]) -> set[str]:
    with pytest.raises(RecordInputErrors) as refused:
        parse(raw, today=TODAY)
    return {e.field for e in refused.value.errors}


def test_training_parses_and_checks_hours() -> None:
    raw = {"course": "执法文书", "trained_on": "2025-05-30", "hours": "7.5", "result": "passed"}
    parsed = parse_training(raw, today=TODAY)
    assert (parsed.hours, parsed.result, parsed.provider) == (Decimal("7.5"), TrainingResult.PASSED, "")
    assert _fields(parse_training, raw | {"hours": "1000"}) == {"hours"}
    assert _fields(parse_training, raw | {"hours": "1e999"}) == {"hours"}
    assert _fields(parse_training, raw | {"trained_on": "2025-06-02", "course": "x" * 101}) == {"trained_on", "course"}


def test_a_certificate_runs_from_issue_to_expiry() -> None:
    raw = {"name": "上岗证", "number": "No.1", "issued_on": "2025-01-01", "valid_until": "2025-01-01"}
    assert parse_certificate(raw, today=TODAY).valid_until == date(2025, 1, 1)  # a one-day certificate
    assert _fields(parse_certificate, raw | {"valid_until": "2024-12-31"}) == {"valid_until"}
    assert _fields(parse_certificate, raw | {"valid_until": "2046-01-01"}) == {"valid_until"}
    assert _fields(parse_certificate, raw | {"issued_on": "2025-06-02"}) == {"issued_on"}


def test_only_a_fine_has_an_amount_and_only_a_suspension_ends() -> None:
    base = {"occurred_on": "2025-05-01", "reason": "脱岗"}
    fine = parse_discipline(base | {"kind": "fine", "amount": "1,000.5"}, today=TODAY)
    assert (fine.kind, fine.amount, fine.ends_on) == (DisciplineKind.FINE, Decimal("1000.50"), None)
    suspension = parse_discipline(base | {"kind": "suspension", "ends_on": "2025-05-01"}, today=TODAY)
    assert suspension.ends_on == date(2025, 5, 1)
    assert parse_discipline(base | {"kind": "suspension"}, today=TODAY).ends_on is None  # open-ended
    assert _fields(parse_discipline, base | {"kind": "fine", "amount": "0"}) == {"amount"}
    assert _fields(parse_discipline, base | {"kind": "fine", "amount": "100001"}) == {"amount"}
    assert _fields(parse_discipline, base | {"kind": "dismissal", "amount": "5"}) == {"amount"}
    assert _fields(parse_discipline, base | {"kind": "demotion", "ends_on": "2025-06-01"}) == {"ends_on"}
    assert _fields(parse_discipline, base | {"kind": "suspension", "ends_on": "someday"}) == {"ends_on"}
