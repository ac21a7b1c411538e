"""The assistants' portal: invitations, sign-in by phone or ID number, own published payslips only,
the PDF, confirmations, and questions the payroll clerk answers."""

from __future__ import annotations

import html
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

from service.accounts.models import StaffRole
from service.audit import SYSTEM, AuditEntry
from service.i18n import translator
from service.payroll.runs.models import PayslipLineRow
from service.payroll.runs.payslip_feedback import PayslipQuestion
from service.portal import actions
from service.portal.models import AssistantInvitation
from service.workforce.models import Worker
from tenants.isolation import tenant_session
from tests.support.factories import make_staff, make_worker
from tests.support.portal import (
    BUREAU,
    accept,
    assistant_sign_in,
    band_table,
    link_token,
    make_assistant,
    payslip_of,
    run_month,
)
from tests.support.web import csrf_from, sign_in

MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
ID_NUMBER = "51010419900115061X"


def message(msgid: str, **params: object) -> str:
    return html.escape(translator(None)(msgid, **params), quote=False)


def audit(tenant, action: str) -> list[AuditEntry]:
    with tenant_session(tenant.id) as db:
        return list(db.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def post_form(client, page_url: str, url: str, data: dict | None = None):
    token = csrf_from(client.get(page_url).text)
    return client.post(url, data={"_csrf": token, **(data or {})}, follow_redirects=False)


def worker_with_id(settings, tenant, **overrides):
    values = {"name": "李晓明", "id_number": ID_NUMBER, "phone": "13912345678", "city": "chengdu", "client_bureau": BUREAU}
    return make_worker(settings, tenant, **(values | overrides))


# --- invitations -------------------------------------------------------------------


def test_an_hr_clerk_invites_a_worker_who_sets_a_password_once(settings, tenant, signed_in, app) -> None:
    worker = worker_with_id(settings, tenant)
    hr = signed_in(tenant, StaffRole.HR_CLERK)
    worker_page = hr.get(f"/t/{tenant.slug}/workers/{worker.id}")
    assert f"/workers/{worker.id}/portal/invitation" in worker_page.text

    first = post_form(hr, f"/t/{tenant.slug}/workers/{worker.id}", f"/t/{tenant.slug}/workers/{worker.id}/portal/invitation")
    assert first.status_code == 200
    first_token = link_token(first.text)
    second = post_form(
        hr, f"/t/{tenant.slug}/workers/{worker.id}/portal", f"/t/{tenant.slug}/workers/{worker.id}/portal/invitation"
    )
    second_token = link_token(second.text)
    assert first_token != second_token
    with tenant_session(tenant.id) as db:  # only the hash is stored
        stored = list(db.exec(select(AssistantInvitation)))
    assert len(stored) == 2 and all(first_token.encode() not in i.token_hash for i in stored)

    hr.cookies.clear()
    replaced = hr.get(f"/t/{tenant.slug}/my/invitation/{first_token}")
    assert replaced.status_code == 410
    assert message("This invitation link was replaced by a newer one. Use the latest link you received.") in replaced.text
    assert hr.get(f"/t/{tenant.slug}/my/invitation/not-a-real-token-at-all-xyz").status_code == 410

    form = hr.get(f"/t/{tenant.slug}/my/invitation/{second_token}")
    assert form.status_code == 200 and "李晓明" in form.text
    mismatch = accept(hr, tenant.slug, second_token, again="Something-else-1")
    assert mismatch.status_code == 400
    assert message("The two passwords are not the same.") in mismatch.text
    weak = accept(hr, tenant.slug, second_token, password="short", again="short")
    assert weak.status_code == 400 and 'class="field has-error"' in weak.text

    accepted = accept(hr, tenant.slug, second_token)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/t/{tenant.slug}/my/?notice=welcome"
    home = hr.get(f"/t/{tenant.slug}/my/")
    assert home.status_code == 200
    assert message("No payslip has been published for you yet.") in home.text

    hr.cookies.clear()
    reused = hr.get(f"/t/{tenant.slug}/my/invitation/{second_token}")
    assert reused.status_code == 410
    assert (
        message("This invitation link has already been used. Sign in with your password, or ask your HR office for a new link.")
        in reused.text
    )
    assert accept(hr, tenant.slug, second_token, password="Another-pass-99").status_code == 410

    (created, _), accepted_entry = (
        audit(tenant, "assistant_invitation.create"),
        audit(tenant, "assistant_account.accept_invitation"),
    )
    assert created.actor_kind == "staff" and created.entity_id == str(worker.id)
    assert [(e.actor_kind, e.actor_id) for e in accepted_entry] == [("assistant", worker.id)]


def test_an_expired_invitation_link_is_refused(settings, tenant, client) -> None:
    worker = worker_with_id(settings, tenant)
    with tenant_session(tenant.id) as db:
        token = actions.invite(
            db, db.get(Worker, (tenant.id, worker.id)), actor=SYSTEM, now=datetime.now(UTC) - timedelta(days=8)
        ).token
    response = client.get(f"/t/{tenant.slug}/my/invitation/{token}")
    assert response.status_code == 410
    assert message("This invitation link has expired. Ask your HR office for a new one.") in response.text
    assert accept(client, tenant.slug, token).status_code == 410
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 303


# --- signing in --------------------------------------------------------------------


def test_an_assistant_signs_in_by_phone_or_by_id_number(settings, tenant, client) -> None:
    worker = worker_with_id(settings, tenant)
    make_assistant(client, tenant, worker)
    client.cookies.clear()

    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).headers["location"] == f"/t/{tenant.slug}/my/login"
    wrong = assistant_sign_in(client, tenant.slug, "13912345678", "Wrong-password-1")
    assert wrong.status_code == 400
    assert message("The phone number, ID number or password is not correct.") in wrong.text
    unknown = assistant_sign_in(client, tenant.slug, "13800000000")
    assert unknown.status_code == 400

    before = client.cookies.get("pq_session")
    by_phone = assistant_sign_in(client, tenant.slug, "139 1234 5678")
    assert by_phone.status_code == 303 and by_phone.headers["location"] == f"/t/{tenant.slug}/my/"
    first_session = client.cookies["pq_session"]
    assert first_session != before
    assert client.get(f"/t/{tenant.slug}/my/").status_code == 200

    by_id = assistant_sign_in(client, tenant.slug, ID_NUMBER.lower())
    assert by_id.status_code == 303
    assert client.cookies["pq_session"] != first_session  # rotated: the old session ended
    client.cookies.set("pq_session", first_session, domain="127.0.0.1")
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 303

    signed = assistant_sign_in(client, tenant.slug, ID_NUMBER)
    assert signed.status_code == 303
    out = post_form(client, f"/t/{tenant.slug}/my/", f"/t/{tenant.slug}/my/logout")
    assert out.status_code == 303
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 303


@pytest.mark.usefixtures("db_clean")  # failures are counted in their own transaction, which the request's rollback spares
def test_repeated_failures_lock_the_sign_in(settings, tenant, client) -> None:
    worker = worker_with_id(settings, tenant)
    make_assistant(client, tenant, worker)
    client.cookies.clear()
    for _ in range(settings.sign_in_max_failures):
        assert assistant_sign_in(client, tenant.slug, "13912345678", "Wrong-password-1").status_code == 400
    locked = assistant_sign_in(client, tenant.slug, "13912345678")
    assert locked.status_code == 400
    assert (
        message("Too many failed sign-ins. Try again in {minutes} minutes.", minutes=settings.sign_in_lock_minutes)
        in locked.text
    )


def test_a_disabled_account_cannot_sign_in_and_loses_its_session(settings, tenant, app, client) -> None:
    worker = worker_with_id(settings, tenant)
    make_assistant(client, tenant, worker)
    assistant_cookie = client.cookies["pq_session"]

    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    account_page = f"/t/{tenant.slug}/workers/{worker.id}/portal"
    assert message("Can sign in") in client.get(account_page).text
    assert post_form(client, account_page, f"{account_page}/disable").status_code == 303
    refused = post_form(client, account_page, f"{account_page}/invitation")
    assert refused.status_code == 400
    assert message("This portal account is disabled. Enable it before inviting the worker again.") in refused.text
    staff_cookie = client.cookies["pq_session"]

    client.cookies.clear()
    client.cookies.set("pq_session", assistant_cookie, domain="127.0.0.1")
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 303
    client.cookies.clear()
    disabled = assistant_sign_in(client, tenant.slug, "13912345678")
    assert disabled.status_code == 400
    assert message("This portal account is disabled. Contact your HR office.") in disabled.text

    client.cookies.clear()
    client.cookies.set("pq_session", staff_cookie, domain="127.0.0.1")
    assert post_form(client, account_page, f"{account_page}/enable").status_code == 303
    client.cookies.clear()
    assert assistant_sign_in(client, tenant.slug, "13912345678").status_code == 303
    assert [e.actor_kind for e in audit(tenant, "assistant_account.disable")] == ["staff"]

    # Leaving does not enable an account HR disabled.
    client.cookies.clear()
    client.cookies.set("pq_session", staff_cookie, domain="127.0.0.1")
    assert post_form(client, account_page, f"{account_page}/disable").status_code == 303
    worker_page = f"/t/{tenant.slug}/workers/{worker.id}"
    assert post_form(client, worker_page, f"{worker_page}/deactivate").status_code == 303
    client.cookies.clear()
    still_disabled = assistant_sign_in(client, tenant.slug, "13912345678")
    assert still_disabled.status_code == 400
    assert message("This portal account is disabled. Contact your HR office.") in still_disabled.text


def test_a_leaver_still_reads_their_payslips_but_changes_nothing(settings, tenant, client) -> None:
    """Issue 12: a former employee needs the final payslip and its year to date for the tax return, so
    leaving keeps the portal's reading; a change only an active employee may ask for is refused."""
    band_table(tenant)
    worker = worker_with_id(settings, tenant, grade=3)
    march = run_month(tenant, MARCH)
    slip = payslip_of(tenant, march, worker)
    make_assistant(client, tenant, worker)
    session_before_leaving = client.cookies["pq_session"]

    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.HR_CLERK))
    worker_page = f"/t/{tenant.slug}/workers/{worker.id}"
    assert post_form(client, worker_page, f"{worker_page}/deactivate", {"left_on": "2026-04-10"}).status_code == 303

    client.cookies.clear()
    client.cookies.set("pq_session", session_before_leaving, domain="127.0.0.1")
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 200  # the session stays
    client.cookies.clear()
    assert assistant_sign_in(client, tenant.slug, ID_NUMBER).status_code == 303
    listing = client.get(f"/t/{tenant.slug}/my/")
    assert f"/my/payslips/{slip.id}" in listing.text and f"{slip.net_pay:,.2f}" in listing.text
    assert client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}").status_code == 200
    pdf = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    left_no_change = message(
        "You have left this employer, so your bank account can no longer be changed here. "
        "If your final pay must go to another account, contact your former HR office."
    )
    page = client.get(f"/t/{tenant.slug}/my/bank-account")
    assert page.status_code == 200 and left_no_change in page.text and 'name="account_number"' not in page.text
    url = f"/t/{tenant.slug}/my/bank-account"
    asked = post_form(
        client, url, url, {"account_number": "6222020200000220", "bank_name": "招商银行", "account_name": "李晓明"}
    )
    assert asked.status_code == 400 and left_no_change in asked.text
    assert audit(tenant, "bank_account_request.submit") == []


# --- payslips ----------------------------------------------------------------------


def _two_workers_paid(settings, tenant):
    band_table(tenant)
    mine = worker_with_id(settings, tenant, grade=3)
    theirs = make_worker(settings, tenant, name="王建国", city="chengdu", grade=5, client_bureau=BUREAU)
    march = run_month(tenant, MARCH)
    april = run_month(tenant, APRIL, publish=False)  # approved, not published
    return mine, theirs, march, april


def test_an_assistant_sees_only_their_own_published_payslips(settings, tenant, client, app) -> None:
    mine, theirs, march, april = _two_workers_paid(settings, tenant)
    my_slip, their_slip = payslip_of(tenant, march, mine), payslip_of(tenant, march, theirs)
    my_unpublished = payslip_of(tenant, april, mine)
    make_assistant(client, tenant, mine)

    listing = client.get(f"/t/{tenant.slug}/my/")
    assert f"/my/payslips/{my_slip.id}" in listing.text
    assert "2026-03" in listing.text and "2026-04" not in listing.text
    assert f"{my_slip.net_pay:,.2f}" in listing.text
    assert client.get(f"/t/{tenant.slug}/my/payslips/{my_slip.id}").status_code == 200

    base = f"/t/{tenant.slug}/my/payslips"
    for slip_id in (their_slip.id, my_unpublished.id, 999999):
        assert client.get(f"{base}/{slip_id}").status_code == 404
        assert client.get(f"{base}/{slip_id}/pdf").status_code == 404
        assert post_form(client, f"{base}/{my_slip.id}", f"{base}/{slip_id}/confirm").status_code == 404
        assert post_form(client, f"{base}/{my_slip.id}", f"{base}/{slip_id}/questions", {"question": "?"}).status_code == 404
    with tenant_session(tenant.id) as db:
        assert db.exec(select(PayslipQuestion)).all() == []

    # Staff pages refuse an assistant's session (403, with the portal's own error page).
    their_page = f"/payroll/{march.id}/payslips/{their_slip.id}"
    staff_pages = ("/", "/workers", f"/payroll/{march.id}", their_page, "/payroll/questions")
    for staff_page in (f"/t/{tenant.slug}{p}" for p in staff_pages):
        refused = client.get(staff_page, follow_redirects=False)
        assert refused.status_code == 403, staff_page
        assert "/my/logout" in refused.text


def test_the_payslip_page_and_pdf_show_every_line_and_the_year_to_date(settings, tenant, client) -> None:
    mine, _, march, _ = _two_workers_paid(settings, tenant)
    slip = payslip_of(tenant, march, mine)
    with tenant_session(tenant.id) as db:
        lines = list(db.exec(select(PayslipLineRow).where(PayslipLineRow.payslip_id == slip.id)))
    make_assistant(client, tenant, mine)
    page = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}")
    t = translator(None)
    for line in lines:
        assert html.escape(t(line.label), quote=False) in page.text, line.label
        assert f"{line.amount:,.2f}" in page.text
    assert any(line.category == "employer_contribution" for line in lines)
    assert message("Employer contributions (not deducted from pay)") in page.text
    assert f"{slip.employer_contributions:,.2f}" in page.text
    assert message("Income tax withheld this year") in page.text
    assert 'id="year-to-date"' in page.text
    assert f"{slip.net_pay:,.2f}" in page.text

    pdf = client.get(f"/t/{tenant.slug}/my/payslips/{slip.id}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert "attachment" in pdf.headers["content-disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "李晓明" in text
    assert f"{slip.net_pay:,.2f}" in text


def test_a_question_is_answered_by_the_payroll_clerk_and_a_confirmation_is_seen(settings, tenant, app, client) -> None:
    mine, _, march, _ = _two_workers_paid(settings, tenant)
    slip = payslip_of(tenant, march, mine)
    make_assistant(client, tenant, mine)
    detail = f"/t/{tenant.slug}/my/payslips/{slip.id}"

    empty = post_form(client, detail, f"{detail}/questions", {"question": "   "})
    assert empty.status_code == 400
    assert message("Write your question.") in empty.text
    too_long = post_form(client, detail, f"{detail}/questions", {"question": "长" * 1001})
    assert too_long.status_code == 400
    asked = post_form(client, detail, f"{detail}/questions", {"question": "三月的加班费好像没有算进去？"})
    assert asked.status_code == 303
    assert post_form(client, detail, f"{detail}/confirm").status_code == 303
    assert post_form(client, detail, f"{detail}/confirm").status_code == 303  # twice changes nothing
    page = client.get(detail)
    assert "三月的加班费好像没有算进去？" in page.text
    assert message("Waiting for an answer.") in page.text
    assert f"{detail}/confirm" not in page.text
    assistant_cookie = client.cookies["pq_session"]

    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    questions = client.get(f"/t/{tenant.slug}/payroll/questions")
    assert questions.status_code == 200
    assert "李晓明" in questions.text and "2026-03" in questions.text and "三月的加班费好像没有算进去？" in questions.text
    staff_slip = client.get(f"/t/{tenant.slug}/payroll/{march.id}/payslips/{slip.id}")
    assert message("Confirmed by the worker") in staff_slip.text
    assert "三月的加班费好像没有算进去？" in staff_slip.text

    with tenant_session(tenant.id) as db:
        question = db.exec(select(PayslipQuestion)).one()
    answer_url = f"/t/{tenant.slug}/payroll/questions/{question.id}/answer"
    blank = post_form(client, f"/t/{tenant.slug}/payroll/questions", answer_url, {"answer": ""})
    assert blank.status_code == 400 and message("Write an answer.") in blank.text
    answered = post_form(client, f"/t/{tenant.slug}/payroll/questions", answer_url, {"answer": "加班已在四月补发。"})
    assert answered.status_code == 303
    assert message("No question waiting for an answer.") in client.get(f"/t/{tenant.slug}/payroll/questions").text
    assert "加班已在四月补发。" in client.get(f"/t/{tenant.slug}/payroll/questions?state=answered").text
    assert client.get(f"/t/{tenant.slug}/my/", follow_redirects=False).status_code == 403  # staff are not assistants

    client.cookies.clear()
    client.cookies.set("pq_session", assistant_cookie, domain="127.0.0.1")
    assert "加班已在四月补发。" in client.get(detail).text

    assert [(e.actor_kind, e.actor_id) for e in audit(tenant, "payslip_question.create")] == [("assistant", mine.id)]
    assert [(e.actor_kind, e.actor_id) for e in audit(tenant, "payslip.confirm")] == [("assistant", mine.id)]
    assert [e.actor_kind for e in audit(tenant, "payslip_question.answer")] == ["staff"]


def test_garbage_input_gets_a_clear_refusal_never_a_500(settings, tenant, client) -> None:
    mine, _, march, _ = _two_workers_paid(settings, tenant)
    slip = payslip_of(tenant, march, mine)
    for login in ("\x00", "1" * 18, "x" * 500, "５１０１０４１９９００１１５０６１ｘ"):
        response = assistant_sign_in(client, tenant.slug, login)
        assert response.status_code == 400, login
    make_assistant(client, tenant, mine)
    detail = f"/t/{tenant.slug}/my/payslips/{slip.id}"
    assert post_form(client, detail, f"{detail}/questions", {"question": "\x00"}).status_code == 400
    assert post_form(client, detail, f"{detail}/questions", {"question": ["a", "b"]}).status_code == 400
    assert client.get(f"/t/{tenant.slug}/my/payslips/99999999999999999999").status_code in (400, 404)
    assert client.get(f"/t/{tenant.slug}/my/invitation/{'%00' * 30}").status_code == 410
