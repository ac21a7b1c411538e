"""The bureau reviewer's portal: headcount against the agreement, and the
monthly statement disputed, corrected and confirmed by the reviewer, all
scoped to the reviewer's own bureau."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from litestar.testing import TestClient
from sqlmodel import select

from service.audit import SYSTEM, AuditEntry
from service.bureaus.agreements import actions as agreements
from service.bureaus.agreements.inputs import AgreementInput, PostInput
from service.bureaus.models import BureauStatement, ClientBureau, FeeBasis, PostNature, StatementStatus
from service.bureaus.statements import actions as statements
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.runs import actions as runs
from service.reviewers.models import ReviewerRole
from service.workforce.models import GRADES
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_clerk, make_worker
from tests.support.oidc import make_connection, reviewer_session
from tests.support.web import csrf_from

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
OTHER = "成都市武侯区城市管理和综合行政执法局"
MARCH = date(2026, 3, 1)


def _publish_march(settings, tenant) -> None:
    cells = tuple(
        BandCell(grade=g, rating=r, post_pay=D(2500 + 100 * g), grade_pay=D(200 * g), performance_pay=D(300))
        for g in GRADES
        for r in RATINGS
    )
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(None, date(2026, 1, 1), "", cells), actor=SYSTEM)
    make_worker(settings, tenant, client_bureau=BUREAU, city="chengdu", grade=5, post_line="市容市貌", name="甲一")
    make_worker(settings, tenant, client_bureau=BUREAU, city="chengdu", grade=3, post_line="市容市貌", name="甲二")
    make_worker(settings, tenant, client_bureau=OTHER, unit="", city="chengdu", grade=2, name="乙一")
    clerk = make_clerk(tenant)  # approves and publishes what the system calculated (four eyes)
    with tenant_session(tenant.id) as db:
        run = runs.create_run(db, MARCH, actor=SYSTEM)
        runs.calculate(db, run, actor=SYSTEM)
        runs.approve(db, run, actor=clerk)
        runs.publish(db, run, actor=clerk)


def _bureau(db, name: str) -> ClientBureau:
    return db.exec(select(ClientBureau).where(ClientBureau.name == name)).one()


def _agreement(tenant) -> None:
    with tenant_session(tenant.id) as db:
        agreement = agreements.create_agreement(
            db,
            _bureau(db, BUREAU),
            AgreementInput(
                number="JJ-2026",
                start_date=date(2026, 1, 1),
                end_date=date(2099, 12, 31),
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
            db, agreement, None, PostInput("市容市貌", PostNature.AUXILIARY, 1, "", None, None, None), actor=SYSTEM
        )
        agreements.sign_agreement(db, agreement, date(2025, 12, 20), actor=SYSTEM)


def _generate(tenant) -> int:
    with tenant_session(tenant.id) as db:
        return statements.generate_statement(db, _bureau(db, BUREAU), MARCH, actor=SYSTEM).id


def _send(tenant, statement_id: int) -> None:
    with tenant_session(tenant.id) as db:
        statements.send_statement(db, statement_id, actor=SYSTEM)


def _as_reviewer(
    client: TestClient,
    settings,
    tenant,
    bureau_name: str,
    role=ReviewerRole.BUREAU,
    subject: str = "r1",
) -> TestClient:
    with tenant_session(tenant.id) as db:
        bureau_id = _bureau(db, bureau_name).id
    connection = make_connection(settings, tenant.id, bureau_id, f"http://127.0.0.1:9/{subject}")
    client.cookies.clear()
    client.cookies.set(
        "pq_session", reviewer_session(settings, tenant, bureau_id, connection.id, role, subject), domain="127.0.0.1"
    )
    return client


def test_the_reviewer_disputes_then_confirms_the_corrected_statement(app, client: TestClient, tenant, settings) -> None:
    _publish_march(settings, tenant)
    _agreement(tenant)
    first = _generate(tenant)
    reviewer = _as_reviewer(client, settings, tenant, BUREAU)
    slug = tenant.slug

    # A draft is the company's business: not listed, not found.
    assert "2026-03" not in reviewer.get(f"/t/{slug}/review/statements").text
    assert reviewer.get(f"/t/{slug}/review/statements/{first}").status_code == 404

    _send(tenant, first)
    home = reviewer.get(f"/t/{slug}/review/")
    assert "JJ-2026" in home.text and "市容市貌" in home.text  # the agreement's posts, 2 in use for 1 agreed
    assert f"/t/{slug}/review/statements" in home.text
    page = reviewer.get(f"/t/{slug}/review/statements/{first}")
    assert page.status_code == 200 and "甲一" in page.text and "乙一" not in page.text
    with tenant_session(tenant.id) as db:
        total = db.get(BureauStatement, (tenant.id, first)).total
    assert f"{total:,.2f}" in page.text

    empty = reviewer.post(f"/t/{slug}/review/statements/{first}/dispute", data={"_csrf": csrf_from(page.text), "comment": " "})
    assert empty.status_code == 400 and "请说明结算单的问题" in empty.text
    comment = "甲二 三月加班费不对"
    disputed = reviewer.post(
        f"/t/{slug}/review/statements/{first}/dispute",
        data={"_csrf": csrf_from(page.text), "comment": comment},
        follow_redirects=False,
    )
    assert disputed.status_code == 303
    with tenant_session(tenant.id) as db:
        statement = db.get(BureauStatement, (tenant.id, first))
        audit = db.exec(select(AuditEntry).where(AuditEntry.action == "statement.dispute")).one()
    assert statement.status is StatementStatus.DISPUTED and statement.dispute_comment == "甲二 三月加班费不对"
    assert audit.actor_kind == "reviewer"
    # Decided: no second answer.
    again = reviewer.post(f"/t/{slug}/review/statements/{first}/confirm", data={"_csrf": csrf_from(page.text)})
    assert again.status_code == 400

    with tenant_session(tenant.id) as db:
        second = statements.correct_statement(db, first, D("-100.00"), "加班费更正", actor=SYSTEM).id
    _send(tenant, second)
    page = reviewer.get(f"/t/{slug}/review/statements/{second}")
    assert "加班费更正" in page.text
    confirmed = reviewer.post(
        f"/t/{slug}/review/statements/{second}/confirm", data={"_csrf": csrf_from(page.text)}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    with tenant_session(tenant.id) as db:
        assert db.get(BureauStatement, (tenant.id, second)).status is StatementStatus.CONFIRMED
    assert reviewer.get(f"/t/{slug}/review/statements/{second}/pdf").headers["content-type"] == "application/pdf"
    assert reviewer.get(f"/t/{slug}/review/statements/{second}/xlsx").status_code == 200


def test_another_bureaus_reviewer_cannot_see_or_answer_the_statement(client: TestClient, tenant, settings) -> None:
    _publish_march(settings, tenant)
    _agreement(tenant)
    statement_id = _generate(tenant)
    _send(tenant, statement_id)
    make_bureau(tenant, OTHER)
    outsider = _as_reviewer(client, settings, tenant, OTHER, subject="other")
    listing = outsider.get(f"/t/{tenant.slug}/review/statements")
    assert listing.status_code == 200 and "2026-03" not in listing.text
    for path in ("", "/pdf", "/xlsx"):
        assert outsider.get(f"/t/{tenant.slug}/review/statements/{statement_id}{path}").status_code == 404
    token = csrf_from(listing.text)
    for action in ("confirm", "dispute"):
        response = outsider.post(
            f"/t/{tenant.slug}/review/statements/{statement_id}/{action}", data={"_csrf": token, "comment": "不是我们的"}
        )
        assert response.status_code == 404
    with tenant_session(tenant.id) as db:
        assert db.get(BureauStatement, (tenant.id, statement_id)).status is StatementStatus.SENT

    establishment = _as_reviewer(client, settings, tenant, BUREAU, ReviewerRole.ESTABLISHMENT, subject="est")
    assert establishment.get(f"/t/{tenant.slug}/review/statements/{statement_id}").status_code == 403


def test_grade_decisions_within_the_reviewers_authority_and_bureau(client: TestClient, tenant, settings) -> None:
    from service.grades import actions as grade_actions
    from service.grades.models import GradeDecision

    five = make_worker(settings, tenant, client_bureau=BUREAU, grade=5, name="五级甲")
    four = make_worker(settings, tenant, client_bureau=BUREAU, grade=4, name="四级甲")
    elsewhere = make_worker(settings, tenant, client_bureau=OTHER, unit="", grade=5, name="五级乙")
    with tenant_session(tenant.id) as db:
        campaign = grade_actions.create_campaign(
            db, grade_actions.CampaignInput("2026 年度职级评定", date(2026, 6, 30), date(2026, 7, 1), None), actor=SYSTEM
        )
        campaign_id = campaign.id

    bureau = _as_reviewer(client, settings, tenant, BUREAU, subject="bureau")
    listing = bureau.get(f"/t/{tenant.slug}/review/grades")
    assert "五级甲" in listing.text and "四级甲" not in listing.text and "五级乙" not in listing.text
    token = csrf_from(listing.text)
    for worker in (four, elsewhere):  # grade 4 is the establishment office's; the other bureau's worker is not found
        refused = bureau.post(
            f"/t/{tenant.slug}/review/grades/{campaign_id}/{worker.id}", data={"_csrf": token, "decision": "approve"}
        )
        assert refused.status_code == 404
    done = bureau.post(
        f"/t/{tenant.slug}/review/grades/{campaign_id}/{five.id}",
        data={"_csrf": token, "decision": "approve", "note": "同意"},
        follow_redirects=False,
    )
    assert done.status_code == 303

    establishment = _as_reviewer(client, settings, tenant, BUREAU, ReviewerRole.ESTABLISHMENT, subject="est")
    listing = establishment.get(f"/t/{tenant.slug}/review/grades")
    assert "四级甲" in listing.text and "五级甲" not in listing.text
    token = csrf_from(listing.text)
    done = establishment.post(
        f"/t/{tenant.slug}/review/grades/{campaign_id}/{four.id}",
        data={"_csrf": token, "decision": "reject"},
        follow_redirects=False,
    )
    assert done.status_code == 303

    with tenant_session(tenant.id) as db:
        decisions = {(d.worker_id, d.body, d.approved, d.signer_kind) for d in db.exec(select(GradeDecision))}
    assert decisions == {(five.id, "client_bureau", True, "reviewer"), (four.id, "establishment_office", False, "reviewer")}


def test_the_reviewer_records_daily_points_for_their_bureaus_workers_only(client: TestClient, tenant, settings) -> None:
    from service.assessment import actions as assessment_actions
    from service.assessment.inputs import ItemInput
    from service.assessment.models import AssessmentRecord
    from service.assessment.scoring import Category

    mine = make_worker(settings, tenant, client_bureau=BUREAU, name="在岗甲")
    theirs = make_worker(settings, tenant, client_bureau=OTHER, unit="", name="他局乙")
    with tenant_session(tenant.id) as db:
        item = assessment_actions.create_item(
            db,
            ItemInput("D01", "着装不规范", next(iter(Category)), D("-2"), D("0"), None, None, date(2020, 1, 1), ""),
            actor=SYSTEM,
        )
        other_item = assessment_actions.create_item(
            db,
            ItemInput("D02", "他局专用", next(iter(Category)), D("-2"), D("0"), None, theirs.bureau_id, date(2020, 1, 1), ""),
            actor=SYSTEM,
        )
        item_id, other_item_id = item.id, other_item.id
    reviewer = _as_reviewer(client, settings, tenant, BUREAU)
    form = reviewer.get(f"/t/{tenant.slug}/review/assessment")
    assert "着装不规范" in form.text and "他局专用" not in form.text and "在岗甲" in form.text and "他局乙" not in form.text
    token = csrf_from(form.text)
    today = date.today().isoformat()

    def post(worker_ids: list[int], item: int, points: str = "-1") -> int:
        return reviewer.post(
            f"/t/{tenant.slug}/review/assessment",
            data={
                "_csrf": token,
                "on_date": today,
                "item_id": str(item),
                "points": points,
                "note": "早班",
                "workers": [str(w) for w in worker_ids],
            },
            follow_redirects=False,
        ).status_code

    assert post([theirs.id], item_id) == 400  # another bureau's worker is unknown here
    assert post([mine.id, theirs.id], item_id) == 400  # all or nothing
    assert post([mine.id], other_item_id) == 400  # another bureau's item
    assert post([mine.id], item_id, "-5") == 400  # outside the item's range
    with tenant_session(tenant.id) as db:
        assert db.exec(select(AssessmentRecord)).all() == []
    assert post([mine.id], item_id) == 303
    with tenant_session(tenant.id) as db:
        (row,) = db.exec(select(AssessmentRecord)).all()
    assert (row.worker_id, row.points, row.recorder_kind) == (mine.id, D("-1.00"), "reviewer")


def test_appeals_of_the_bureaus_workers_are_read_and_answered_in_the_portal(client: TestClient, tenant, settings) -> None:
    from service.assessment.appeals import actions as appeal_actions
    from service.assessment.appeals.models import Appeal
    from tests.support.assessment_results import publish

    mine = make_worker(settings, tenant, client_bureau=BUREAU, name="申诉甲")
    theirs = make_worker(settings, tenant, client_bureau=OTHER, unit="", name="申诉乙")
    today = date.today()
    results = publish(
        tenant,
        "2026 年 5 月考核",
        date(2026, 5, 1),
        date(2026, 5, 31),
        today,
        {mine.id: ("58", "fails"), theirs.id: ("59", "fails")},
    )
    with tenant_session(tenant.id) as db:
        mine_appeal = appeal_actions.file_appeal(db, results[mine.id], "扣分有误", today, actor=SYSTEM).id
        their_appeal = appeal_actions.file_appeal(db, results[theirs.id], "不服", today, actor=SYSTEM).id

    reviewer = _as_reviewer(client, settings, tenant, BUREAU)
    listing = reviewer.get(f"/t/{tenant.slug}/review/appeals")
    assert "申诉甲" in listing.text and "申诉乙" not in listing.text
    assert reviewer.get(f"/t/{tenant.slug}/review/appeals/{their_appeal}").status_code == 404
    page = reviewer.get(f"/t/{tenant.slug}/review/appeals/{mine_appeal}")
    assert page.status_code == 200 and "扣分有误" in page.text
    token = csrf_from(page.text)
    refused = reviewer.post(
        f"/t/{tenant.slug}/review/appeals/{their_appeal}/answer",
        data={"_csrf": token, "decision": "rejected", "explanation": "x"},
    )
    assert refused.status_code == 404
    done = reviewer.post(
        f"/t/{tenant.slug}/review/appeals/{mine_appeal}/answer",
        data={"_csrf": token, "decision": "upheld", "new_score": "72", "new_rating": "meets", "explanation": "复核后更正"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with tenant_session(tenant.id) as db:
        answered = db.get(Appeal, (tenant.id, mine_appeal))
        untouched = db.get(Appeal, (tenant.id, their_appeal))
    assert (answered.status, answered.answered_by_kind) == ("upheld", "reviewer")
    assert untouched.status == "open"


def test_the_bureau_approves_its_own_periods_results_only(client: TestClient, tenant, settings) -> None:
    from service.assessment.models import AssessmentPeriod, AssessmentResult
    from service.bureaus.directory import load_assignments

    mine = make_worker(settings, tenant, client_bureau=BUREAU, name="考核甲")
    make_bureau(tenant, OTHER)
    with tenant_session(tenant.id) as db:
        ids = {}
        bureaus = load_assignments(db).bureaus
        for name, bureau in (("锦江局 4 月", BUREAU), ("全公司 4 月", None), ("武侯局 4 月", OTHER)):
            period = AssessmentPeriod(
                tenant_id=tenant.id,
                kind="monthly",
                name=name,
                starts_on=date(2026, 4, 1),
                ends_on=date(2026, 4, 30),
                bureau_id=bureaus[bureau] if bureau else None,
                status="under_review",
            )
            db.add(period)
            db.flush()
            ids[name] = period.id
        db.add(
            AssessmentResult(
                tenant_id=tenant.id,
                period_id=ids["锦江局 4 月"],
                worker_id=mine.id,
                score=D("88"),
                rating="good",
                bureau_id=bureaus[BUREAU],
                status="under_review",
            )
        )

    reviewer = _as_reviewer(client, settings, tenant, BUREAU)
    listing = reviewer.get(f"/t/{tenant.slug}/review/assessment/periods")
    assert "锦江局 4 月" in listing.text and "全公司" not in listing.text and "武侯局" not in listing.text
    token = csrf_from(listing.text)
    for name in ("全公司 4 月", "武侯局 4 月"):
        url = f"/t/{tenant.slug}/review/assessment/periods/{ids[name]}"
        assert reviewer.get(url).status_code == 404
        assert reviewer.post(f"{url}/status", data={"_csrf": token, "action": "approve"}).status_code == 404
    page = reviewer.get(f"/t/{tenant.slug}/review/assessment/periods/{ids['锦江局 4 月']}")
    assert "考核甲" in page.text and "88" in page.text
    done = reviewer.post(
        f"/t/{tenant.slug}/review/assessment/periods/{ids['锦江局 4 月']}/status",
        data={"_csrf": token, "action": "approve"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with tenant_session(tenant.id) as db:
        statuses = {p.name: p.status for p in db.exec(select(AssessmentPeriod))}
    assert statuses == {"锦江局 4 月": "approved", "全公司 4 月": "under_review", "武侯局 4 月": "under_review"}
