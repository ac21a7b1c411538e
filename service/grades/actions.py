"""Grade criteria, evaluation campaigns, decisions and grade changes: the only code that writes them.

Rules are ``service.grades.rules`` (evaluate, check_authority,
grade_change).  Choices made here:

* **What is proposed.**  Each worker of the campaign is checked against the
  grade above theirs (grade g-1; promotion only to a grade whose criteria are
  configured) and against their own grade.  Eligible above: propose g-1
  (能者上).  Not meeting their own grade's configured criteria: propose g+1
  (庸者下; grade 5 is the floor, dismissal 劣者汰 is a contract decision).
  Otherwise: unchanged.  Staff may set another target grade; authority
  follows the target.
* **Facts.**  Age, education, hire date from the roster; trainings are the
  course names of passed or attended training records and the names of
  certificates valid on the evaluation day; disciplinary records from the
  roster's discipline records; ratings from published results
  (``standing.published_ratings``, periods ended before the evaluation day,
  all kinds).  Post points (岗位积分) and the three confirmations (political
  standing, fitness, conduct) are entered per candidate by the evaluating
  body.
* **Deciders** (``SIGNING_BODIES``).  A staff administrator signs for the
  dispatch company; a bureau reviewer for the client bureau (only for
  workers of their own bureau); an establishment-office reviewer for the
  establishment office.  Until those reviewers sign in, an administrator may
  record a body's decision on its behalf, naming the body's document
  (``reference``).  A decision counts for the target grade it was signed for.
* **Applying.**  ``check_authority`` over the bodies that approved the
  target grade; then a dated ``grade_changes`` row.  Due (effective date
  today or earlier): ``workers.grade`` is updated at once, audited.  Future:
  stored, and applied by ``apply_due_changes``, which the daily
  ``paiqian compliance check`` runs, so payroll (which reads
  ``workers.grade``) pays the new band from the effective date.
  ``grades_in_force`` answers "which grade on a day" from the history for
  runs that want it by date.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel import col, select

from service.accounts.models import StaffRole
from service.assessment.ratings import Rating
from service.assessment.standing import published_ratings
from service.audit import SYSTEM, Actor, record
from service.database.ids import id_of, ids_of
from service.errors import N_, DomainError, Label
from service.grades.models import (
    DEFAULT_DISCIPLINARY_WINDOW_YEARS,
    GradeBasicConditions,
    GradeCampaign,
    GradeCandidate,
    GradeChangeRow,
    GradeCriteriaRow,
    GradeDecision,
)
from service.grades.rules import (
    GRADES,
    BasicConditions,
    Body,
    Eligibility,
    GradeCriteria,
    WorkerFacts,
    check_authority,
    check_grade,
    evaluate,
)
from service.workforce.models import Education, Worker, WorkerStatus
from tenants.isolation import TenantSession

EVALUATED_STATUSES = (WorkerStatus.PROBATION, WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED)
MAX_RATING_PERIODS = 20

# Which bodies a principal's role signs for in its own name.
SIGNING_BODIES: dict[str, frozenset[Body]] = {
    StaffRole.ADMIN.value: frozenset({Body.DISPATCH_COMPANY}),
    "bureau_reviewer": frozenset({Body.CLIENT_BUREAU}),
    "establishment_reviewer": frozenset({Body.ESTABLISHMENT_OFFICE}),
}
# Roles that may record another body's decision on its behalf, with its document's reference.
RECORDS_ON_BEHALF = frozenset({StaffRole.ADMIN.value})


# --- settings and criteria ---


def basic_conditions(db: TenantSession) -> BasicConditions:
    tenant_id = db.tenant_id
    row = db.get(GradeBasicConditions, tenant_id)
    years = row.disciplinary_window_years if row is not None else DEFAULT_DISCIPLINARY_WINDOW_YEARS
    return BasicConditions(years)


def set_basic_conditions(db: TenantSession, years: int, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    if not 1 <= years <= 20:
        raise DomainError(N_("The disciplinary window must be from 1 to 20 years."), field="disciplinary_window_years")
    row = db.get(GradeBasicConditions, tenant_id)
    before = None if row is None else {"disciplinary_window_years": row.disciplinary_window_years}
    if row is None:
        row = GradeBasicConditions(tenant_id=tenant_id, disciplinary_window_years=years)
    else:
        row.disciplinary_window_years = years
        row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "grade_basic_conditions.update",
        "grade_basic_conditions",
        None,
        before=before,
        after={"disciplinary_window_years": years},
    )


def criteria_rows(db: TenantSession) -> dict[int, GradeCriteriaRow]:
    tenant_id = db.tenant_id
    return {row.grade: row for row in db.exec(select(GradeCriteriaRow).where(GradeCriteriaRow.tenant_id == tenant_id))}


def to_criteria(row: GradeCriteriaRow, basic: BasicConditions) -> GradeCriteria:
    return GradeCriteria(
        grade=row.grade,
        basic=basic,
        min_age=row.min_age,
        max_age=row.max_age,
        min_education=Education(row.min_education) if row.min_education else None,
        min_years_of_service=row.min_years_of_service,
        min_post_points=row.min_post_points,
        required_trainings=frozenset(row.required_trainings or ()),
        min_rating=Rating(row.min_rating) if row.min_rating else None,
        rating_periods=row.rating_periods,
    )


def criteria_of(db: TenantSession) -> dict[int, GradeCriteria]:
    basic = basic_conditions(db)
    return {grade: to_criteria(row, basic) for grade, row in criteria_rows(db).items()}


def save_criteria(db: TenantSession, criteria: GradeCriteria, *, actor: Actor) -> GradeCriteriaRow:
    """Store a grade's criteria (already checked by ``GradeCriteria``), replacing the grade's previous ones."""
    tenant_id = db.tenant_id
    if criteria.rating_periods > MAX_RATING_PERIODS:
        raise DomainError(N_("At most {max} periods."), field="rating_periods", max=MAX_RATING_PERIODS)
    row = db.get(GradeCriteriaRow, (tenant_id, criteria.grade))
    before = None if row is None else row.snapshot()
    if row is None:
        row = GradeCriteriaRow(tenant_id=tenant_id, grade=criteria.grade)
    row.min_age = criteria.min_age
    row.max_age = criteria.max_age
    row.min_education = criteria.min_education.value if criteria.min_education else None
    row.min_years_of_service = criteria.min_years_of_service
    row.min_post_points = criteria.min_post_points
    row.required_trainings = sorted(criteria.required_trainings)
    row.min_rating = criteria.min_rating.value if criteria.min_rating else None
    row.rating_periods = criteria.rating_periods
    row.updated_at = datetime.now(UTC)
    db.add(row)
    db.flush()
    record(db, tenant_id, actor, "grade_criteria.update", "grade_criteria", criteria.grade, before=before, after=row.snapshot())
    return row


# --- facts and proposals ---


@dataclass(frozen=True)
class RosterFacts:
    """What the roster and records say about one worker (the confirmations come from the candidate)."""

    worker_id: int
    grade: int
    birth_date: date
    hire_date: date
    education: Education
    trainings: frozenset[str]
    ratings: tuple[Rating, ...]  # oldest first
    disciplinary_dates: tuple[date, ...]


def load_roster_facts(db: TenantSession, worker_ids: Collection[int], on: date, rating_periods: int) -> dict[int, RosterFacts]:
    """Set-based: one query per kind of fact for all ``worker_ids``."""

    tenant_id = db.tenant_id
    ids = sorted(set(worker_ids))
    if not ids:
        return {}
    params = {"t": tenant_id, "ids": ids, "on": on}
    trainings: dict[int, set[str]] = {}
    for worker_id, name in db.execute(
        text(
            "select worker_id, course from training_records where tenant_id = :t and worker_id = any(:ids)"
            " and result in ('passed', 'attended') and trained_on <= :on"
            " union select worker_id, name from certificates where tenant_id = :t and worker_id = any(:ids)"
            " and issued_on <= :on and valid_until >= :on"
        ),
        params,
    ).all():
        trainings.setdefault(worker_id, set()).add(name.strip())
    discipline: dict[int, list[date]] = {}
    for worker_id, occurred_on in db.execute(
        text("select worker_id, occurred_on from discipline_records where tenant_id = :t and worker_id = any(:ids)"),
        params,
    ).all():
        discipline.setdefault(worker_id, []).append(occurred_on)
    ratings = published_ratings(db, ids, last=max(rating_periods, 1), before=on)
    workers = db.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types select() for at most 4 columns
            Worker.id, Worker.grade, Worker.birth_date, Worker.hire_date, Worker.education
        ).where(Worker.tenant_id == tenant_id, col(Worker.id).in_(ids))
    ).all()
    return {
        worker_id: RosterFacts(
            worker_id,
            grade,
            birth_date,
            hire_date,
            Education(education),
            frozenset(trainings.get(worker_id, ())),
            tuple(reversed(ratings.get(worker_id, []))),
            tuple(discipline.get(worker_id, ())),
        )
        for worker_id, grade, birth_date, hire_date, education in workers
    }


def worker_facts(roster: RosterFacts, candidate: GradeCandidate) -> WorkerFacts:
    return WorkerFacts(
        birth_date=roster.birth_date,
        hire_date=roster.hire_date,
        education=roster.education,
        post_points=candidate.post_points,
        trainings=roster.trainings,
        ratings=roster.ratings,
        disciplinary_dates=roster.disciplinary_dates,
        political_standing_confirmed=candidate.political_standing_confirmed,
        fitness_confirmed=candidate.fitness_confirmed,
        conduct_confirmed=candidate.conduct_confirmed,
    )


def propose(facts: WorkerFacts, current: int, criteria: dict[int, GradeCriteria], on: date) -> tuple[int, list[Eligibility]]:
    """The proposed grade and the evaluations behind it (grade above first, then the current grade)."""
    evaluations: list[Eligibility] = []
    above = current - 1
    if above in criteria:
        up = evaluate(facts, criteria[above], on)
        evaluations.append(up)
        if up.eligible:
            return above, evaluations
    if current in criteria:
        here = evaluate(facts, criteria[current], on)
        evaluations.append(here)
        if not here.eligible and current < max(GRADES):
            return current + 1, evaluations
    return current, evaluations


def _json_param(value: object) -> object:
    if isinstance(value, Label):
        return {"label": str(value)}
    if isinstance(value, tuple):
        return {"labels": [str(v) for v in value]}
    if isinstance(value, Decimal):
        return str(value)
    return value


def evaluations_json(evaluations: Iterable[Eligibility]) -> list[dict[str, Any]]:
    return [
        {
            "grade": e.grade,
            "eligible": e.eligible,
            "reasons": [
                {
                    "condition": r.condition,
                    "met": r.met,
                    "message": r.message,
                    "params": {k: _json_param(v) for k, v in r.params.items()},
                }
                for r in e.reasons
            ],
        }
        for e in evaluations
    ]


def reason_params(params: dict[str, Any]) -> dict[str, object]:
    """Stored params back to what the Translator fills in (labels translated, lists joined)."""
    out: dict[str, object] = {}
    for key, value in params.items():
        if isinstance(value, dict) and "label" in value:
            out[key] = Label(value["label"])
        elif isinstance(value, dict) and "labels" in value:
            out[key] = tuple(Label(v) for v in value["labels"]) if value["labels"] else "—"
        else:
            out[key] = value
    return out


# --- campaigns ---


@dataclass(frozen=True)
class CampaignInput:
    name: str
    evaluated_on: date
    effective_from: date
    bureau_id: int | None  # None: every bureau


def create_campaign(db: TenantSession, data: CampaignInput, *, actor: Actor) -> GradeCampaign:
    """Open a campaign and compute every examined worker's eligibility and proposal."""
    tenant_id = db.tenant_id
    if data.effective_from < data.evaluated_on:
        raise DomainError(N_("The effective date cannot be before the evaluation date."), field="effective_from")
    conditions = [col(Worker.tenant_id) == tenant_id, col(Worker.status).in_(EVALUATED_STATUSES)]
    if data.bureau_id is not None:
        conditions.append(col(Worker.bureau_id) == data.bureau_id)
    worker_ids = ids_of(db.exec(select(col(Worker.id)).where(*conditions).order_by(col(Worker.id))))
    if not worker_ids:
        raise DomainError(N_("No worker to evaluate in this scope."), field="client_bureau")
    campaign = GradeCampaign(
        tenant_id=tenant_id,
        name=data.name,
        evaluated_on=data.evaluated_on,
        effective_from=data.effective_from,
        bureau_id=data.bureau_id,
        created_by=actor.label,
    )
    db.add(campaign)
    db.flush()
    criteria = criteria_of(db)
    periods = max((c.rating_periods for c in criteria.values()), default=1)
    roster = load_roster_facts(db, worker_ids, data.evaluated_on, periods)
    for worker_id in worker_ids:
        facts = roster[worker_id]
        candidate = GradeCandidate(
            tenant_id=tenant_id,
            campaign_id=id_of(campaign),
            worker_id=worker_id,
            current_grade=facts.grade,
            proposed_grade=facts.grade,
            target_grade=facts.grade,
        )
        _evaluate_candidate(candidate, facts, criteria, data.evaluated_on)
        candidate.target_grade = candidate.proposed_grade
        db.add(candidate)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "grade_campaign.create",
        "grade_campaign",
        campaign.id,
        after={**campaign.snapshot(), "workers": len(worker_ids)},
    )
    return campaign


def _evaluate_candidate(candidate: GradeCandidate, facts: RosterFacts, criteria: dict[int, GradeCriteria], on: date) -> None:
    proposed, evaluations = propose(worker_facts(facts, candidate), candidate.current_grade, criteria, on)
    candidate.proposed_grade = proposed
    candidate.evaluations = evaluations_json(evaluations)


def get_campaign(db: TenantSession, campaign_id: int) -> GradeCampaign | None:
    tenant_id = db.tenant_id
    return db.exec(select(GradeCampaign).where(GradeCampaign.tenant_id == tenant_id, GradeCampaign.id == campaign_id)).first()


def get_candidate(db: TenantSession, campaign_id: int, worker_id: int) -> GradeCandidate | None:
    tenant_id = db.tenant_id
    return db.get(GradeCandidate, (tenant_id, campaign_id, worker_id))


def _require_open(campaign: GradeCampaign, field: str) -> None:
    if campaign.status != "open":
        raise DomainError(N_("This campaign is closed."), field=field)


@dataclass(frozen=True)
class CandidateInput:
    post_points: Decimal
    political_standing_confirmed: bool
    fitness_confirmed: bool
    conduct_confirmed: bool
    target_grade: int | None  # None: follow the proposal


def update_candidate(
    db: TenantSession,
    campaign: GradeCampaign,
    candidate: GradeCandidate,
    data: CandidateInput,
    *,
    actor: Actor,
) -> GradeCandidate:
    """Record the confirmed facts, re-evaluate, and set the target grade (the proposal unless given)."""
    tenant_id = db.tenant_id
    _require_open(campaign, "target_grade")
    if candidate.change_id is not None:
        raise DomainError(N_("This worker's grade change has already been applied."), field="target_grade")
    if data.post_points < 0:
        raise DomainError(N_("This value cannot be negative."), field="post_points")
    before = candidate.snapshot()
    candidate.post_points = data.post_points
    candidate.political_standing_confirmed = data.political_standing_confirmed
    candidate.fitness_confirmed = data.fitness_confirmed
    candidate.conduct_confirmed = data.conduct_confirmed
    criteria = criteria_of(db)
    periods = max((c.rating_periods for c in criteria.values()), default=1)
    facts = load_roster_facts(db, [candidate.worker_id], campaign.evaluated_on, periods)[candidate.worker_id]
    _evaluate_candidate(candidate, facts, criteria, campaign.evaluated_on)
    candidate.target_grade = check_grade(data.target_grade) if data.target_grade else candidate.proposed_grade
    candidate.updated_at = datetime.now(UTC)
    db.add(candidate)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "grade_candidate.update",
        "grade_candidate",
        f"{campaign.id}:{candidate.worker_id}",
        before=before,
        after=candidate.snapshot(),
    )
    return candidate


def decisions_of(db: TenantSession, campaign_id: int) -> dict[int, list[GradeDecision]]:
    tenant_id = db.tenant_id
    found: dict[int, list[GradeDecision]] = {}
    for d in db.exec(
        select(GradeDecision)
        .where(GradeDecision.tenant_id == tenant_id, GradeDecision.campaign_id == campaign_id)
        .order_by(col(GradeDecision.id))
    ):
        found.setdefault(d.worker_id, []).append(d)
    return found


def _bureau_of(db: TenantSession, worker_id: int) -> int | None:
    tenant_id = db.tenant_id
    return db.execute(
        text("select bureau_id from workers where tenant_id = :t and id = :id"), {"t": tenant_id, "id": worker_id}
    ).scalar()


def sign_decision(
    db: TenantSession,
    role: str | None,
    campaign: GradeCampaign,
    candidate: GradeCandidate,
    body: Body,
    approved: bool,
    *,
    actor: Actor,
    reference: str = "",
    note: str = "",
    signer_bureau_id: int | None = None,
) -> GradeDecision:
    """One body's decision on the candidate's target grade; replaces the body's earlier decision.

    A role signs in its own name for the bodies ``SIGNING_BODIES`` gives it;
    an administrator may record another body's decision with its document's
    reference.  A bureau reviewer signs only for workers of their bureau
    (``signer_bureau_id``).
    """
    tenant_id = db.tenant_id
    _require_open(campaign, "body")
    if candidate.change_id is not None:
        raise DomainError(N_("This worker's grade change has already been applied."), field="body")
    reference, note = reference.strip()[:120], note.strip()[:500]
    own = SIGNING_BODIES.get(str(role or ""), frozenset())
    if body not in own:
        if str(role or "") not in RECORDS_ON_BEHALF:
            raise DomainError(N_("You cannot decide for {body}."), field="body", body=Label(body.label))
        if not reference:
            raise DomainError(
                N_("Recording the decision of {body} needs the reference of its document."),
                field="reference",
                body=Label(body.label),
            )
    if signer_bureau_id is not None and body is Body.CLIENT_BUREAU and _bureau_of(db, candidate.worker_id) != signer_bureau_id:
        raise DomainError(N_("This worker is not dispatched to your bureau."), field="body")
    existing = db.exec(
        select(GradeDecision).where(
            GradeDecision.tenant_id == tenant_id,
            GradeDecision.campaign_id == campaign.id,
            GradeDecision.worker_id == candidate.worker_id,
            GradeDecision.body == body.value,
        )
    ).first()
    before = None if existing is None else existing.snapshot()
    decision = existing or GradeDecision(
        tenant_id=tenant_id,
        campaign_id=id_of(campaign),
        worker_id=candidate.worker_id,
        body=body.value,
        target_grade=candidate.target_grade,
        approved=approved,
        signer_kind=actor.kind,
    )
    decision.target_grade = candidate.target_grade
    decision.approved = approved
    decision.signer_kind, decision.signer_id, decision.signer_label = actor.kind, actor.id, actor.label
    decision.reference, decision.note = reference, note
    decision.signed_at = datetime.now(UTC)
    db.add(decision)
    db.flush()
    record(db, tenant_id, actor, "grade_decision.sign", "grade_decision", decision.id, before=before, after=decision.snapshot())
    return decision


def approving_bodies(decisions: Iterable[GradeDecision], target_grade: int) -> set[Body]:
    return {Body(d.body) for d in decisions if d.approved and d.target_grade == target_grade}


def apply_candidate(
    db: TenantSession,
    campaign: GradeCampaign,
    candidate: GradeCandidate,
    today: date,
    *,
    actor: Actor,
) -> GradeChangeRow:
    """Turn an authorised decision into a dated grade change (applied at once when due)."""
    tenant_id = db.tenant_id
    _require_open(campaign, "apply")
    if candidate.change_id is not None:
        raise DomainError(N_("This worker's grade change has already been applied."), field="apply")
    if candidate.target_grade == candidate.current_grade:
        raise DomainError(N_("The target grade is the worker's grade: there is nothing to change."), field="apply")
    worker = db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id == candidate.worker_id)).one()
    if worker.grade != candidate.current_grade:
        raise DomainError(
            N_("The worker's grade changed since the evaluation (now {grade}): evaluate again."),
            field="apply",
            grade=worker.grade,
        )
    decisions = decisions_of(db, id_of(campaign)).get(candidate.worker_id, [])
    check_authority(approving_bodies(decisions, candidate.target_grade), candidate.target_grade)
    change = GradeChangeRow(
        tenant_id=tenant_id,
        worker_id=candidate.worker_id,
        from_grade=candidate.current_grade,
        to_grade=candidate.target_grade,
        effective_from=campaign.effective_from,
        campaign_id=campaign.id,
        decided_by=actor.label,
    )
    db.add(change)
    db.flush()
    record(db, tenant_id, actor, "grade_change.create", "grade_change", change.id, after=change.snapshot())
    before = candidate.snapshot()
    candidate.change_id = change.id
    db.add(candidate)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "grade_candidate.apply",
        "grade_candidate",
        f"{campaign.id}:{candidate.worker_id}",
        before=before,
        after=candidate.snapshot(),
    )
    if change.effective_from <= today:
        _apply_change(db, change, worker, actor=actor)
    return change


def _apply_change(db: TenantSession, change: GradeChangeRow, worker: Worker, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    before = worker.snapshot()
    worker.grade = change.to_grade
    worker.updated_at = datetime.now(UTC)
    change.applied_at = datetime.now(UTC)
    db.add(worker)
    db.add(change)
    db.flush()
    record(db, tenant_id, actor, "worker.grade_change", "worker", worker.id, before=before, after=worker.snapshot())


def apply_due_changes(db: TenantSession, today: date, *, actor: Actor = SYSTEM) -> int:
    """Copy every grade change due by ``today`` onto ``workers.grade`` (the daily job). Returns how many."""
    tenant_id = db.tenant_id
    due = db.exec(
        select(GradeChangeRow)
        .where(
            GradeChangeRow.tenant_id == tenant_id,
            col(GradeChangeRow.applied_at).is_(None),
            GradeChangeRow.effective_from <= today,
        )
        .order_by(col(GradeChangeRow.effective_from), col(GradeChangeRow.id))
    ).all()
    for change in due:
        worker = db.exec(select(Worker).where(Worker.tenant_id == tenant_id, Worker.id == change.worker_id)).one()
        _apply_change(db, change, worker, actor=actor)
    return len(due)


def grades_in_force(db: TenantSession, worker_ids: Iterable[int], on: date) -> dict[int, int]:
    """{worker id: grade on ``on``}: the latest change effective by then, else the grade before the
    first later change, else the roster's grade."""
    tenant_id = db.tenant_id
    ids = sorted(set(worker_ids))
    if not ids:
        return {}
    # One array parameter, not an IN list: payroll asks for every worker of a run at once.
    grades = dict(
        db.execute(
            text("select id, grade from workers where tenant_id = :t and id = any(:ids)"), {"t": tenant_id, "ids": ids}
        ).all()
    )
    decided: set[int] = set()  # workers whose grade on ``on`` the history has settled
    for worker_id, from_grade, to_grade, effective_from in db.execute(
        text(
            "select worker_id, from_grade, to_grade, effective_from from grade_changes"
            " where tenant_id = :t and worker_id = any(:ids) order by worker_id, effective_from, id"
        ),
        {"t": tenant_id, "ids": ids},
    ).all():
        if effective_from <= on:
            grades[worker_id] = to_grade
            decided.add(worker_id)
        elif worker_id not in decided:  # the first change after ``on``: its starting grade held on ``on``
            grades[worker_id] = from_grade
            decided.add(worker_id)
    return grades


def close_campaign(db: TenantSession, campaign: GradeCampaign, *, actor: Actor) -> None:
    tenant_id = db.tenant_id
    _require_open(campaign, "close")
    before = campaign.snapshot()
    campaign.status = "closed"
    db.add(campaign)
    db.flush()
    record(
        db, tenant_id, actor, "grade_campaign.close", "grade_campaign", campaign.id, before=before, after=campaign.snapshot()
    )
