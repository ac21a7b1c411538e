"""Workers' bank accounts: encrypted at rest, one worker per account, masked for those who may not see it,
the history payments are traced by, the Excel import, and the assistant's change HR approves.

The import is a job the upload waits for, and the job worker sees committed data only: every test commits.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import text
from sqlmodel import select
from stdnum import luhn

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.errors import DomainError
from service.i18n import translator
from service.keys import keys_for
from service.workforce.bank_accounts import actions, queries
from service.workforce.bank_accounts.models import AccountSource
from service.workforce.bank_accounts.rules import BankAccountInput
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_worker
from tests.support.portal import make_assistant
from tests.support.sheets import XLSX, workbook
from tests.support.web import csrf_from

pytestmark = pytest.mark.usefixtures("db_clean")

HEADERS = ["身份证号", "姓名", "银行账号", "开户银行", "开户网点", "账户名", "户名不一致原因"]


def card(prefix: str) -> str:
    """A 16-digit number passing the card check digit."""
    return prefix + luhn.calc_check_digit(prefix)


def bad_card(prefix: str) -> str:
    """A 16-digit number failing the card check digit."""
    good = card(prefix)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def message(msgid: str, **params: object) -> str:
    return html.escape(translator(None)(msgid, **params), quote=False)


def audit(tenant, action: str) -> list[AuditEntry]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def raw_rows(tenant, table: str) -> list:
    with tenant_session(tenant.id) as db:
        return list(db.execute(text(f"select * from {table} order by id")).mappings())


def give(settings, tenant, worker: Worker, number: str, bank: str = "中国工商银行") -> None:
    with tenant_session(tenant.id) as db:
        data = BankAccountInput(number, bank, "春熙路支行", worker.name, None)
        actions.set_account(db, keys_for(settings), db.get(Worker, (tenant.id, worker.id)), data, actor=SYSTEM)


def post_account(client, tenant, worker, **fields: str):
    url = f"/t/{tenant.slug}/workers/{worker.id}/bank-account"
    token = csrf_from(client.get(url).text)
    values = {"account_number": "", "bank_name": "中国工商银行", "branch": "春熙路支行", "account_name": worker.name}
    return client.post(url, data={"_csrf": token, **(values | fields)}, follow_redirects=False)


def test_hr_enters_an_account_kept_encrypted_and_masked_for_a_role_without_the_right(settings, tenant, signed_in) -> None:
    worker = make_worker(settings, tenant, name="李晓明")
    number = card("622202020011223")
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    saved = post_account(hr, tenant, worker, account_number=f"{number[:4]} {number[4:8]} {number[8:12]} {number[12:]}")
    assert saved.status_code == 303, saved.text
    (row,) = raw_rows(tenant, "bank_accounts")
    assert number.encode() not in bytes(row["account_number_cipher"]) and number not in str(dict(row))
    assert row["account_number_masked"] == f"{number[:4]}********{number[-4:]}" and row["valid_until"] is None
    assert number in hr.get(f"/t/{tenant.slug}/workers/{worker.id}").text  # HR sees ID numbers in full, and accounts

    (entry,) = audit(tenant, "bank_account.set")
    assert entry.after["account_number"] == row["account_number_masked"] and number not in str(entry.after)

    viewer = signed_in(tenant, StaffRole.VIEWER)
    for page in (f"/t/{tenant.slug}/workers/{worker.id}", f"/t/{tenant.slug}/workers/{worker.id}/bank-account"):
        shown = viewer.get(page)
        assert shown.status_code == 200
        assert row["account_number_masked"] in shown.text and number not in shown.text
    assert post_account(viewer, tenant, worker, account_number=card("622202020099887")).status_code == 403


def test_an_account_in_force_for_another_worker_is_refused(settings, tenant, signed_in) -> None:
    first, second = make_worker(settings, tenant, name="王一"), make_worker(settings, tenant, name="赵二")
    number = card("621700000000123")
    give(settings, tenant, first, number)
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    refused = post_account(hr, tenant, second, account_number=number)
    assert refused.status_code == 400
    assert (
        message("This account number is already in force for {name}: one account pays one worker.", name="王一") in refused.text
    )
    assert len(raw_rows(tenant, "bank_accounts")) == 1


def test_a_number_given_to_two_workers_at_the_same_instant_is_refused_not_a_500(settings, tenant) -> None:
    """The check before writing (``refuse_taken``) cannot see a number another request is writing at the same
    instant; the unique index does, and the second writer gets the same kind of refusal."""
    first, second = make_worker(settings, tenant, name="王一"), make_worker(settings, tenant, name="赵二")
    number = card("621700000000456")
    give(settings, tenant, first, number)
    with tenant_session(tenant.id) as db, pytest.raises(DomainError) as refused:
        data = BankAccountInput(number, "中国工商银行", "", second.name, None)
        actions.put_in_force(
            db, keys_for(settings), [(second.id, data)], source=AccountSource.HR, actor=SYSTEM, action="bank_account.set"
        )
    assert refused.value.field == "account_number"
    assert len(raw_rows(tenant, "bank_accounts")) == 1


def test_a_new_account_closes_the_old_one_which_stays_traceable(settings, tenant) -> None:
    worker = make_worker(settings, tenant, name="孙三")
    give(settings, tenant, worker, card("622848000000111"), bank="中国农业银行")
    between = datetime.now(UTC)
    give(settings, tenant, worker, card("621483000000222"), bank="招商银行")
    with tenant_session(tenant.id) as db:
        then, now = queries.account_in_force(db, worker.id, between), queries.account_in_force(db, worker.id)
        history = queries.history_of(db, worker.id)
    assert then is not None and then.bank_name == "中国农业银行" and then.valid_until is not None
    assert now is not None and now.bank_name == "招商银行" and now.valid_until is None
    assert [h.id for h in history] == [now.id, then.id] and then.valid_until == now.valid_from
    (entry,) = [e for e in audit(tenant, "bank_account.set") if e.before]
    assert entry.before["bank_name"] == "中国农业银行" and entry.after["bank_name"] == "招商银行"


def test_another_name_needs_a_reason_and_a_failed_card_check_a_confirmation(settings, tenant, signed_in) -> None:
    worker = make_worker(settings, tenant, name="周四")
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    unexplained = post_account(hr, tenant, worker, account_number=card("622202020011224"), account_name="周大")
    assert unexplained.status_code == 400 and 'id="name_reason-error"' in unexplained.text
    with_letters = post_account(hr, tenant, worker, account_number="62220A0200112233")
    assert with_letters.status_code == 400 and message("An account number may contain only digits.") in with_letters.text

    suspicious = bad_card("622202020011225")
    warned = post_account(hr, tenant, worker, account_number=suspicious)
    assert warned.status_code == 400 and 'name="confirm_card_check"' in warned.text
    assert raw_rows(tenant, "bank_accounts") == []
    confirmed = post_account(
        hr, tenant, worker, account_number=suspicious, account_name="周大", name_reason="父亲代收", confirm_card_check="1"
    )
    assert confirmed.status_code == 303
    (row,) = raw_rows(tenant, "bank_accounts")
    assert (row["account_name"], row["name_reason"]) == ("周大", "父亲代收")


# --- the Excel import --------------------------------------------------------------------------------


def upload(client, tenant, content: bytes, *, confirm: bool = False):
    token = csrf_from(client.get(f"/t/{tenant.slug}/bank-accounts/import").text)
    data = {"_csrf": token} | ({"confirm_card_check": "1"} if confirm else {})
    return client.post(
        f"/t/{tenant.slug}/bank-accounts/import",
        data=data,
        files={"file": ("工资卡.xlsx", content, XLSX)},
        follow_redirects=False,
    )


def reported(page: str) -> list[tuple[int, str]]:
    """(row, column) of each line of the error or warning tables."""
    cells = re.findall(r"<tr><td[^>]*>(\d+)</td><td[^>]*>([^<]*)</td><td[^>]*>[^<]*</td></tr>", page)
    return [(int(r), c) for r, c in cells]


def id_number(settings, tenant, worker: Worker) -> str:
    with tenant_session(tenant.id) as db:
        from service.workforce.roster.actions import reveal_id_number

        return reveal_id_number(keys_for(settings), db.get(Worker, (tenant.id, worker.id)))


def test_the_import_refuses_the_whole_sheet_with_each_rows_problem(settings, tenant, signed_in) -> None:
    a, b, c = (make_worker(settings, tenant, name=n) for n in ("钱一", "钱二", "钱三"))
    ids = {w.name: id_number(settings, tenant, w) for w in (a, b, c)}
    taken = card("622202020000001")
    give(settings, tenant, c, taken)
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    template = load_workbook(__import__("io").BytesIO(hr.get(f"/t/{tenant.slug}/bank-accounts/import/template").content))
    assert [cell.value for cell in template.active[1]] == HEADERS

    same = card("622202020000002")
    sheet = workbook(
        [
            [ids["钱一"], "钱一", same, "中国工商银行", "", "", ""],  # row 2: fine on its own
            ["110101199003070014", "无名", card("622202020000003"), "中国工商银行", "", "", ""],  # 3: unknown worker
            [ids["钱二"], "钱二", "6222A20200000004", "中国工商银行", "", "", ""],  # 4: letters
            [ids["钱二"], "钱二", same, "中国工商银行", "", "", ""],  # 5: the number of row 2
            [ids["钱二"], "钱二", taken, "中国工商银行", "", "", ""],  # 6: 钱三's account in force
            [ids["钱二"], "钱二", card("622202020000005"), "中国工商银行", "", "钱老二", ""],  # 7: another name, no reason
        ],
        HEADERS,
    )
    refused = upload(hr, tenant, sheet)
    assert refused.status_code == 400, refused.text
    assert "未导入任何数据" in refused.text
    assert reported(refused.text) == [(3, "身份证号"), (4, "银行账号"), (5, "银行账号"), (6, "银行账号"), (7, "户名不一致原因")]
    assert (
        message("This account number is already in force for {name}: one account pays one worker.", name="钱三") in refused.text
    )
    assert len(raw_rows(tenant, "bank_accounts")) == 1


def test_a_failed_card_check_in_a_sheet_is_a_warning_the_clerk_confirms(settings, tenant, signed_in) -> None:
    workers = [make_worker(settings, tenant, name=n) for n in ("吴一", "吴二")]
    ids = [id_number(settings, tenant, w) for w in workers]
    suspicious = bad_card("622202020000010")
    sheet = workbook(
        [
            [ids[0], "吴一", suspicious, "中国建设银行", "成都分行", "", ""],
            [ids[1], "吴二", "12345678901234567890", "中国建设银行", "", "吴大", "母亲代收"],  # not a card's length
        ],
        HEADERS,
    )
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    warned = upload(hr, tenant, sheet)
    assert warned.status_code == 400
    assert 'id="warnings"' in warned.text and message("Correct these rows and upload the file again:") not in warned.text
    assert reported(warned.text) == [(2, "银行账号")]
    assert raw_rows(tenant, "bank_accounts") == []

    confirmed = upload(hr, tenant, sheet, confirm=True)
    assert confirmed.status_code == 303, confirmed.text
    done = hr.get(confirmed.headers["location"])
    assert (
        message(
            "Bank accounts imported: {created} new, {updated} replaced, {unchanged} unchanged.",
            created=2,
            updated=0,
            unchanged=0,
        )
        in done.text
    )
    rows = raw_rows(tenant, "bank_accounts")
    assert [(r["source"], r["account_name"], r["name_reason"]) for r in rows] == [
        ("import", "吴一", None),
        ("import", "吴大", "母亲代收"),
    ]
    assert len(audit(tenant, "bank_account.import")) == 2
    again = upload(hr, tenant, sheet, confirm=True)  # the same sheet again changes nothing
    assert again.status_code == 303
    assert (
        message(
            "Bank accounts imported: {created} new, {updated} replaced, {unchanged} unchanged.",
            created=0,
            updated=0,
            unchanged=2,
        )
        in hr.get(again.headers["location"]).text
    )
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from imports where content is not null")).scalar() == 0


# --- the assistant's change, approved or rejected by HR -------------------------------------------------


def ask(client, tenant, **fields: str):
    url = f"/t/{tenant.slug}/my/bank-account"
    token = csrf_from(client.get(url).text)
    values = {"bank_name": "招商银行", "branch": "成都分行", "account_name": "郑五"}
    return client.post(url, data={"_csrf": token, **(values | fields)}, follow_redirects=False)


def decide(client, tenant, request_id: int, verdict: str, **fields: str):
    token = csrf_from(client.get(f"/t/{tenant.slug}/bank-accounts/requests").text)
    url = f"/t/{tenant.slug}/bank-accounts/requests/{request_id}/{verdict}"
    return client.post(url, data={"_csrf": token, **fields}, follow_redirects=False)


def test_the_assistants_change_takes_effect_only_once_hr_approves(settings, tenant, client, signed_in) -> None:
    worker = make_worker(settings, tenant, name="郑五", phone="13912345678")
    old, rejected_number, wanted = card("622202020000020"), card("622202020000021"), card("622202020000022")
    give(settings, tenant, worker, old)
    make_assistant(client, tenant, worker)

    mine = client.get(f"/t/{tenant.slug}/my/bank-account")
    assert mine.status_code == 200 and old[-4:] in mine.text and old not in mine.text  # masked, even for its owner
    assert ask(client, tenant, account_number=rejected_number).status_code == 303
    with tenant_session(tenant.id) as db:
        assert queries.account_in_force(db, worker.id).account_number_index == queries.account_number_index(
            keys_for(settings), tenant.id, old
        )
        (first,) = queries.pending_requests(db)
    assert raw_rows(tenant, "bank_account_requests")[0]["account_number_masked"].endswith(rejected_number[-4:])

    client.cookies.clear()
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    waiting = hr.get(f"/t/{tenant.slug}/bank-accounts/requests")
    assert waiting.status_code == 200 and rejected_number in waiting.text and old in waiting.text
    assert decide(hr, tenant, first.request.id, "reject").status_code == 400  # a rejection says why
    assert decide(hr, tenant, first.request.id, "reject", rejection_reason="账号与银行卡照片不符").status_code == 303
    assert decide(hr, tenant, first.request.id, "approve").status_code == 400  # already decided

    client.cookies.clear()
    make_assistant(client, tenant, worker)
    assert "账号与银行卡照片不符" in client.get(f"/t/{tenant.slug}/my/bank-account").text
    assert ask(client, tenant, account_number=wanted).status_code == 303

    client.cookies.clear()
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    with tenant_session(tenant.id) as db:
        (second,) = queries.pending_requests(db)
    assert decide(hr, tenant, second.request.id, "approve").status_code == 303
    with tenant_session(tenant.id) as db:
        now = queries.account_in_force(db, worker.id)
        history = queries.history_of(db, worker.id)
    assert now is not None and now.source.value == "portal" and now.request_id == second.request.id
    assert len(history) == 2 and history[1].valid_until is not None
    assert wanted in hr.get(f"/t/{tenant.slug}/workers/{worker.id}/bank-account").text
    assert [e.actor_kind for e in audit(tenant, "bank_account_request.submit")] == ["assistant", "assistant"]
    assert len(audit(tenant, "bank_account_request.reject")) == 1
    (approved,) = audit(tenant, "bank_account_request.approve")
    assert approved.actor_kind == "staff" and approved.after["status"] == "approved"
    (put,) = audit(tenant, "bank_account.approve_request")
    assert put.before["account_number"].endswith(old[-4:]) and put.after["account_number"].endswith(wanted[-4:])


def test_an_assistant_is_not_told_whose_account_a_number_is(settings, tenant, client) -> None:
    other, worker = make_worker(settings, tenant, name="冯六"), make_worker(settings, tenant, name="郑五", phone="13912345679")
    taken = card("622202020000030")
    give(settings, tenant, other, taken)
    make_assistant(client, tenant, worker)
    refused = ask(client, tenant, account_number=taken)
    assert refused.status_code == 400
    assert "冯六" not in refused.text
    assert (
        message("This account number is recorded for another worker. Please check it, or ask your HR office.") in refused.text
    )
    assert raw_rows(tenant, "bank_account_requests") == []


def test_a_sheet_may_swap_two_workers_accounts(settings, tenant, signed_in) -> None:
    first, second = make_worker(settings, tenant, name="陈一"), make_worker(settings, tenant, name="陈二")
    x, y = card("622202020000040"), card("622202020000041")
    give(settings, tenant, first, x)
    give(settings, tenant, second, y)
    sheet = workbook(
        [
            [id_number(settings, tenant, first), "陈一", y, "中国工商银行", "", "", ""],
            [id_number(settings, tenant, second), "陈二", x, "中国工商银行", "", "", ""],
        ],
        HEADERS,
    )
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    swapped = upload(hr, tenant, sheet)
    assert swapped.status_code == 303, swapped.text
    keys = keys_for(settings)
    with tenant_session(tenant.id) as db:
        now = queries.accounts_in_force(db, [first.id, second.id])
        assert len(queries.history_of(db, first.id)) == 2
    assert queries.reveal_account_number(keys, now[first.id]) == y and queries.reveal_account_number(keys, now[second.id]) == x
