"""Migration 0027: the dispatch-cap alert, keyed by the bureau's name at 0026, is about the bureau's record."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from datetime import date

from alembic import command
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from service.compliance.evaluate import Raised
from service.compliance.rules import check_dispatch_cap
from service.database.engines import drop_database, ensure_database
from service.database.migrate import _config, upgrade

SHORT, LONG, GONE = "锦江区城管局", "局" * 60, "已改名的旧局名"  # LONG's subject was hashed (over 60 characters)
TODAY = date(2026, 3, 2)
CAP = Raised("", None, check_dispatch_cap(direct_headcount=10, dispatched_headcount=3, enabled=True, today=TODAY))  # type: ignore[arg-type]


def _as(db: Connection, tenant: uuid.UUID) -> None:
    db.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})  # FORCE'd RLS


def _unit_subject(name: str) -> str:
    """The subject the code wrote at 0026."""
    subject = f"unit:{name}"
    return subject if len(subject) <= 60 else "unit:#" + hashlib.sha256(name.encode()).hexdigest()[:32]


def _insert_alert(db: Connection, tenant: uuid.UUID, subject: str, rule: str, params: dict, acknowledged: bool) -> None:
    db.execute(
        text(
            "insert into compliance_alerts (tenant_id, subject, rule, severity, article, message, params, act_by,"
            " fingerprint, acknowledged_at, acknowledgement)"
            " values (:t, :s, :r, :sev, :art, :msg, cast(:p as jsonb), :d, 'old',"
            " case when :ack then now() end, case when :ack then '已沟通' end)"
        ),
        {"t": tenant, "s": subject, "r": rule, "p": json.dumps(params, ensure_ascii=False), "d": TODAY, "ack": acknowledged}
        | {"sev": str(CAP.alert.severity), "art": CAP.alert.article, "msg": CAP.alert.message},
    )


def _alerts(db: Connection) -> list[tuple]:
    db.execute(text("alter table compliance_alerts no force row level security"))  # read across tenants (as the owner)
    found = db.execute(
        text("select tenant_id, subject, rule, params, fingerprint, acknowledgement from compliance_alerts order by id")
    )
    return [tuple(row) for row in found]


def test_name_subjects_become_bureau_ids_and_come_back(settings) -> None:
    """At 0026, cap alerts name a bureau (short, hashed long, a name no bureau has any more), in two
    tenants with the same name; after 0027 each is about its own tenant's record, the unmatched one is
    gone, the acknowledgement and the fingerprint (as the code computes it) hold; the downgrade restores."""
    server = make_url(settings.database_url)
    name = f"paiqian_mig24_{os.getpid()}"
    drop_database(server, name)
    ensure_database(server, name)
    engine = create_engine(server.set(database=name))
    try:
        upgrade(engine, settings, "0026")
        a, b = uuid.uuid4(), uuid.uuid4()
        ids: dict[tuple[uuid.UUID, str], int] = {}
        with engine.begin() as db:
            db.execute(
                text("insert into tenants (id, slug, name) values (:a, 'mig-a', 'A'), (:b, 'mig-b', 'B')"), {"a": a, "b": b}
            )
            for tenant, names in ((a, (SHORT, LONG)), (b, (SHORT,))):
                _as(db, tenant)
                for bureau in names:
                    ids[tenant, bureau] = db.execute(
                        text("insert into client_bureaus (tenant_id, name) values (:t, :n) returning id"),
                        {"t": tenant, "n": bureau},
                    ).scalar_one()
                for bureau in (*names, GONE):
                    params = {**CAP.params, "unit": bureau}
                    _insert_alert(db, tenant, _unit_subject(bureau), "dispatch_cap", params, acknowledged=bureau == SHORT)
            _as(db, a)
            _insert_alert(db, a, "contract:7", "probation_length", {"unit": "untouched"}, acknowledged=False)
            before = _alerts(db)
        upgrade(engine, settings, "0027")
        with engine.begin() as db:
            after = _alerts(db)
            forced = db.execute(
                text("select bool_and(relforcerowsecurity) from pg_class where relname = any(:t)"),
                {"t": ["client_bureaus"]},
            ).scalar()
            db.rollback()
        cap = [(t, s, r, p, f, ack) for t, s, r, p, f, ack in after if r == "dispatch_cap"]
        assert cap == [
            (a, f"bureau:{ids[a, SHORT]}", "dispatch_cap", CAP.params, CAP.fingerprint, "已沟通"),
            (a, f"bureau:{ids[a, LONG]}", "dispatch_cap", CAP.params, CAP.fingerprint, None),
            (b, f"bureau:{ids[b, SHORT]}", "dispatch_cap", CAP.params, CAP.fingerprint, "已沟通"),
        ]  # GONE's alerts are deleted: the nightly check recomputes from the facts
        assert [row for row in after if row[2] != "dispatch_cap"] == [row for row in before if row[2] != "dispatch_cap"]
        assert forced is True
        with engine.begin() as connection:
            command.downgrade(_config(settings, connection), "0026")
        with engine.begin() as db:
            back = _alerts(db)
            db.rollback()
        assert [(t, s, p["unit"], ack) for t, s, _, p, _, ack in back] == [
            (t, s, p["unit"], ack) for t, s, _, p, _, ack in before if p["unit"] != GONE
        ]
    finally:
        engine.dispose()
        drop_database(server, name)
