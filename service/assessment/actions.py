"""The only code that writes assessment data.  Every change is audited in the
same transaction (``service.audit``) with before/after snapshots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TypedDict

from sqlalchemy import delete, or_
from sqlmodel import col, select

from service import clock, events
from service.assessment import queries
from service.assessment.bureaus import bureau_of, in_bureau
from service.assessment.inputs import (
    COMPONENTS,
    RESULT_COMPONENTS,
    ItemInput,
    PeriodInput,
    quotas_of,
    thresholds_of,
    weights_of,
)
from service.assessment.models import (
    AssessmentItem,
    AssessmentPeriod,
    AssessmentRecord,
    AssessmentResult,
    Lifecycle,
    RecorderKind,
    ResultRevision,
    SheetScore,
)
from service.assessment.rating_rules import rate_group
from service.assessment.ratings import Rating
from service.assessment.scoring import check_score, combine, period_total, round_score, validate_points
from service.assessment.standing import ratings_in_force
from service.audit import Actor, Change, record, record_many
from service.database.ids import id_of
from service.errors import N_, DomainError, Label, Refused
from service.workforce.events import WorkersChanged
from service.workforce.models import Worker, WorkerStatus
from tenants.isolation import TenantSession

# ---- rule catalogue --------------------------------------------------------


def _item_columns(data: ItemInput) -> dict:
    return {
        "code": data.code,
        "name": data.name,
        "category": data.category.value,
        "min_points": data.min_points,
        "max_points": data.max_points,
        "period_cap": data.period_cap,
        "bureau_id": data.bureau_id,
        "effective_from": data.effective_from,
        "note": data.note,
    }


def create_item(db: TenantSession, data: ItemInput, *, actor: Actor) -> AssessmentItem:
    """A new item; its code must be new in its scope (a change is a new version)."""
    tenant_id = db.tenant_id
    if queries.latest_version(db, data.code, data.bureau_id) is not None:
        raise DomainError(N_("The item {code} already exists: add a new version of it instead."), field="code", code=data.code)
    item = AssessmentItem(tenant_id=tenant_id, **_item_columns(data))
    db.add(item)
    db.flush()
    record(db, tenant_id, actor, "assessment_item.create", "assessment_item", item.id, after=item.snapshot())
    return item


def new_item_version(db: TenantSession, item: AssessmentItem, data: ItemInput, *, actor: Actor) -> AssessmentItem:
    """A change of ``item`` from ``data.effective_from``; the old version ends the day before.

    Records keep pointing at the version they were recorded under, so a
    change never rewrites what was recorded.  Refused when records dated on or
    after the new effective date already use the old version.
    """
    tenant_id = db.tenant_id
    latest = queries.latest_version(db, item.code, item.bureau_id)
    assert latest is not None
    if data.effective_from <= latest.effective_from:
        raise DomainError(
            N_("A new version must take effect after {date}, when the current version did."),
            field="effective_from",
            date=latest.effective_from.isoformat(),
        )
    later = db.exec(
        select(col(AssessmentRecord.on_date))
        .where(
            AssessmentRecord.tenant_id == tenant_id,
            AssessmentRecord.item_id == latest.id,
            AssessmentRecord.on_date >= data.effective_from,
        )
        .order_by(col(AssessmentRecord.on_date).desc())
    ).first()
    if later is not None:
        raise DomainError(
            N_("Points were already recorded under the current version on {date}: choose a later date."),
            field="effective_from",
            date=later.isoformat(),
        )
    before = latest.snapshot()
    latest.effective_to = data.effective_from - timedelta(days=1)
    db.add(latest)
    columns = _item_columns(data) | {"code": latest.code, "bureau_id": latest.bureau_id}
    version = AssessmentItem(tenant_id=tenant_id, version=latest.version + 1, previous_id=latest.id, **columns)
    db.add(version)
    db.flush()
    record(db, tenant_id, actor, "assessment_item.close", "assessment_item", latest.id, before=before, after=latest.snapshot())
    record(db, tenant_id, actor, "assessment_item.version", "assessment_item", version.id, after=version.snapshot())
    return version


@dataclass(frozen=True)
class ItemImportOutcome:
    created: int
    versioned: int
    unchanged: int


def _same_rule(item: AssessmentItem, data: ItemInput) -> bool:
    return (item.name, item.category, item.min_points, item.max_points, item.period_cap, item.note) == (
        data.name,
        data.category.value,
        data.min_points,
        data.max_points,
        data.period_cap,
        data.note,
    )


def import_items(db: TenantSession, rows: list[tuple[int, ItemInput]], *, actor: Actor) -> ItemImportOutcome:
    """All or nothing: each row creates an item or a new version of it.

    A row equal to the version in force changes nothing.  Raises
    ``RowProblems`` (row number, field, error) for any refused row; the caller's
    transaction then writes nothing.
    """
    created = versioned = unchanged = 0
    problems: list[tuple[int, DomainError]] = []
    for number, data in rows:
        latest = queries.latest_version(db, data.code, data.bureau_id)
        try:
            if latest is None:
                create_item(db, data, actor=actor)
                created += 1
            elif _same_rule(latest, data):
                unchanged += 1
            else:
                new_item_version(db, latest, data, actor=actor)
                versioned += 1
        except DomainError as error:
            problems.append((number, error))
    if problems:
        raise RowProblems(problems)
    return ItemImportOutcome(created, versioned, unchanged)


class RowProblems(Refused):
    """Catalogue rows a rule refused, by row number; nothing of the import was written."""

    def __init__(self, problems: list[tuple[int, DomainError]]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


# ---- daily records -----------------------------------------------------------

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}


@dataclass(frozen=True)
class Photo:
    filename: str
    media_type: str
    content: bytes

    def check(self) -> Photo:
        if self.media_type not in PHOTO_TYPES:
            raise DomainError(N_("The photo must be a JPEG, PNG, WebP or HEIC image."), field="photo")
        if not self.content:
            raise DomainError(N_("The photo is empty."), field="photo")
        if len(self.content) > MAX_PHOTO_BYTES:
            raise DomainError(N_("The photo may be at most {mb} MB."), field="photo", mb=MAX_PHOTO_BYTES // 1024 // 1024)
        return self


def recorder_kind(actor: Actor) -> RecorderKind:
    if actor.kind == "staff":
        return RecorderKind.STAFF
    if actor.kind == "reviewer":
        return RecorderKind.REVIEWER
    raise DomainError(N_("Only company assessors and bureau reviewers record assessment points."), field="workers")


def _locked_periods(db: TenantSession, day: date) -> list[AssessmentPeriod]:
    return [
        p
        for p in queries.periods_containing(db, day)
        if p.status in (Lifecycle.APPROVED.value, Lifecycle.PUBLISHED.value) and "daily" in p.weights
    ]


def record_points(
    db: TenantSession,
    *,
    actor: Actor,
    item: AssessmentItem,
    on_date: date,
    points: Mapping[int, Decimal],
    note: str = "",
    photo: Photo | None = None,
    today: date | None = None,
) -> list[AssessmentRecord]:
    """Record ``points`` {worker id: points} under ``item`` on ``on_date``, all or nothing.

    Refused: no worker; an unknown worker or one who has left; a date in the
    future or outside the item's version; a worker outside the item's bureau;
    points outside the item's range; a sum for the item beyond its period cap
    in any assessment period containing the date; a date inside an approved
    or published period (its results are settled).
    """
    tenant_id = db.tenant_id
    today = today or clock.today()
    kind = recorder_kind(actor)
    if not points:
        raise DomainError(N_("Tick at least one worker."), field="workers")
    if on_date > today:
        raise DomainError(N_("Points cannot be recorded for a future day."), field="on_date")
    if not item.in_force_on(on_date):
        raise DomainError(
            N_("Version {version} of {item} is not in force on {date}."),
            field="item_id",
            version=item.version,
            item=item.name,
            date=on_date.isoformat(),
        )
    locked = _locked_periods(db, on_date)
    if locked:
        raise DomainError(
            N_("{date} lies in {period}, whose results are already approved or published."),
            field="on_date",
            date=on_date.isoformat(),
            period=locked[0].name,
        )
    if photo is not None:
        photo.check()
    workers = queries.workers_by_id(db, sorted(points))
    rule = item.rule()
    for worker_id, value in points.items():
        worker = workers.get(worker_id)
        if worker is None:
            raise DomainError(N_("Unknown worker {id}."), field="workers", id=worker_id)
        if worker.status in (WorkerStatus.LEFT, WorkerStatus.CANDIDATE):
            raise DomainError(N_("{name} is not working now and cannot be assessed."), field="workers", name=worker.name)
        if not in_bureau(worker, item.bureau_id):
            raise DomainError(
                N_("{name} does not work for {bureau}, the bureau of this item."),
                field="workers",
                name=worker.name,
                bureau=item.client_bureau,
            )
        try:
            validate_points(rule, value)
        except DomainError as error:
            raise DomainError(error.message, field=f"points_{worker_id}", **error.params) from error
    _check_caps(db, item, on_date, points, workers)
    created: list[AssessmentRecord] = []
    for worker_id, value in points.items():
        row = AssessmentRecord(
            tenant_id=tenant_id,
            worker_id=worker_id,
            on_date=on_date,
            item_id=id_of(item),
            points=value,
            note=note,
            recorder_kind=kind.value,
            recorder_id=actor.id or 0,
            recorder_label=actor.label[:120],
            photo=photo.content if photo else None,
            photo_media_type=photo.media_type if photo else None,
            photo_filename=photo.filename[:200] if photo else None,
        )
        db.add(row)
        created.append(row)
    db.flush()
    record_many(
        db, tenant_id, actor, "assessment_record.create", "assessment_record", [(r.id, None, r.snapshot()) for r in created]
    )
    return created


def _check_caps(
    db: TenantSession,
    item: AssessmentItem,
    on_date: date,
    points: Mapping[int, Decimal],
    workers: Mapping[int, Worker],
) -> None:
    if item.period_cap is None:
        return
    for period in queries.periods_containing(db, on_date):
        existing: dict[int, Decimal] = defaultdict(Decimal)
        for r in queries.records_between(db, period.starts_on, period.ends_on, sorted(points)):
            if r.item_id == item.id:
                existing[r.worker_id] += r.points
        for worker_id, value in points.items():
            total = existing[worker_id] + value
            if abs(total) > item.period_cap:
                raise DomainError(
                    N_("{name} would have {total} points for {item} in {period}, beyond its cap of {cap}."),
                    field=f"points_{worker_id}",
                    name=workers[worker_id].name,
                    total=total,
                    item=item.name,
                    period=period.name,
                    cap=item.period_cap,
                )


def delete_record(db: TenantSession, row: AssessmentRecord, *, actor: Actor) -> None:
    """Withdraw a record entered by mistake, unless its period's results are settled."""
    tenant_id = db.tenant_id
    locked = _locked_periods(db, row.on_date)
    if locked:
        raise DomainError(
            N_("{date} lies in {period}, whose results are already approved or published."),
            field="record",
            date=row.on_date.isoformat(),
            period=locked[0].name,
        )
    before = row.snapshot()
    db.delete(row)
    db.flush()
    record(db, tenant_id, actor, "assessment_record.delete", "assessment_record", row.id, before=before)


# ---- periods -------------------------------------------------------------------


def create_period(db: TenantSession, data: PeriodInput, *, actor: Actor) -> AssessmentPeriod:
    tenant_id = db.tenant_id
    period = AssessmentPeriod(
        tenant_id=tenant_id,
        kind=data.kind.value,
        name=data.name,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        bureau_id=data.bureau_id,
        base_score=data.base_score,
        weights=data.weights_json(),
        rating_config=data.rating_json(),
        status=Lifecycle.DRAFT.value,
    )
    db.add(period)
    db.flush()
    record(db, tenant_id, actor, "assessment_period.create", "assessment_period", period.id, after=period.snapshot())
    return period


def update_period(db: TenantSession, period: AssessmentPeriod, data: PeriodInput, *, actor: Actor) -> AssessmentPeriod:
    """Change a draft period; results computed under the old settings are withdrawn (compute again)."""
    tenant_id = db.tenant_id
    _require_status(period, Lifecycle.DRAFT)
    before = period.snapshot()
    period.kind, period.name = data.kind.value, data.name
    period.starts_on, period.ends_on, period.bureau_id = data.starts_on, data.ends_on, data.bureau_id
    period.base_score, period.weights, period.rating_config = data.base_score, data.weights_json(), data.rating_json()
    if period.snapshot() == before:
        return period
    stale = list(
        db.exec(
            select(AssessmentResult).where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.period_id == period.id)
        )
    )
    for row in stale:
        db.delete(row)
    period.computed_at = None
    period.updated_at = datetime.now(UTC)
    db.add(period)
    db.flush()
    record(
        db, tenant_id, actor, "assessment_period.update", "assessment_period", period.id, before=before, after=period.snapshot()
    )
    record_many(
        db,
        tenant_id,
        actor,
        "assessment_result.withdraw",
        "assessment_result",
        [(row.id, row.snapshot(), None) for row in stale],
    )
    return period


def _require_status(period: AssessmentPeriod, *allowed: Lifecycle) -> None:
    if period.lifecycle is Lifecycle.PUBLISHED and Lifecycle.PUBLISHED not in allowed:
        raise DomainError(N_("This period is already published."), field="status")
    if period.lifecycle not in allowed:
        raise DomainError(
            N_("This cannot be done while the period is {status}."),
            field="status",
            status=Label(_LIFECYCLE_MSGIDS[period.lifecycle]),
        )


_LIFECYCLE_MSGIDS = {
    Lifecycle.DRAFT: N_("Draft"),
    Lifecycle.UNDER_REVIEW: N_("Under review"),
    Lifecycle.APPROVED: N_("Approved"),
    Lifecycle.PUBLISHED: N_("Published"),
}


def scope_workers(db: TenantSession, period: AssessmentPeriod) -> list[Worker]:
    """Who a period assesses: workers on the books (probation, active, suspended)
    hired by the period's end, of the period's bureau when it has one, plus
    anyone with records or sheet scores in the period (a worker who left)."""
    tenant_id = db.tenant_id
    ids = set(db.exec(select(SheetScore.worker_id).where(SheetScore.tenant_id == tenant_id, SheetScore.period_id == period.id)))
    ids |= {r.worker_id for r in queries.records_between(db, period.starts_on, period.ends_on)}
    workers = db.exec(
        select(Worker)
        .where(
            Worker.tenant_id == tenant_id,
            or_(col(Worker.status).in_(queries.ASSESSED_STATUSES), col(Worker.id).in_(sorted(ids) or [0])),
            Worker.hire_date <= period.ends_on,
        )
        .order_by(col(Worker.id))
    ).all()
    return [w for w in workers if in_bureau(w, period.bureau_id)]


def _result_component_scores(
    db: TenantSession, period: AssessmentPeriod, worker_ids: list[int]
) -> dict[tuple[str, int], Decimal]:
    """(kind, worker) -> mean score of the worker's approved or published results
    of periods of that kind lying inside ``period``."""
    tenant_id = db.tenant_id
    rows = db.exec(
        select(col(AssessmentPeriod.kind), col(AssessmentResult.worker_id), col(AssessmentResult.score))
        .join(
            AssessmentPeriod,
            (col(AssessmentPeriod.tenant_id) == AssessmentResult.tenant_id)
            & (col(AssessmentPeriod.id) == AssessmentResult.period_id),
        )
        .where(
            AssessmentResult.tenant_id == tenant_id,
            AssessmentPeriod.id != period.id,
            AssessmentPeriod.starts_on >= period.starts_on,
            AssessmentPeriod.ends_on <= period.ends_on,
            col(AssessmentPeriod.status).in_([Lifecycle.APPROVED.value, Lifecycle.PUBLISHED.value]),
            col(AssessmentResult.worker_id).in_(worker_ids or [0]),
        )
    ).all()
    sums: dict[tuple[str, int], list[Decimal]] = defaultdict(list)
    for kind, worker_id, score in rows:
        sums[(kind, worker_id)].append(score)
    return {key: round_score(sum(values, Decimal(0)) / len(values)) for key, values in sums.items()}


class _ResultValues(TypedDict):
    """What computing a period writes on each of its results."""

    score: Decimal
    rating: str
    bureau_id: int
    components: dict[str, str]
    status: str


def compute_results(db: TenantSession, period: AssessmentPeriod, *, actor: Actor) -> list[AssessmentResult]:
    """(Re)compute a draft period's results: components, weighted score, rating.

    Components: ``daily`` = base score + the period's daily points (capped per
    item, clamped to 0..100); ``concentrated``/``special`` = the imported sheet
    (``special`` falls back to special periods' results); ``monthly``,
    ``quarterly``, ``half_yearly`` = the mean of approved or published results
    of such periods inside this one.  Every weighted component is required: a
    worker lacking one is named and nothing is written.  Ratings: cut-offs,
    then the quotas within each bureau (``rate_group``; ties at a quota's last
    place all move down).
    """
    tenant_id = db.tenant_id
    _require_status(period, Lifecycle.DRAFT)
    weights = weights_of(period.weights)
    thresholds, quotas = thresholds_of(period.rating_config), quotas_of(period.rating_config)
    workers = scope_workers(db, period)
    if not workers:
        raise DomainError(N_("No worker falls within this period."), field="compute")
    scoped = [(id_of(w), w) for w in workers]
    ids = [worker_id for worker_id, _ in scoped]
    records = queries.records_between(db, period.starts_on, period.ends_on, ids)
    items = queries.items_by_id(db, {r.item_id for r in records})
    rules = [i.rule() for i in items.values()]
    by_worker: dict[int, list] = defaultdict(list)
    for r in records:
        by_worker[r.worker_id].append(r)
    sheet = {
        (s.component, s.worker_id): s.score
        for s in db.exec(select(SheetScore).where(SheetScore.tenant_id == tenant_id, SheetScore.period_id == period.id))
    }
    from_results = _result_component_scores(db, period, ids)
    components: dict[int, dict[str, Decimal]] = {}
    missing: list[tuple[Worker, str]] = []
    for worker_id, w in scoped:
        parts: dict[str, Decimal] = {}
        for kind in weights:
            if kind == "daily":
                parts[kind] = period_total(period.base_score, queries.to_daily(by_worker[worker_id]), rules)
            elif (kind, worker_id) in sheet:
                parts[kind] = sheet[(kind, worker_id)]
            elif (kind, worker_id) in from_results:
                parts[kind] = from_results[(kind, worker_id)]
            else:
                missing.append((w, kind))
        components[worker_id] = parts
    if missing:
        names = "、".join(f"{w.name}" for w, _ in missing[:10]) + ("…" if len(missing) > 10 else "")
        raise DomainError(
            N_("{count} workers lack a score for {component}: {names}."),
            field="compute",
            count=len({w.id for w, _ in missing}),
            component=Label(COMPONENTS[missing[0][1]]),
            names=names,
        )
    scores = {worker_id: combine(components[worker_id], weights) for worker_id, _ in scoped}
    groups: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for worker_id, w in scoped:
        groups[bureau_of(w)][str(worker_id)] = scores[worker_id]
    ratings: dict[int, Rating] = {}
    for members in groups.values():
        ratings.update({int(k): v for k, v in rate_group(members, thresholds, quotas).items()})
    existing = {
        r.worker_id: r
        for r in db.exec(
            select(AssessmentResult).where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.period_id == period.id)
        )
    }
    changes: list[Change] = []
    now = datetime.now(UTC)
    results = []
    for worker_id, w in scoped:
        row = existing.pop(worker_id, None)
        before = row.snapshot() if row else None
        values: _ResultValues = {
            "score": scores[worker_id],
            "rating": ratings[worker_id].value,
            "bureau_id": bureau_of(w),
            "components": {k: str(v) for k, v in components[worker_id].items()},
            "status": period.status,
        }
        if row is None:
            row = AssessmentResult(tenant_id=tenant_id, period_id=id_of(period), worker_id=worker_id, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = now
        db.add(row)
        results.append((row, before))
    for gone in existing.values():
        changes.append((gone.id, gone.snapshot(), None))
        db.delete(gone)
    db.flush()
    changes += [(row.id, before, row.snapshot()) for row, before in results if before != row.snapshot()]
    record_many(db, tenant_id, actor, "assessment_result.compute", "assessment_result", changes)
    period.computed_at = now
    period.updated_at = now
    db.add(period)
    return [row for row, _ in results]


TRANSITIONS: dict[str, tuple[tuple[Lifecycle, ...], Lifecycle]] = {
    "submit": ((Lifecycle.DRAFT,), Lifecycle.UNDER_REVIEW),
    "return": ((Lifecycle.UNDER_REVIEW, Lifecycle.APPROVED), Lifecycle.DRAFT),
    "approve": ((Lifecycle.UNDER_REVIEW,), Lifecycle.APPROVED),
    "publish": ((Lifecycle.APPROVED,), Lifecycle.PUBLISHED),
}


def advance(
    db: TenantSession, period: AssessmentPeriod, action: str, today: date | None = None, *, actor: Actor
) -> AssessmentPeriod:
    """Move a period along draft → under review → approved → published (or back to draft before publication)."""
    tenant_id = db.tenant_id
    if action not in TRANSITIONS:
        raise DomainError(N_("Unknown action."), field="action")
    allowed, target = TRANSITIONS[action]
    _require_status(period, *allowed)
    results = list(
        db.exec(
            select(AssessmentResult).where(AssessmentResult.tenant_id == tenant_id, AssessmentResult.period_id == period.id)
        )
    )
    if action == "submit" and (not results or period.computed_at is None):
        raise DomainError(N_("Compute the results before submitting them for review."), field="status")
    now = datetime.now(UTC)
    before = period.snapshot()
    period.status = target.value
    period.updated_at = now
    if target is Lifecycle.PUBLISHED:
        period.published_on = today or clock.today()
        period.published_at = now
    db.add(period)
    for row in results:
        row.status = target.value
        row.updated_at = now
        if target is Lifecycle.PUBLISHED:
            row.published_at = now
            db.add(
                ResultRevision(
                    tenant_id=tenant_id,
                    result_id=id_of(row),
                    revision=row.revision,
                    score=row.score,
                    rating=row.rating,
                    reason="",
                    actor=actor.label[:120],
                )
            )
        db.add(row)
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        f"assessment_period.{action}",
        "assessment_period",
        period.id,
        before=before,
        after=period.snapshot(),
    )
    if target is Lifecycle.PUBLISHED:
        worker_ids = [r.worker_id for r in results]
        refresh_worker_ratings(db, worker_ids, today, actor=actor)
        # A second failing result in a row must reach the compliance page now, not at the nightly check.
        events.record(db, WorkersChanged(tenant_id, tuple(worker_ids), today or clock.today()))
    return period


def refresh_worker_ratings(db: TenantSession, worker_ids: list[int], today: date | None = None, *, actor: Actor) -> None:
    """Copy each worker's rating in force today onto ``workers.assessment_rating`` (the roster shows it)."""
    tenant_id = db.tenant_id
    in_force = ratings_in_force(db, worker_ids, today or clock.today())
    workers = queries.workers_by_id(db, sorted(in_force))
    changes = []
    for worker_id, rating in in_force.items():
        worker = workers[worker_id]
        if worker.assessment_rating != rating.value:
            changes.append((worker_id, {"assessment_rating": worker.assessment_rating}, {"assessment_rating": rating.value}))
            worker.assessment_rating = rating.value
            worker.updated_at = datetime.now(UTC)
            db.add(worker)
    db.flush()
    record_many(db, tenant_id, actor, "worker.assessment_rating", "worker", changes)


def republish_result(
    db: TenantSession,
    result: AssessmentResult,
    *,
    actor: Actor,
    score: Decimal,
    rating: Rating,
    reason: str,
) -> AssessmentResult:
    """Correct a published result (e.g. an upheld appeal): new score and rating,
    revision + 1, kept in ``assessment_result_revisions``, audited; the
    worker's roster rating follows."""
    tenant_id = db.tenant_id
    if result.status != Lifecycle.PUBLISHED.value:
        raise DomainError(N_("Only a published result can be re-published."), field="status")
    check_score(score, field="score")
    if not isinstance(rating, Rating):
        raise DomainError(N_("Choose a value."), field="rating")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(N_("Give the reason for the change."), field="reason")
    before = result.snapshot()
    now = datetime.now(UTC)
    result.score = round_score(score)
    result.rating = rating.value
    result.revision += 1
    result.published_at = now
    result.updated_at = now
    db.add(result)
    db.add(
        ResultRevision(
            tenant_id=tenant_id,
            result_id=id_of(result),
            revision=result.revision,
            score=result.score,
            rating=result.rating,
            reason=reason[:500],
            actor=actor.label[:120],
        )
    )
    db.flush()
    record(
        db,
        tenant_id,
        actor,
        "assessment_result.republish",
        "assessment_result",
        result.id,
        before=before,
        after=result.snapshot() | {"reason": reason[:500]},
    )
    refresh_worker_ratings(db, [result.worker_id], actor=actor)
    return result


# ---- third-party sheets ---------------------------------------------------------


def import_sheet_scores(
    db: TenantSession,
    period: AssessmentPeriod,
    component: str,
    scores: Mapping[int, Decimal],
    source: str,
    *,
    actor: Actor,
) -> int:
    """Replace the period's ``component`` scores with ``scores`` {worker id: score} (draft periods only)."""
    tenant_id = db.tenant_id
    _require_status(period, Lifecycle.DRAFT)
    old = {
        s.worker_id: s
        for s in db.exec(
            select(SheetScore).where(
                SheetScore.tenant_id == tenant_id, SheetScore.period_id == period.id, SheetScore.component == component
            )
        )
    }
    db.execute(
        delete(SheetScore).where(
            col(SheetScore.tenant_id) == tenant_id,
            col(SheetScore.period_id) == period.id,
            col(SheetScore.component) == component,
        )
    )
    for worker_id, score in scores.items():
        db.add(
            SheetScore(
                tenant_id=tenant_id,
                period_id=id_of(period),
                worker_id=worker_id,
                component=component,
                score=score,
                source=source[:200],
            )
        )
    db.flush()
    changes = []
    for worker_id in sorted(set(old) | set(scores)):
        before = {"score": str(old[worker_id].score)} if worker_id in old else None
        after = {"score": str(scores[worker_id])} if worker_id in scores else None
        if before != after:
            changes.append((f"{period.id}:{component}:{worker_id}", before, after))
    record_many(db, tenant_id, actor, "assessment_sheet.import", "assessment_sheet_score", changes)
    return len(scores)


__all__ = [
    "COMPONENTS",
    "RESULT_COMPONENTS",
    "Photo",
    "RowProblems",
    "advance",
    "compute_results",
    "create_item",
    "create_period",
    "delete_record",
    "import_items",
    "import_sheet_scores",
    "new_item_version",
    "record_points",
    "refresh_worker_ratings",
    "republish_result",
]
