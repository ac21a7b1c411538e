"""Payment files banks accept (issue 12, points 2 and 7), against the real database: the file of a published
run pays each worker's net pay into the account in force, to the fen; workers without an account are named;
only roles that may see full numbers get the file; a correction pays its increases only; every file is
recorded with its checksum; the worker's payslip shows where the money went."""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.errors import DomainError
from service.insurance.actions import set_contribution_base
from service.keys import keys_for
from service.payroll.runs import actions as runs
from service.payroll.runs.models import PayrollRun, PayslipRow
from service.payroll.runs.payments import actions as payments
from service.payroll.runs.payments import queries as payment_queries
from service.payroll.runs.payments.layouts import SHIPPED, AmountFormat, FileType, Summary, TextEncoding
from service.payroll.runs.payments.models import PaymentFile, PaymentFileLine
from service.workforce.bank_accounts.actions import put_in_force
from service.workforce.bank_accounts.models import AccountSource
from service.workforce.bank_accounts.queries import accounts_in_force
from service.workforce.bank_accounts.rules import BankAccountInput
from service.workforce.models import Worker
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import tenant_session
from tests.integration import test_payroll_runs as run_support
from tests.support.factories import make_clerk, make_worker
from tests.support.portal import BUREAU, band_table, make_assistant, payslip_of, run_month
from tests.support.web import csrf_from

D = Decimal
MARCH = run_support.MARCH
ACCOUNTS = ("6222020200112233445", "6217000010001234567", "6228480010098765432")


def give_accounts(settings, tenant, worker_ids: list[int], numbers=ACCOUNTS) -> None:
    with tenant_session(tenant.id) as db:
        names = {w: db.get(Worker, (tenant.id, w)).name for w in worker_ids}
        put_in_force(
            db,
            keys_for(settings),
            [(w, BankAccountInput(n, "中国工商银行", "成都春熙路支行", names[w], None)) for w, n in zip(worker_ids, numbers)],
            source=AccountSource.HR,
            actor=SYSTEM,
            action="bank_account.set",
        )


def published_march(settings, tenant) -> tuple[list[int], PayrollRun]:
    ids = run_support.seed(settings, tenant)
    run_id = run_support.new_run(tenant)
    run_support.calculate(tenant, run_id)
    run_support.publish(tenant, run_id)
    with tenant_session(tenant.id) as db:
        return ids, runs.get_run(db, run_id)


def produce(settings, tenant, run: PayrollRun, actor=None) -> payments.Produced:
    with tenant_session(tenant.id) as db:
        return payments.produce_file(
            db,
            keys_for(settings),
            runs.get_run(db, run.id),
            clock.today(),
            today=clock.today(),
            actor=actor or make_clerk(tenant),
        )


def slips_of(tenant, run_id: int) -> dict[int, PayslipRow]:
    with tenant_session(tenant.id) as db:
        return {p.worker_id: p for p in db.exec(select(PayslipRow).where(PayslipRow.run_id == run_id))}


def test_the_file_pays_each_net_pay_into_the_account_in_force_and_totals_the_run_to_the_fen(settings, tenant) -> None:
    ids, run = published_march(settings, tenant)
    give_accounts(settings, tenant, ids)
    give_accounts(settings, tenant, [ids[0]], ["6212260200000000019"])  # changed since: the new one is paid
    clerk = make_clerk(tenant)
    gbk_csv = SHIPPED["generic"].layout.__class__(
        **{
            **SHIPPED["generic"].layout.__dict__,
            "file_type": FileType.CSV,
            "encoding": TextEncoding.GBK,
            "amount_format": AmountFormat.FEN,
            "summary": Summary.BOTTOM,
        }
    )
    with tenant_session(tenant.id) as db:
        payments.save_layout(db, gbk_csv, actor=clerk)

    produced = produce(settings, tenant, run, clerk)
    rows = list(csv.reader(io.StringIO(produced.content.decode("gbk"), newline="")))
    header, body, summary = rows[0], rows[1:-1], rows[-1]
    assert header == ["序号", "户名", "账号", "金额", "证件类型", "证件号码", "开户行", "开户网点", "用途"]
    slips = slips_of(tenant, run.id)
    assert len(body) == len(ids) == 3
    assert sum(D(r[3]) for r in body) / 100 == run.net == sum(p.net_pay for p in slips.values())
    assert summary == ["总笔数", "3", "总金额", str(int(run.net * 100))]
    with tenant_session(tenant.id) as db:
        workers = {w: db.get(Worker, (tenant.id, w)) for w in ids}
        in_force = accounts_in_force(db, ids)
        full_ids = {reveal_id_number(keys_for(settings), w) for w in workers.values()}
    assert {r[2] for r in body} == {"6212260200000000019", *ACCOUNTS[1:]}  # full numbers, the newest account
    assert {r[5] for r in body} == full_ids and all(r[8] == "2026年03月工资" for r in body)

    with tenant_session(tenant.id) as db:
        (record,) = payment_queries.files_of(db, run.id)
        lines = payment_queries.lines_of(db, record.id)
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "payment_file.produce")).one()
        saved = db.exec(select(AuditEntry).where(AuditEntry.action == "payment_layout.save")).one()
    assert record.sha256 == hashlib.sha256(produced.content).hexdigest()
    assert (record.row_count, record.total, record.not_paid, record.produced_by) == (3, run.net, D("0.00"), clerk.label)
    assert record.layout["encoding"] == "gbk" and record.file_name.endswith(".csv")
    assert {(line.worker_id, line.bank_account_id, line.amount) for line in lines} == {
        (w, in_force[w].id, slips[w].net_pay) for w in ids
    }
    assert audit.after["sha256"] == record.sha256 and audit.actor_id == clerk.id
    assert saved.before is None and saved.after["file_type"] == "csv"


def test_workers_without_an_account_are_all_named_and_nothing_is_recorded(settings, tenant) -> None:
    ids, run = published_march(settings, tenant)
    give_accounts(settings, tenant, ids[:1])
    with tenant_session(tenant.id) as db:
        names = [db.get(Worker, (tenant.id, w)).name for w in ids[1:]]
    with pytest.raises(DomainError) as refused:
        produce(settings, tenant, run)
    assert all(name in str(refused.value) for name in names) and "2" in str(refused.value)
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PaymentFile)).all() == [] and db.exec(select(PaymentFileLine)).all() == []

    unpublished = run_support.new_run(tenant, date(2026, 4, 1))
    run_support.calculate(tenant, unpublished)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="published run"):
        payments.produce_file(
            db, keys_for(settings), runs.get_run(db, unpublished), clock.today(), today=clock.today(), actor=SYSTEM
        )
    give_accounts(settings, tenant, ids[1:], ACCOUNTS[1:])
    with tenant_session(tenant.id) as db, pytest.raises(DomainError, match="past"):
        payments.produce_file(db, keys_for(settings), run, clock.today() - timedelta(days=1), today=clock.today(), actor=SYSTEM)


def test_a_correction_pays_its_increases_and_lists_the_decreases(settings, tenant) -> None:
    ids, march = published_march(settings, tenant)
    give_accounts(settings, tenant, ids)
    with tenant_session(tenant.id) as db:
        set_contribution_base(db, db.get(Worker, (tenant.id, ids[1])), D("4000"), actor=SYSTEM)  # lower: more net pay
        set_contribution_base(db, db.get(Worker, (tenant.id, ids[2])), D("5000"), actor=SYSTEM)  # higher: less net pay
        correction_id = runs.create_correction(db, MARCH, None, "社保基数核对", actor=SYSTEM).id
    run_support.calculate(tenant, correction_id)
    run_support.publish(tenant, correction_id)
    before, after = slips_of(tenant, march.id), slips_of(tenant, correction_id)
    assert set(after) == {ids[1], ids[2]}
    up, down = after[ids[1]].net_pay - before[ids[1]].net_pay, after[ids[2]].net_pay - before[ids[2]].net_pay
    assert up > 0 > down

    with tenant_session(tenant.id) as db:
        correction = runs.get_run(db, correction_id)
    produced = produce(settings, tenant, correction)
    rows = list(load_workbook(io.BytesIO(produced.content)).worksheets[0].iter_rows(values_only=True))[1:]
    with tenant_session(tenant.id) as db:
        name = db.get(Worker, (tenant.id, ids[1])).name
    assert [(r[1], D(r[3]), r[8]) for r in rows] == [(name, up, "2026年03月工资补发")]
    with tenant_session(tenant.id) as db:
        (record,) = payment_queries.files_of(db, correction_id)
        not_paid = payment_queries.not_paid_of(db, correction)
    assert (record.total, record.not_paid) == (up, -down)
    assert record.total - record.not_paid == correction.net  # the run carries differences
    assert [(n.worker_id, n.amount) for n in not_paid] == [(ids[2], -down)]


def test_a_payroll_clerk_downloads_the_file_from_the_run_page_and_a_viewer_cannot(settings, tenant, signed_in) -> None:
    ids, run = published_march(settings, tenant)
    page_url = f"/t/{tenant.slug}/payroll/{run.id}"
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    token = csrf_from(client.get(page_url).text)
    refused = client.post(f"{page_url}/payment-file", data={"_csrf": token, "pay_date": clock.today().isoformat()})
    assert refused.status_code == 400
    with tenant_session(tenant.id) as db:
        names = [db.get(Worker, (tenant.id, w)).name for w in ids]
    assert all(name in refused.text for name in names)

    give_accounts(settings, tenant, ids)
    response = client.post(f"{page_url}/payment-file", data={"_csrf": token, "pay_date": clock.today().isoformat()})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"run{run.id}" in response.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert {r[2] for r in rows[1:]} == set(ACCOUNTS) and sum(D(r[3]) for r in rows[1:]) == run.net
    shown = client.get(page_url).text
    assert hashlib.sha256(response.content).hexdigest() in shown and 'id="payment-file-made"' in shown

    for role in (StaffRole.VIEWER, StaffRole.HR_CLERK):  # may not read payroll, let alone make its file
        other = signed_in(tenant, role)
        token = csrf_from(other.get(f"/t/{tenant.slug}/").text)
        denied = other.post(f"{page_url}/payment-file", data={"_csrf": token, "pay_date": clock.today().isoformat()})
        assert denied.status_code == 403
    with tenant_session(tenant.id) as db:
        assert len(payment_queries.files_of(db, run.id)) == 1


def test_the_layout_page_starts_from_a_bank_and_saves_the_tenants_layout(settings, tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.PAYROLL_CLERK)
    url = f"/t/{tenant.slug}/payroll/payment-layout"
    page = client.get(f"{url}?start=cmb")
    assert page.status_code == 200 and SHIPPED["cmb"].source in page.text
    form = {
        "_csrf": csrf_from(page.text),
        "base": "cmb",
        "file_type": "txt",
        "encoding": "gb18030",
        "amount_format": "plain",
        "summary": "top",
        "header_row": "no",
        "delimiter": "bar",
        "content_1": "account_number",
        "header_1": "账号",
        "content_2": "account_name",
        "header_2": "户名",
        "content_3": "amount",
        "header_3": "金额",
    }
    assert client.post(url, data=form, follow_redirects=False).status_code == 303
    with tenant_session(tenant.id) as db:
        layout = payment_queries.layout_of(db)
    assert (layout.base, layout.file_type, layout.delimiter, layout.summary) == ("cmb", FileType.TXT, "|", Summary.TOP)
    assert [c.header for c in layout.columns] == ["账号", "户名", "金额"]

    without_amount = form | {"content_3": "", "_csrf": csrf_from(client.get(url).text)}
    refused = client.post(url, data=without_amount, follow_redirects=False)
    assert refused.status_code == 400 and 'id="layout-errors"' in refused.text
    with tenant_session(tenant.id) as db:
        assert len(payment_queries.layout_of(db).columns) == 3  # unchanged


def test_the_workers_payslip_shows_the_bank_the_masked_account_and_the_pay_date(settings, tenant, client) -> None:
    band_table(tenant)
    worker = make_worker(settings, tenant, name="李晓明", city="chengdu", client_bureau=BUREAU)
    run = run_month(tenant, MARCH)
    give_accounts(settings, tenant, [worker.id])
    slip = payslip_of(tenant, run, worker)
    make_assistant(client, tenant, worker)
    page = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}").text
    assert 'id="paid-into"' not in page  # no file yet
    produce(settings, tenant, run)
    page = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}").text
    paid = page.split('id="paid-into"')[1].split("</p>")[0]
    assert "中国工商银行" in paid and "3445" in paid and ACCOUNTS[0] not in page
    assert clock.today().isoformat() in paid
    pdf = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
