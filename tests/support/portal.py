"""Assistants' portal fixtures: a published payroll month, invitations, assistant sign-in."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from litestar.testing import TestClient

from service.audit import SYSTEM
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.runs import actions as runs
from service.payroll.runs.models import PayrollRun, PayslipRow
from service.portal import actions
from service.workforce.models import GRADES, Worker
from tenants.isolation import tenant_session
from tests.support.factories import TenantFixture, make_bureau, make_clerk
from tests.support.web import csrf_from

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
ASSISTANT_PASSWORD = "Chengdu-2026-pay"


def band_table(tenant: TenantFixture) -> None:
    cells = tuple(
        BandCell(grade=g, rating=r, post_pay=D(2500 + 100 * g), grade_pay=D(200 * g), performance_pay=D(600 - 100 * r.rank))
        for g in GRADES
        for r in RATINGS
    )
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(2026, 1, 1), "", cells), actor=SYSTEM)


def run_month(tenant: TenantFixture, month: date, *, publish: bool = True) -> PayrollRun:
    """A regular run of the month, calculated by the system, approved and (unless told not to) published
    by a payroll clerk (four eyes)."""
    clerk = make_clerk(tenant)
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, month, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        runs.approve(db, run, actor=clerk)
        if publish:
            runs.publish(db, run, actor=clerk)
    return run


def payslip_of(tenant: TenantFixture, run: PayrollRun, worker: Worker) -> PayslipRow:
    with tenant_session(tenant.id) as db:
        from sqlmodel import select

        return db.exec(
            select(PayslipRow).where(
                PayslipRow.tenant_id == tenant.id, PayslipRow.run_id == run.id, PayslipRow.worker_id == worker.id
            )
        ).one()


def invite(tenant: TenantFixture, worker: Worker) -> str:
    """A fresh invitation token for the worker (as the HR clerk's button makes)."""
    with tenant_session(tenant.id) as db:
        return actions.invite(db, db.get(Worker, (tenant.id, worker.id)), actor=SYSTEM).token


def accept(client: TestClient, slug: str, token: str, password: str = ASSISTANT_PASSWORD, again: str | None = None):
    url = f"/t/{slug}/my/invitation/{token}"
    form = client.get(url)
    return client.post(
        url,
        data={"_csrf": csrf_from(form.text), "password": password, "password_again": again or password},
        follow_redirects=False,
    )


def assistant_sign_in(client: TestClient, slug: str, login: str, password: str = ASSISTANT_PASSWORD):
    form = client.get(f"/t/{slug}/my/login")
    return client.post(
        f"/t/{slug}/my/login",
        data={"_csrf": csrf_from(form.text), "login": login, "password": password},
        follow_redirects=False,
    )


def make_assistant(client: TestClient, tenant: TenantFixture, worker: Worker) -> None:
    """Invite the worker and accept the link: the client is then signed in as the assistant."""
    response = accept(client, tenant.slug, invite(tenant, worker))
    assert response.status_code == 303, response.text


def link_token(html: str) -> str:
    match = re.search(r"/my/invitation/([A-Za-z0-9_-]+)", html)
    assert match, "no invitation link on the page"
    return match.group(1)
