"""Recomputing a tenant's compliance alerts and storing them.

Load the facts set-based (``facts``), run every rule in memory
(``evaluate``), then write in two statements whatever the size: one upsert
of every alert raised (``insert ... on conflict (tenant_id, subject, rule)
do update``, skipping rows whose content did not change), and one update
closing the open alerts of the subjects examined that no rule raised this
time.

An acknowledgement survives a recompute only while the alert stays open with
the same fingerprint (the facts it was raised on): changed facts, or an
alert that closed and came back, show it again.  ``first_seen_at`` is when
the alert last opened; ``last_seen_at`` when its content last changed.

``recompute_for_workers`` is what every change of a worker or a contract
calls, in the same transaction (a few queries, each by index, for a few
workers, including the dispatch cap of their client bureaus);
``recompute_for_bureaus`` is what recording a bureau's workforce calls;
``recompute_tenant`` is what ``paiqian compliance check`` runs daily, since
alerts also move with the date alone.

These alert writes are the reaction's (``service/events.py``) and the nightly job's, derived from
the facts and not audited row by row; what staff change on an alert is in ``actions.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from service.compliance.assessment_failures import assessment_failures
from service.compliance.evaluate import (
    BUREAU_SUBJECT,
    Raised,
    bureau_subject,
    evaluate_certificates,
    evaluate_units,
    evaluate_worker,
)
from service.compliance.facts import TenantFacts, UnitFacts, load_facts, load_units
from service.compliance.rules import Rule
from tenants.isolation import TenantSession


@dataclass(frozen=True)
class RecomputeCounts:
    workers: int = 0  # workers examined
    open: int = 0  # alerts the rules raise now, among the subjects examined
    opened: int = 0  # of which new, or back after being closed
    closed: int = 0  # alerts closed because no rule raises them any more
    by_severity: dict[str, int] = field(default_factory=dict)


def recompute_for_workers(db: TenantSession, worker_ids: Iterable[int], today: date) -> RecomputeCounts:
    """Recompute the alerts about these workers and their contracts and certificates,
    and the dispatch cap of their client bureaus.

    The bureaus examined are the workers' bureaus now, plus every bureau with
    an open dispatch-cap alert (a worker who moved away or left may have
    brought the old bureau back under the cap): a few rows, each counted by
    index.
    """
    ids = sorted({int(i) for i in worker_ids if i is not None})
    if not ids:
        return RecomputeCounts()
    facts = load_facts(db, today, ids)
    bureaus = {w.bureau_id for w in facts.workers} | _bureaus_with_open_cap_alerts(db)
    units = load_units(db, today, bureaus)
    extra = assessment_failures(db, facts.workers, today)
    subjects = [bureau_subject(b) for b in bureaus]
    return _store(db, _raise(facts, units, today, extra), ids, subjects, workers=len(facts.workers))


def recompute_for_bureaus(db: TenantSession, bureau_ids: Iterable[int], today: date) -> RecomputeCounts:
    """Recompute the dispatch cap of these client bureaus (their recorded workforce changed)."""
    ids = set(bureau_ids)
    if not ids:
        return RecomputeCounts()
    units = load_units(db, today, ids)
    return _store(db, _raise(TenantFacts((), ()), units, today), [], [bureau_subject(b) for b in ids], workers=0)


def recompute_tenant(db: TenantSession, today: date) -> RecomputeCounts:
    """Recompute every alert of the tenant."""
    facts = load_facts(db, today)
    units = load_units(db, today)
    extra = assessment_failures(db, facts.workers, today)
    return _store(db, _raise(facts, units, today, extra), None, None, workers=len(facts.workers))


def recompute_for_city(db: TenantSession, city: str, today: date) -> RecomputeCounts:
    """Recompute the alerts of the workers of a city (its figures changed)."""
    ids = db.execute(
        text("select id from workers where tenant_id = :t and city = :city"), {"t": db.tenant_id, "city": city}
    ).scalars()
    return recompute_for_workers(db, ids, today)


def _bureaus_with_open_cap_alerts(db: TenantSession) -> set[int]:
    """Recorded bureaus whose dispatch-cap alert is open: probes of the
    (tenant_id, subject, rule) index for the few recorded bureaus."""
    return set(
        db.execute(
            text(
                "select b.id from client_bureaus b where b.tenant_id = :t and b.direct_headcount is not null"
                " and exists (select 1 from compliance_alerts a where a.tenant_id = b.tenant_id"
                " and a.subject = :prefix || b.id and a.rule = :rule and a.open)"
            ),
            {"t": db.tenant_id, "prefix": BUREAU_SUBJECT, "rule": str(Rule.DISPATCH_CAP)},
        ).scalars()
    )


def _raise(facts: TenantFacts, units: UnitFacts, today: date, extra: Sequence[Raised] = ()) -> list[Raised]:
    raised = [r for worker in facts.workers for r in evaluate_worker(worker, facts.cities, today)]
    raised += evaluate_certificates(facts.certificates, today)
    # The 10% cap, for the bureaus in ``units`` with a recorded figure and the warning on.
    raised += evaluate_units((), units.direct_headcounts, today, units.dispatched_headcounts)
    # Two consecutive 不达标 (seed 003 篇8), loaded by ``assessment_failures``.
    raised += extra
    # Two checks never raise the same rule about the same subject; keep the first if they ever did.
    unique: dict[tuple[str, str], Raised] = {}
    for r in raised:
        unique.setdefault((r.subject, r.rule), r)
    return list(unique.values())


_UPSERT = text(
    """
    insert into compliance_alerts as a
      (tenant_id, worker_id, subject, rule, severity, article, message, params, act_by, amount, fingerprint, open)
    select :t, x.worker_id, x.subject, x.rule, x.severity, x.article, x.message, cast(x.params as jsonb),
           x.act_by, x.amount, x.fingerprint, true
    from unnest(cast(:worker_id as bigint[]), cast(:subject as text[]), cast(:rule as text[]),
                cast(:severity as text[]), cast(:article as text[]), cast(:message as text[]),
                cast(:params as text[]), cast(:act_by as date[]), cast(:amount as numeric[]),
                cast(:fingerprint as text[]))
         as x(worker_id, subject, rule, severity, article, message, params, act_by, amount, fingerprint)
    on conflict (tenant_id, subject, rule) do update set
      worker_id = excluded.worker_id,
      severity = excluded.severity,
      article = excluded.article,
      message = excluded.message,
      params = excluded.params,
      act_by = excluded.act_by,
      amount = excluded.amount,
      fingerprint = excluded.fingerprint,
      open = true,
      first_seen_at = case when a.open then a.first_seen_at else now() end,
      last_seen_at = now(),
      acknowledged_at = case when a.open and a.fingerprint = excluded.fingerprint then a.acknowledged_at end,
      acknowledged_by = case when a.open and a.fingerprint = excluded.fingerprint then a.acknowledged_by end,
      acknowledgement = case when a.open and a.fingerprint = excluded.fingerprint then a.acknowledgement end
    where (a.worker_id, a.severity, a.article, a.message, a.params, a.act_by, a.amount, a.fingerprint, a.open)
          is distinct from
          (excluded.worker_id, excluded.severity, excluded.article, excluded.message, excluded.params,
           excluded.act_by, excluded.amount, excluded.fingerprint, true)
    """
)


def _store(
    db: TenantSession,
    raised: Sequence[Raised],
    worker_ids: Sequence[int] | None,
    subjects: Sequence[str] | None,
    *,
    workers: int,
) -> RecomputeCounts:
    """Write ``raised``; close the open alerts examined that were not raised again.

    Examined: every alert of the tenant (``worker_ids`` None), or those about
    ``worker_ids`` and those whose subject is in ``subjects`` (the bureaus'
    dispatch-cap alerts, which have no worker).
    """
    tenant_id = db.tenant_id
    if worker_ids is None:
        scope = ""
    else:
        scope = " and (worker_id = any(cast(:ids as bigint[])) or subject = any(cast(:subjects as text[])))"
    was_open = {
        (subject, rule): alert_id
        for alert_id, subject, rule in db.execute(
            text("select id, subject, rule from compliance_alerts where tenant_id = :t and open" + scope),
            {"t": tenant_id, "ids": list(worker_ids or []), "subjects": list(subjects or [])},
        )
    }
    if raised:
        db.execute(
            _UPSERT,
            {
                "t": tenant_id,
                "worker_id": [r.worker_id for r in raised],
                "subject": [r.subject for r in raised],
                "rule": [r.rule for r in raised],
                "severity": [str(r.alert.severity) for r in raised],
                "article": [r.alert.article for r in raised],
                "message": [r.alert.message for r in raised],
                "params": [json.dumps(r.params, ensure_ascii=False, sort_keys=True) for r in raised],
                "act_by": [r.alert.act_by for r in raised],
                "amount": [r.alert.amount for r in raised],
                "fingerprint": [r.fingerprint for r in raised],
            },
        )
    raised_keys = {(r.subject, r.rule) for r in raised}
    to_close = [alert_id for key, alert_id in was_open.items() if key not in raised_keys]
    if to_close:
        db.execute(
            text(
                "update compliance_alerts set open = false, last_seen_at = now()"
                " where tenant_id = :t and id = any(cast(:ids as bigint[]))"
            ),
            {"t": tenant_id, "ids": to_close},
        )
    return RecomputeCounts(
        workers=workers,
        open=len(raised),
        opened=sum(1 for key in raised_keys if key not in was_open),
        closed=len(to_close),
        by_severity=dict(Counter(str(r.alert.severity) for r in raised)),
    )
