"""What a page costs the database: the SQL statements one request runs, with a ceiling per page.

A page that starts issuing many more statements (a query in a loop, a lazy load per row, a second
transaction) fails here before it shows up as a slow month-end.  Each ceiling is the page's count when it
was set plus a small margin; the counts are printed (``pytest -s``) so a change that lowers them can lower
the ceiling too.

In the suite every transaction is a savepoint on the test's connection (``tenants.isolation.joined_to``):
the SAVEPOINT and RELEASE statements are not counted as statements but as the transactions the request
opened, which in production are one BEGIN and one COMMIT each.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from litestar.testing import TestClient
from sqlalchemy import event
from sqlmodel import select

from service.accounts.models import StaffRole
from service.bureaus.models import ClientBureau
from service.database.engines import app_engine
from service.reviewers.models import ReviewerRole
from service.settings import Settings
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.oidc import make_connection, reviewer_session
from tests.support.portal import BUREAU, band_table, make_assistant, payslip_of, run_month

MARCH = date(2026, 3, 1)

# page: (statements, transactions) at most.  Measured when set (statements): 3, 6, 3, 8, 7, each in one
# transaction, of which the first binds the transaction and reads the tenant and the session, the second
# reads the principal (before: 7, 10, 7, 12, 11 in three transactions).
CEILINGS = {
    "staff dashboard": (5, 1),
    "roster": (8, 1),
    "assistant payslip list": (5, 1),
    "assistant payslip": (10, 1),
    "reviewer home": (9, 1),
}


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    transactions: int = 0


@contextmanager
def counting(settings: Settings) -> Iterator[Counted]:
    counted = Counted()

    def count(conn, cursor, statement: str, parameters, context, executemany) -> None:
        head = statement.lstrip().split(None, 1)[0].upper()
        if head == "SAVEPOINT":
            counted.transactions += 1
        elif head not in {"RELEASE", "ROLLBACK"}:
            counted.statements.append(statement)

    def begin(conn) -> None:  # a real transaction (production; the suite's are savepoints)
        counted.transactions += 1

    engine = app_engine(settings)
    event.listen(engine, "before_cursor_execute", count)
    event.listen(engine, "begin", begin)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", count)
        event.remove(engine, "begin", begin)


def test_each_page_stays_within_its_statement_ceiling(app, client: TestClient, tenant, settings: Settings, signed_in) -> None:
    band_table(tenant)
    workers = [make_worker(settings, tenant, client_bureau=BUREAU, name=f"工人{i}", city="chengdu", grade=3) for i in range(5)]
    run = run_month(tenant, MARCH)
    payslip = payslip_of(tenant, run, workers[0])

    signed_in(tenant, StaffRole.HR_CLERK)

    measured: dict[str, tuple[int, int]] = {}

    def measure(name: str, path: str) -> None:
        assert client.get(path).status_code == 200, name  # warm: first-request caches are not the page's cost
        with counting(settings) as counted:
            response = client.get(path)
        assert response.status_code == 200, (name, response.text[:500])
        measured[name] = (len(counted.statements), counted.transactions)

    measure("staff dashboard", f"/t/{tenant.slug}/")
    measure("roster", f"/t/{tenant.slug}/workers")

    client.cookies.clear()
    make_assistant(client, tenant, workers[0])
    measure("assistant payslip list", f"/t/{tenant.slug}/my/")
    measure("assistant payslip", f"/t/{tenant.slug}/my/payslips/{payslip.id}")

    with tenant_session(tenant.id) as db:
        bureau_id = db.exec(select(ClientBureau.id).where(ClientBureau.name == BUREAU)).one()
    assert bureau_id is not None
    connection = make_connection(settings, tenant.id, bureau_id, "http://127.0.0.1:9/r1")
    client.cookies.clear()
    client.cookies.set(
        "pq_session",
        reviewer_session(settings, tenant, bureau_id, connection.id, ReviewerRole.BUREAU, "r1"),
        domain="127.0.0.1",
    )
    measure("reviewer home", f"/t/{tenant.slug}/review/")

    for name, (statements, transactions) in measured.items():
        sys.stdout.write(f"{name:24} {statements:3} statements, {transactions} transaction(s)\n")
    over = {
        name: (counts, CEILINGS[name])
        for name, counts in measured.items()
        if counts[0] > CEILINGS[name][0] or counts[1] > CEILINGS[name][1]
    }
    assert not over, f"pages over their statement ceiling (measured, ceiling): {over}"
