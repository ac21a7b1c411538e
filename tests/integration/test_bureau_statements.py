"""Monthly statements (结算单): generated from a published payroll, priced by the
agreement, totals checked against an independent sum to the fen; send,
dispute (by a reviewer's actor, scoped to their bureau), correct, confirm;
Excel and PDF; the states' rules, held by the database too."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from service.accounts.models import StaffRole
from service.audit import SYSTEM, Actor
from service.bureaus.agreements import actions as agreements
from service.bureaus.agreements import queries as agreement_queries
from service.bureaus.agreements.inputs import AgreementInput, PostInput
from service.bureaus.models import ClientBureau, FeeBasis, PostNature, StatementStatus
from service.bureaus.statements import actions as statements
from service.bureaus.statements import queries as statement_queries
from service.errors import DomainError
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.runs import actions as runs
from service.workforce.attendance.actions import save_month
from service.workforce.attendance.rules import AttendanceFigures
from service.workforce.models import GRADES
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_clerk, make_worker
from tests.support.web import csrf_from

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
OTHER = "成都市武侯区城市管理和综合行政执法局"
MARCH = date(2026, 3, 1)
REVIEWER = Actor(kind="reviewer", id=7, label="reviewer@cgj.example.cn")


def _cells() -> tuple[BandCell, ...]:
    return tuple(
        BandCell(
            grade=g,
            rating=r,
            post_pay=D(2500 + 100 * g) + D("0.37"),
            grade_pay=D(200 * g),
            performance_pay=D(600 - 100 * r.rank),
        )
        for g in GRADES
        for r in RATINGS
    )


def _publish_march(settings, tenant) -> dict[str, int]:
    """Three workers at BUREAU (two posts) and one at OTHER, paid in a published March run."""
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(None, date(2026, 1, 1), "", _cells()), actor=SYSTEM)
    ids = {
        "a": make_worker(settings, tenant, client_bureau=BUREAU, city="chengdu", grade=5, post_line="市容市貌").id,
        "b": make_worker(settings, tenant, client_bureau=BUREAU, city="chengdu", grade=3, post_line="市容市貌").id,
        "c": make_worker(settings, tenant, client_bureau=BUREAU, city="chengdu", grade=4, post_line="扬尘管控").id,
        "x": make_worker(settings, tenant, client_bureau=OTHER, unit="", city="chengdu", grade=2).id,
    }
    clerk = make_clerk(tenant)  # approves and publishes what the system calculated (four eyes)
    with tenant_session(tenant.id) as db:
        save_month(db, MARCH, {ids["b"]: AttendanceFigures(D("20"), D("1.5"), D("10"), D("8"), D("0"))}, actor=SYSTEM)
        run = runs.create_run(db, MARCH, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        runs.approve(db, run, actor=clerk)
        runs.publish(db, run, actor=clerk)
    return ids


def _agreement(tenant, bureau_name: str = BUREAU, sign: bool = True) -> int:
    """Pass-through at 350.00 a head; the dust-control post at a fixed 7,800.50."""
    with tenant_session(tenant.id) as db:
        bureau = db.exec(__import__("sqlmodel").select(ClientBureau).where(ClientBureau.name == bureau_name)).one()
        agreement = agreements.create_agreement(
            db,
            bureau,
            AgreementInput(
                number="JJ-2026",
                start_date=date(2026, 1, 1),
                end_date=date(2027, 12, 31),
                work_place="锦江区",
                working_hours="每周 40 小时",
                fee_basis=FeeBasis.PASS_THROUGH,
                management_fee=D("350"),
                fixed_price=None,
                payment_terms="次月 15 日前",
                payment_due_days=15,
                note="",
            ),
            actor=SYSTEM,
        )
        agreements.save_post(
            db, agreement, None, PostInput("市容市貌", PostNature.AUXILIARY, 10, "", None, None, None), actor=SYSTEM
        )
        agreements.save_post(
            db,
            agreement,
            None,
            PostInput("扬尘管控", PostNature.AUXILIARY, 2, "", FeeBasis.FIXED, None, D("7800.5")),
            actor=SYSTEM,
        )
        if sign:
            agreements.sign_agreement(db, agreement, date(2025, 12, 20), actor=SYSTEM)
        return agreement.id


def _independent_total(tenant, ids: dict[str, int]) -> Decimal:
    """Straight from the stored payslips: gross + every employer contribution + 350 a head on pass-through;
    the fixed price for the dust-control worker."""
    with tenant_session(tenant.id) as db:
        rows = dict(
            db.execute(
                text("select worker_id, gross_pay + employer_contributions from payslips where worker_id = any(:w)"),
                {"w": [ids["a"], ids["b"]]},
            ).fetchall()
        )
    return sum((cost + D("350.00") for cost in rows.values()), D("0")) + D("7800.50")


def _generate(tenant, bureau_name: str = BUREAU):
    with tenant_session(tenant.id) as db:
        bureau = db.exec(__import__("sqlmodel").select(ClientBureau).where(ClientBureau.name == bureau_name)).one()
        return statements.generate_statement(db, bureau, MARCH, actor=SYSTEM)


def test_a_statement_totals_the_published_payroll_to_the_fen(settings, tenant) -> None:
    ids = _publish_march(settings, tenant)
    _agreement(tenant)
    statement = _generate(tenant)
    with tenant_session(tenant.id) as db:
        lines = statement_queries.lines_of(db, statement.id)
        hf = db.execute(
            text(
                "select coalesce(sum(amount), 0) from payslip_lines where code = 'housing_fund.employer'"
                " and payslip_id in (select id from payslips where worker_id = any(:w))"
            ),
            {"w": [ids["a"], ids["b"], ids["c"]]},
        ).scalar()
    assert statement.status is StatementStatus.DRAFT and statement.worker_count == 3
    assert {line.worker_id for line in lines} == {ids["a"], ids["b"], ids["c"]}  # not the other bureau's worker
    assert statement.total == _independent_total(tenant, ids)
    assert statement.total == sum((line.total for line in lines), D("0"))
    assert statement.management_fee == D("700.00") and statement.fixed_fees == D("7800.50")
    assert statement.employer_housing_fund == hf > 0
    fixed = next(line for line in lines if line.worker_id == ids["c"])
    assert fixed.fee_basis is FeeBasis.FIXED and fixed.total == D("7800.50")
    pass_through = next(line for line in lines if line.worker_id == ids["a"])
    assert pass_through.total == (
        pass_through.wages + pass_through.employer_social_insurance + pass_through.employer_housing_fund + D("350.00")
    )


def test_send_dispute_correct_confirm(settings, tenant) -> None:
    ids = _publish_march(settings, tenant)
    _agreement(tenant)
    statement = _generate(tenant)
    with tenant_session(tenant.id) as db:
        other_bureau = db.execute(text("select id from client_bureaus where name = :n"), {"n": OTHER}).scalar()
        own_bureau = statement.bureau_id
        with pytest.raises(DomainError, match="sent"):  # a draft cannot be confirmed
            statements.confirm_statement(db, statement.id, actor=REVIEWER, bureau_id=own_bureau)
        statements.send_statement(db, statement.id, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        # a reviewer of another bureau does not find it at all
        with pytest.raises(statement_queries.StatementNotFound):
            statements.dispute_statement(db, statement.id, "不对", actor=REVIEWER, bureau_id=other_bureau)
        with pytest.raises(DomainError, match="wrong"):  # a dispute needs a comment
            statements.dispute_statement(db, statement.id, "  ", actor=REVIEWER, bureau_id=own_bureau)
        disputed = statements.dispute_statement(
            db, statement.id, "扬尘管控岗单价应为 7,700 元", actor=REVIEWER, bureau_id=own_bureau
        )
        assert disputed.status is StatementStatus.DISPUTED and disputed.decided_by == REVIEWER.label
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="reason"):  # an adjustment needs its reason
        statements.correct_statement(db, statement.id, D("-100.50"), "", actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        correction = statements.correct_statement(db, statement.id, D("-100.50"), "扬尘管控岗单价差额", actor=SYSTEM)
        assert correction.corrects_statement_id == statement.id and correction.status is StatementStatus.DRAFT
        assert correction.total == _independent_total(tenant, ids) - D("100.50")
        assert statement_queries.get_statement(db, statement.id).status is StatementStatus.CORRECTED
        statements.send_statement(db, correction.id, actor=SYSTEM)
        confirmed = statements.confirm_statement(db, correction.id, actor=REVIEWER, bureau_id=own_bureau)
        assert confirmed.status is StatementStatus.CONFIRMED
    with tenant_session(tenant.id) as db:
        for act in (
            lambda: statements.confirm_statement(db, correction.id, actor=SYSTEM),
            lambda: statements.dispute_statement(db, correction.id, "again", actor=SYSTEM),
            lambda: statements.correct_statement(db, correction.id, actor=SYSTEM),
            lambda: statements.send_statement(db, correction.id, actor=SYSTEM),
            lambda: statements.discard_draft(db, correction.id, actor=SYSTEM),
        ):
            with pytest.raises(DomainError):
                act()
        actions = db.execute(text("select action from audit_log where entity = 'bureau_statement' order by id")).scalars().all()
    # nor can a new statement for the month replace it (a session of its own: the one above held row locks)
    with pytest.raises(DomainError, match="sent"):
        _generate(tenant)
    assert actions == [
        "statement.generate",
        "statement.send",
        "statement.dispute",
        "statement.mark_corrected",
        "statement.correct",
        "statement.send",
        "statement.confirm",
    ]
    # the database holds it too, whatever the code does
    with pytest.raises(DBAPIError, match="confirmed"), tenant_session(tenant.id) as db:
        db.execute(text("update bureau_statements set total = 1 where id = :s"), {"s": correction.id})
    with pytest.raises(DBAPIError, match="never change"), tenant_session(tenant.id) as db:
        db.execute(text("update bureau_statement_lines set total = 1 where statement_id = :s"), {"s": correction.id})
    with pytest.raises(DBAPIError, match="never change"), tenant_session(tenant.id) as db:
        db.execute(text("update bureau_statements set total = 1 where id = :s"), {"s": statement.id})


def test_without_a_signed_agreement_or_a_published_payroll_nothing_is_generated(settings, tenant) -> None:
    make_bureau(tenant, BUREAU)
    _agreement(tenant, sign=False)
    with pytest.raises(DomainError, match="no signed agreement"):
        _generate(tenant)
    with tenant_session(tenant.id) as db:
        agreement_id = db.execute(text("select id from service_agreements")).scalar()
        agreements.sign_agreement(db, agreement_queries.get_agreement(db, agreement_id), date(2025, 12, 1), actor=SYSTEM)
    with pytest.raises(DomainError, match="No published payroll"):
        _generate(tenant)
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from bureau_statements")).scalar() == 0


def test_the_pages_the_workbook_and_the_pdf(settings, tenant, signed_in) -> None:
    ids = _publish_march(settings, tenant)
    _agreement(tenant)
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    base = f"/t/{tenant.slug}/statements"
    listing = client.get(base + "/")
    assert listing.status_code == 200
    token = csrf_from(listing.text)
    with tenant_session(tenant.id) as db:
        bureau_id = db.execute(text("select id from client_bureaus where name = :n"), {"n": BUREAU}).scalar()
    refused = client.post(base, data={"_csrf": token, "bureau_id": str(bureau_id), "month": "2026-13"})
    assert refused.status_code == 400 and "field-error" in refused.text
    refused = client.post(base, data={"_csrf": token, "bureau_id": "abc", "month": "2026-03"})
    assert refused.status_code == 400
    created = client.post(base, data={"_csrf": token, "bureau_id": str(bureau_id), "month": "2026-03"}, follow_redirects=False)
    assert created.status_code == 303
    url = created.headers["location"].split("?")[0]
    expected = _independent_total(tenant, ids)
    page = client.get(url).text
    assert f"{expected:,.2f}" in page
    # the payroll clerk prepares and sends, but does not record the bureau's decision
    assert client.post(url + "/confirm", data={"_csrf": token}).status_code == 403
    assert client.post(url + "/send", data={"_csrf": token}, follow_redirects=False).status_code == 303
    book = load_workbook(io.BytesIO(client.get(url + "/xlsx").content))
    sheet = book.active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    due = next(row for row in values if row and row[0] in ("应付合计", "Amount due"))
    assert Decimal(str(due[9])) == expected
    assert sum(Decimal(str(row[9])) for row in values[1:4]) == expected
    pdf = client.get(url + "/pdf")
    assert pdf.headers["content-type"].startswith("application/pdf")
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert BUREAU in pdf_text and f"{expected:,.2f}" in pdf_text
    # bad input on the dispute and correction forms: 4xx next to the field, nothing written
    assert client.post(url + "/correct", data={"_csrf": token, "adjustment": "abc"}).status_code == 400
    assert client.post(url + "/correct", data={"_csrf": token, "adjustment": "12"}).status_code == 400
    assert client.get(f"{base}/999999").status_code == 404
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from bureau_statements")).scalar() == 1


def test_an_admin_records_the_bureaus_dispute_on_the_page(settings, tenant, signed_in) -> None:
    _publish_march(settings, tenant)
    _agreement(tenant)
    statement = _generate(tenant)
    with tenant_session(tenant.id) as db:
        statements.send_statement(db, statement.id, actor=SYSTEM)
    client = signed_in(tenant, StaffRole.ADMIN)
    url = f"/t/{tenant.slug}/statements/{statement.id}"
    token = csrf_from(client.get(url).text)
    empty = client.post(url + "/dispute", data={"_csrf": token, "comment": "   "})
    assert empty.status_code == 400 and "field-error" in empty.text
    disputed = client.post(url + "/dispute", data={"_csrf": token, "comment": "人数不对"}, follow_redirects=False)
    assert disputed.status_code == 303
    assert "人数不对" in client.get(url).text
