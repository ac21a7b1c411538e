"""Grade evaluation: criteria, a campaign's eligibility list with reasons, decisions within authority,
applying promotions and demotions (at once or from a later date), and the dated history payroll can read."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.audit import AuditEntry
from service.compliance.check import run_check
from service.dates import add_months
from service.grades.actions import grades_in_force
from service.grades.models import GradeCandidate, GradeChangeRow, GradeDecision
from service.payroll.runs.models import PayslipLineRow, PayslipRow
from service.workforce.models import Education, Worker
from tenants.isolation import tenant_session
from tests.integration import test_payroll_pages as payroll_pages
from tests.support.assessment_results import publish
from tests.support.factories import make_worker
from tests.support.web import csrf_from

TODAY = clock.today()


def _post(client, path: str, page: str, **data: str):
    token = csrf_from(client.get(page).text)
    return client.post(path, data={"_csrf": token, **data}, follow_redirects=False)


def _criteria(client, tenant, grade: int, **fields: str):
    base = f"/t/{tenant.slug}"
    return _post(client, f"{base}/grades/criteria/{grade}", f"{base}/grades", **fields)


def _campaign(client, tenant, *, effective_from: date = TODAY) -> int:
    base = f"/t/{tenant.slug}"
    response = _post(
        client,
        f"{base}/grades/campaigns",
        f"{base}/grades",
        name="2026年度职级评定",
        evaluated_on=TODAY.isoformat(),
        effective_from=effective_from.isoformat(),
    )
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


def _candidate(tenant, campaign_id: int, worker_id: int) -> GradeCandidate:
    with tenant_session(tenant.id) as db:
        return db.get(GradeCandidate, (tenant.id, campaign_id, worker_id))


def _grade(tenant, worker_id: int) -> int:
    with tenant_session(tenant.id) as db:
        return db.exec(select(Worker.grade).where(Worker.id == worker_id)).one()


def _setup(tenant, settings, client, **worker_fields):
    """Grade 4 needs a bachelor, three years' service and 优良 twice; grade 5 (entry) needs 'basic' once."""
    star = make_worker(settings, tenant, grade=5, education=Education.BACHELOR, hire_date=date(2019, 3, 1), **worker_fields)
    weak = make_worker(settings, tenant, grade=4, education=Education.SENIOR_HIGH, hire_date=date(2019, 3, 1), **worker_fields)
    young = make_worker(
        settings, tenant, grade=5, education=Education.SENIOR_HIGH, hire_date=TODAY - timedelta(days=200), **worker_fields
    )
    for i, ratings in enumerate([("excellent", "fails", "meets"), ("good", "fails", "meets")]):
        start = TODAY - timedelta(days=120 - 31 * i)
        publish(
            tenant,
            f"第{i + 1}期",
            start,
            start + timedelta(days=29),
            start + timedelta(days=30),
            {star.id: ("95", ratings[0]), weak.id: ("50", ratings[1]), young.id: ("80", ratings[2])},
        )
    assert (
        _criteria(
            client, tenant, 4, min_education="bachelor", min_years_of_service="3", min_rating="good", rating_periods="2"
        ).status_code
        == 303
    )
    assert _criteria(client, tenant, 5, min_rating="basic", rating_periods="1").status_code == 303
    return star, weak, young


def _confirm(client, tenant, campaign_id: int, worker_id: int, **extra: str):
    path = f"/t/{tenant.slug}/grades/campaigns/{campaign_id}/workers/{worker_id}"
    return _post(
        client,
        path,
        path,
        post_points="120",
        political_standing_confirmed="on",
        fitness_confirmed="on",
        conduct_confirmed="on",
        **extra,
    )


def _decide(client, tenant, campaign_id: int, worker_id: int, body: str, reference: str = ""):
    path = f"/t/{tenant.slug}/grades/campaigns/{campaign_id}/workers/{worker_id}"
    return _post(client, path + "/decisions", path, body=body, approved="yes", reference=reference)


def _apply(client, tenant, campaign_id: int, worker_id: int):
    path = f"/t/{tenant.slug}/grades/campaigns/{campaign_id}/workers/{worker_id}"
    return _post(client, path + "/apply", path)


def test_bad_criteria_are_refused_next_to_the_field(tenant, signed_in) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    response = _criteria(client, tenant, 3, min_age="40", max_age="30", min_rating="good", rating_periods="")
    assert response.status_code == 400 and "field-error" in response.text
    response = _criteria(client, tenant, 3, min_age="abc")
    assert response.status_code == 400
    assert _criteria(client, tenant, 9, min_age="30").status_code == 404


def test_the_campaign_lists_eligibility_with_reasons(tenant, settings, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    star, weak, _young = _setup(tenant, settings, client)
    campaign_id = _campaign(client, tenant)
    # Before the confirmations every basic condition is unmet: nobody moves up; the grade-4
    # worker fails their own grade's criteria and is proposed for grade 5.
    assert _candidate(tenant, campaign_id, star.id).proposed_grade == 5
    assert _candidate(tenant, campaign_id, weak.id).proposed_grade == 5
    assert _confirm(client, tenant, campaign_id, star.id).status_code == 303
    assert _confirm(client, tenant, campaign_id, weak.id).status_code == 303
    star_c = _candidate(tenant, campaign_id, star.id)
    assert (star_c.proposed_grade, star_c.target_grade) == (4, 4)
    [up] = star_c.evaluations
    assert up["grade"] == 4 and up["eligible"]
    weak_c = _candidate(tenant, campaign_id, weak.id)
    assert weak_c.proposed_grade == 5  # 庸者下: not a bachelor, failed a period
    unmet = {r["condition"] for e in weak_c.evaluations for r in e["reasons"] if not r["met"]}
    assert {"education", "ratings"} <= unmet
    page = client.get(f"/t/{tenant.slug}/grades/campaigns/{campaign_id}/workers/{weak.id}")
    assert page.status_code == 200 and "✗" in page.text
    listing = client.get(f"/t/{tenant.slug}/grades/campaigns/{campaign_id}")
    assert star.name in listing.text


def test_decisions_need_the_authority_of_the_target_grade(tenant, settings, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    star, weak, _ = _setup(tenant, settings, client)
    campaign_id = _campaign(client, tenant)
    _confirm(client, tenant, campaign_id, star.id)
    _confirm(client, tenant, campaign_id, weak.id)

    # Grade 4 (promotion of star): the company alone is not the establishment office.
    assert _decide(client, tenant, campaign_id, star.id, "dispatch_company").status_code == 303
    refused = _apply(client, tenant, campaign_id, star.id)
    assert refused.status_code == 400
    assert "编办" in refused.text
    assert _grade(tenant, star.id) == 5
    # Recording the office's decision needs its document's reference.
    assert _decide(client, tenant, campaign_id, star.id, "establishment_office").status_code == 400
    assert _decide(client, tenant, campaign_id, star.id, "establishment_office", "锦编办〔2026〕12号").status_code == 303
    assert _apply(client, tenant, campaign_id, star.id).status_code == 303
    assert _grade(tenant, star.id) == 4

    # Grade 5 (demotion of weak): jointly by the bureau and the company.
    assert _decide(client, tenant, campaign_id, weak.id, "dispatch_company").status_code == 303
    assert _apply(client, tenant, campaign_id, weak.id).status_code == 400
    assert _grade(tenant, weak.id) == 4
    assert _decide(client, tenant, campaign_id, weak.id, "client_bureau", "锦城管〔2026〕3号").status_code == 303
    assert _apply(client, tenant, campaign_id, weak.id).status_code == 303
    assert _grade(tenant, weak.id) == 5

    with tenant_session(tenant.id) as db:
        actions = db.exec(select(AuditEntry.action).where(AuditEntry.tenant_id == tenant.id)).all()
    assert actions.count("worker.grade_change") == 2 and "grade_decision.sign" in actions
    assert _apply(client, tenant, campaign_id, star.id).status_code == 400  # applied once only


def test_an_hr_clerk_cannot_decide(tenant, settings, signed_in) -> None:
    client = signed_in(tenant, StaffRole.HR_CLERK)
    star, _, _ = _setup(tenant, settings, client)
    campaign_id = _campaign(client, tenant)
    path = f"/t/{tenant.slug}/grades/campaigns/{campaign_id}/workers/{star.id}"
    response = _post(client, path + "/decisions", path, body="dispatch_company", approved="yes")
    assert response.status_code == 403
    with tenant_session(tenant.id) as db:
        assert db.exec(select(GradeDecision)).all() == []


def test_a_future_change_waits_for_its_date_and_the_history_answers_by_date(tenant, settings, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    star, _, _ = _setup(tenant, settings, client)
    effective = TODAY + timedelta(days=10)
    campaign_id = _campaign(client, tenant, effective_from=effective)
    _confirm(client, tenant, campaign_id, star.id)
    _decide(client, tenant, campaign_id, star.id, "establishment_office", "锦编办〔2026〕12号")
    assert _apply(client, tenant, campaign_id, star.id).status_code == 303
    assert _grade(tenant, star.id) == 5  # not yet
    with tenant_session(tenant.id) as db:
        assert grades_in_force(db, [star.id], TODAY) == {star.id: 5}
        assert grades_in_force(db, [star.id], effective) == {star.id: 4}
    assert run_check(tenant.slug, effective - timedelta(days=1), lambda _: None) == 0
    assert _grade(tenant, star.id) == 5
    assert run_check(tenant.slug, effective, lambda _: None) == 0  # the daily job
    assert _grade(tenant, star.id) == 4
    with tenant_session(tenant.id) as db:
        change = db.exec(select(GradeChangeRow)).one()
    assert change.applied_at is not None


def test_standing_on_a_day_gives_grade_and_rating(tenant, settings, signed_in) -> None:
    from service.grades.standing import standing_on

    client = signed_in(tenant, StaffRole.ADMIN)
    star, weak, _ = _setup(tenant, settings, client)
    with tenant_session(tenant.id) as db:
        standing = standing_on(db, [star.id, weak.id], TODAY)
    assert standing[star.id].grade == 5 and standing[star.id].rating is not None
    assert standing[star.id].rating.value == "good" and standing[weak.id].rating.value == "fails"


def _grade_pay(tenant, run_id: int) -> dict[int, Decimal]:
    with tenant_session(tenant.id) as db:
        rows = db.exec(
            select(PayslipRow.worker_id, PayslipLineRow.amount)
            .join(
                PayslipLineRow,
                (PayslipLineRow.tenant_id == PayslipRow.tenant_id) & (PayslipLineRow.payslip_id == PayslipRow.id),
            )
            .where(PayslipRow.run_id == run_id, PayslipLineRow.code == "grade_pay")
        ).all()
    return dict(rows)


@pytest.mark.usefixtures("db_clean")  # its payroll calculation runs on the job worker, which sees committed data only
def test_a_promotion_and_a_demotion_move_the_next_payroll_to_the_new_bands(tenant, settings, signed_in) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    star, weak, _ = _setup(tenant, settings, client, city="chengdu", client_bureau=payroll_pages.BUREAU)
    payroll_pages.band_table(tenant, effective_from=date(2020, 1, 1))
    this_month = TODAY.replace(day=1)
    next_month = add_months(this_month, 1)
    campaign_id = _campaign(client, tenant, effective_from=next_month)
    for worker in (star, weak):
        _confirm(client, tenant, campaign_id, worker.id)
    _decide(client, tenant, campaign_id, star.id, "establishment_office", "锦编办〔2026〕12号")
    _decide(client, tenant, campaign_id, weak.id, "dispatch_company")
    _decide(client, tenant, campaign_id, weak.id, "client_bureau", "锦城管〔2026〕3号")
    for worker in (star, weak):
        assert _apply(client, tenant, campaign_id, worker.id).status_code == 303

    runs = {}
    for month in (this_month, next_month):
        runs[month] = payroll_pages.run_id_of(payroll_pages.create(client, tenant, month.isoformat()[:7]))
        assert payroll_pages.action(client, tenant, runs[month], "calculate").status_code == 303
    # Grade pay is 200 yuan per grade number: this month pays the grades held, next month the decided ones.
    held = _grade_pay(tenant, runs[this_month])
    assert (held[star.id], held[weak.id]) == (Decimal("1000.00"), Decimal("800.00"))
    later = _grade_pay(tenant, runs[next_month])
    assert (later[star.id], later[weak.id]) == (Decimal("800.00"), Decimal("1000.00"))
