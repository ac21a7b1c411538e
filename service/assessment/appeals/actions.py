"""Filing and answering appeals against published results: the only code that writes them.

Rules are those of ``appeals/rules.py`` (window, answerer, outcome); reads
are in ``appeals/queries.py``.  Choices made here:

* The window counts from the day the result's period was published
  (``assessment_periods.published_on``), ``rules.can_appeal``; a
  re-publication (an upheld appeal) does not reopen it.
* A result has at most one open appeal at a time; an answered one may be
  followed by another within the window.
* "The original recorder" is everyone who recorded daily points for the
  worker during the result's period (``assessment_records``), named as
  ``<kind>:<id>`` so a bureau reviewer (kind "reviewer") is told apart from
  a staff user with the same number.
* An upheld appeal re-publishes the result with the new score and rating
  (``actions.republish_result``, the assessment workstream's function), so
  the rating in force changes from then on: the next payroll run pays the
  band of the new rating.  A month already paid is not recalculated here;
  a correction run (payroll workstream) would pay the difference.
* Every change is audited and the worker's compliance alerts are
  recomputed (a rating change may open or close the two-failures alert).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import select

from service import events
from service.assessment import actions as assessment_actions
from service.assessment.appeals.models import Appeal, AppealSetting
from service.assessment.appeals.queries import appealed_result, get_result, recorders_of, window_days
from service.assessment.appeals.rules import AppealOutcome, Decision, appeal_deadline, can_appeal, check_answerer
from service.assessment.models import AssessmentResult
from service.assessment.ratings import Rating
from service.audit import Actor, record
from service.errors import N_, DomainError
from service.workforce.events import WorkersChanged
from tenants.isolation import TenantSession

MAX_REASON = 2000
NO_SUCH_RESULT = N_("There is no such assessment result.")


def set_window_days(db: TenantSession, days: int, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    if not 1 <= days <= 365:
        raise DomainError(N_("The appeal window must be from 1 to 365 days."), field="window_days")
    setting = db.get(AppealSetting, tenant_id)
    before = None if setting is None else {"window_days": setting.window_days}
    if setting is None:
        setting = AppealSetting(tenant_id=tenant_id, window_days=days)
        db.add(setting)
    else:
        setting.window_days = days
        setting.updated_at = datetime.now(UTC)
    db.flush()
    record(db, tenant_id, actor, "appeal_settings.update", "appeal_settings", None, before=before, after={"window_days": days})


def file_appeal(
    db: TenantSession,
    result_id: int,
    reason: str,
    today: date,
    *,
    actor: Actor,
    own_worker_id: int | None = None,
) -> Appeal:
    """File an appeal against a published result.

    ``own_worker_id``: when the worker files it themselves (assistant
    portal), the result must be theirs; staff filing on the worker's behalf
    pass None.
    """
    tenant_id = db.tenant_id
    result = get_result(db, result_id)
    if result is None or (own_worker_id is not None and result.worker_id != own_worker_id):
        raise DomainError(NO_SUCH_RESULT, field="result_id")
    if result.status != "published" or result.published_on is None:
        raise DomainError(N_("Only a published result can be appealed."), field="result_id")
    reason = reason.strip()
    if not reason:
        raise DomainError(N_("Give the reason for the appeal."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(N_("The reason is too long (at most {max} characters)."), field="reason", max=MAX_REASON)
    days = window_days(db)
    if not can_appeal(result.published_on, days, today):
        raise DomainError(
            N_("The appeal window for this result closed on {deadline}."),
            field="result_id",
            deadline=appeal_deadline(result.published_on, days).isoformat(),
        )
    # Lock the result row so two filings cannot both pass the open-appeal check.
    db.execute(
        text("select 1 from assessment_results where tenant_id = :t and id = :id for update"),
        {"t": tenant_id, "id": result.id},
    )
    already = db.exec(
        select(Appeal.id).where(Appeal.tenant_id == tenant_id, Appeal.result_id == result.id, Appeal.status == "open")
    ).first()
    if already is not None:
        raise DomainError(N_("This result already has an appeal awaiting an answer."), field="result_id")
    appeal = Appeal(
        tenant_id=tenant_id,
        result_id=result.id,
        worker_id=result.worker_id,
        revision=result.revision,
        filed_on=today,
        reason=reason,
        filed_by_kind=actor.kind,
        filed_by_id=actor.id,
        filed_by_label=actor.label,
        original_score=result.score,
        original_rating=result.rating,
    )
    db.add(appeal)
    db.flush()
    record(db, tenant_id, actor, "appeal.file", "assessment_appeal", appeal.id, after=appeal.snapshot())
    return appeal


def answer_appeal(db: TenantSession, appeal: Appeal, outcome: AppealOutcome, today: date, *, actor: Actor) -> Appeal:
    """Uphold (re-publishing the result) or reject an open appeal."""
    # Lock the appeal: of two answers sent at once, the second sees it answered.
    tenant_id = db.tenant_id
    status = db.execute(
        text("select status from assessment_appeals where tenant_id = :t and id = :id for update"),
        {"t": tenant_id, "id": appeal.id},
    ).scalar()
    if status != "open" or appeal.status != "open":
        raise DomainError(N_("This appeal has already been answered."), field="decision")
    result = appealed_result(db, appeal)
    check_answerer(f"{actor.kind}:{actor.id}", recorders_of(db, result))
    before = appeal.snapshot()
    if outcome.decision is Decision.UPHELD:
        assert outcome.new_score is not None and outcome.new_rating is not None
        _republish(db, result.id, outcome.new_score, outcome.new_rating, appeal, actor=actor)
        appeal.status = "upheld"
        appeal.new_score = outcome.new_score
        appeal.new_rating = outcome.new_rating.value
    else:
        appeal.status = "rejected"
    appeal.explanation = outcome.explanation.strip()
    appeal.answered_by_kind = actor.kind
    appeal.answered_by_id = actor.id
    appeal.answered_by_label = actor.label
    appeal.answered_at = datetime.now(UTC)
    db.add(appeal)
    db.flush()
    record(
        db, tenant_id, actor, f"appeal.{appeal.status}", "assessment_appeal", appeal.id, before=before, after=appeal.snapshot()
    )
    events.record(db, WorkersChanged(tenant_id, (appeal.worker_id,), today))
    return appeal


def _republish(db: TenantSession, result_id: int, score: Decimal, rating: Rating, appeal: Appeal, *, actor: Actor) -> None:
    """Hand the correction to the assessment workstream's re-publication (revision + 1, roster rating follows)."""

    tenant_id = db.tenant_id
    row = db.exec(
        select(AssessmentResult).where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.id == result_id)
    ).one()
    assessment_actions.republish_result(db, row, actor=actor, score=score, rating=rating, reason=f"appeal #{appeal.id}")
