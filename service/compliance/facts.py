"""Loading what the compliance rules look at, set-based: a handful of queries
for a whole tenant (or for a few workers), whatever its size.

The dataclasses are plain values; ``evaluate`` runs the rules over them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import text

from service.bureaus.directory import count_dispatched
from service.cities.reference import CityFigures
from service.workforce.contracts.terms import Contract, ContractType
from service.workforce.records.actions import CERTIFICATE_NOTICE_DAYS, certificates_expiring
from tenants.isolation import TenantSession

_CONTRACT_TYPES = {t.value: t for t in ContractType}


@dataclass(frozen=True, slots=True)
class ContractFacts:
    id: int
    worker_id: int
    terms: Contract  # the pure contract of contract_terms
    status: str  # draft, signed, renewed, terminated
    signed_on: date | None
    renewal_decision: str  # undecided, renew, not_renew
    previous_contract_id: int | None = None


@dataclass(frozen=True, slots=True)
class WorkerFacts:
    id: int
    name: str
    hire_date: date  # 用工之日
    status: str
    bureau_id: int  # the client bureau's record
    si_registered_on: date | None = None
    city: str | None = None
    contracts: tuple[ContractFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificateFacts:
    subject: str  # "certificate:<id>"
    worker_id: int
    valid_until: date


@dataclass(frozen=True, slots=True)
class TenantFacts:
    workers: tuple[WorkerFacts, ...]
    cities: tuple[CityFigures, ...]
    certificates: tuple[CertificateFacts, ...] = ()


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the 10% dispatch cap looks at, per client bureau (``load_units``)."""

    # Direct-contract headcount of each bureau examined (by id) whose figure is
    # recorded (``client_bureaus.direct_headcount``) with the cap warning on.
    direct_headcounts: dict[int, int] = field(default_factory=dict)
    # This tenant's dispatched workers at those bureaus (``DISPATCHED_STATUSES``).
    dispatched_headcounts: dict[int, int] = field(default_factory=dict)


def _scope(worker_ids: Sequence[int] | None, column: str) -> str:
    return "" if worker_ids is None else f" and {column} = any(cast(:ids as bigint[]))"


def load_facts(db: TenantSession, today: date, worker_ids: Sequence[int] | None = None) -> TenantFacts:
    """The facts of every worker of the tenant, or of ``worker_ids`` only."""
    tenant_id = db.tenant_id
    params = {"t": tenant_id, "ids": list(worker_ids or [])}
    contracts: dict[int, list[ContractFacts]] = {}
    # fetchall and positional rows: at 100,000+ rows, row-by-row fetching and
    # attribute lookups cost more than the queries themselves.
    for (
        contract_id,
        worker_id,
        contract_type,
        start,
        end,
        probation_end,
        probation_wage,
        wage,
        signed_on,
        status,
        renewal_decision,
        previous_id,
    ) in db.execute(
        text(
            "select id, worker_id, contract_type, start_date, end_date, probation_end, probation_wage, wage,"
            " signed_on, status, renewal_decision, previous_contract_id"
            " from contracts where tenant_id = :t" + _scope(worker_ids, "worker_id")
        ),
        params,
    ).fetchall():
        terms = Contract(_CONTRACT_TYPES[contract_type], start, end, wage, probation_end, probation_wage)
        contracts.setdefault(worker_id, []).append(
            ContractFacts(contract_id, worker_id, terms, status, signed_on, renewal_decision, previous_id)
        )
    workers = tuple(
        WorkerFacts(worker_id, name, hire_date, status, bureau, si_registered_on, city, tuple(contracts.get(worker_id, ())))
        for worker_id, name, hire_date, status, bureau, si_registered_on, city in db.execute(
            text(
                "select w.id, w.name, w.hire_date, w.status, w.bureau_id, w.si_registered_on, w.city"
                " from workers w where w.tenant_id = :t" + _scope(worker_ids, "w.id")
            ),
            params,
        ).fetchall()
    )
    cities = tuple(
        CityFigures(
            city=row.city,
            effective_from=row.effective_from,
            minimum_wage_monthly=row.minimum_wage_monthly,
            minimum_wage_hourly=row.minimum_wage_hourly,
            average_wage_monthly=row.average_wage_monthly,
        )
        for row in db.execute(
            text(
                "select city, effective_from, minimum_wage_monthly, minimum_wage_hourly, average_wage_monthly"
                " from city_parameters where tenant_id = :t"
            ),
            {"t": tenant_id},
        )
    )
    return TenantFacts(
        workers=workers,
        cities=cities,
        certificates=load_certificates(db, today, None if worker_ids is None else set(worker_ids)),
    )


def load_certificates(db: TenantSession, today: date, worker_ids: set[int] | None) -> tuple[CertificateFacts, ...]:
    """Certificates expiring within the notice period (or expired)."""
    return tuple(
        CertificateFacts(subject=f"certificate:{c.certificate_id}", worker_id=c.worker_id, valid_until=c.valid_until)
        for c in certificates_expiring(db, CERTIFICATE_NOTICE_DAYS, today)
        if worker_ids is None or c.worker_id in worker_ids
    )


def load_units(db: TenantSession, today: date, bureau_ids: Collection[int] | None = None) -> UnitFacts:
    """The recorded direct headcounts (cap warning on) and dispatched counts, of every bureau or of ``bureau_ids``."""
    tenant_id = db.tenant_id
    if bureau_ids is not None and not bureau_ids:
        return UnitFacts()
    sql = (
        "select id, direct_headcount from client_bureaus where tenant_id = :t and cap_warning and direct_headcount is not null"
    )
    if bureau_ids is not None:
        sql += " and id = any(cast(:ids as bigint[]))"
    direct = dict(db.execute(text(sql), {"t": tenant_id, "ids": sorted(bureau_ids or ())}).fetchall())
    return UnitFacts(direct, count_dispatched(db, today, direct.keys()) if direct else {})
