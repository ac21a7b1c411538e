"""Assessment pages and actions: rule catalogue, daily records, periods and results, payroll's rating."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, text
from sqlmodel import select

from service import clock
from service.accounts.models import StaffRole
from service.assessment import actions
from service.assessment.inputs import parse_period
from service.assessment.models import AssessmentItem, AssessmentPeriod, AssessmentRecord, AssessmentResult, SheetScore
from service.assessment.ratings import Rating
from service.assessment.standing import published_ratings, ratings_in_force
from service.audit import SYSTEM, AuditEntry
from service.bureaus.directory import load_assignments
from service.errors import DomainError
from service.i18n import translator
from service.keys import keys_for
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import RATINGS, BandCell, BandTableInput
from service.payroll.runs import inputs as run_inputs
from service.workforce.imports import actions as imports
from service.workforce.models import GRADES, Worker
from service.workforce.roster.actions import reveal_id_number
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_staff, make_worker
from tests.support.imports import page_once_done
from tests.support.web import csrf_from, sign_in

D = Decimal
BUREAU = "成都市锦江区城市管理和综合行政执法局"
OTHER_BUREAU = "成都市武侯区城市管理和综合行政执法局"
TODAY = clock.today()
START = TODAY - timedelta(days=20)


def url(tenant, path: str) -> str:
    return f"/t/{tenant.slug}/assessment{path}"


def token(client, tenant, path: str = "/items") -> str:
    return csrf_from(client.get(url(tenant, path)).text)


def xlsx(headers: list[str], rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def count(tenant, model) -> int:
    with tenant_session(tenant.id) as db:
        return db.exec(select(func.count()).select_from(model)).one()


def make_item(
    tenant,
    code: str = "A01",
    low: str = "-2",
    high: str = "-1",
    cap: str | None = "3",
    bureau: str | None = None,
    since: date = START - timedelta(days=30),
) -> AssessmentItem:
    from service.assessment.inputs import parse_item

    with tenant_session(tenant.id) as db:
        bureaus = load_assignments(db).bureaus
    data = parse_item(
        {
            "code": code,
            "name": f"项目{code}",
            "category": "attendance",
            "min_points": low,
            "max_points": high,
            "period_cap": cap or "",
            "client_bureau": bureau or "",
            "effective_from": since.isoformat(),
        },
        bureaus,
    )
    with tenant_session(tenant.id) as db:
        return actions.create_item(db, data, actor=SYSTEM)


def make_period(tenant, **overrides) -> AssessmentPeriod:
    values = {
        "kind": "monthly",
        "name": "本月考核",
        "starts_on": START.isoformat(),
        "ends_on": TODAY.isoformat(),
        "base_score": "100",
        "weight_daily": "100",
        "cutoff_excellent": "95",
        "cutoff_good": "90",
        "cutoff_meets": "80",
        "cutoff_basic": "60",
    } | overrides
    with tenant_session(tenant.id) as db:
        return actions.create_period(db, parse_period(values, load_assignments(db).bureaus), actor=SYSTEM)


# ---- rule catalogue -------------------------------------------------------------


def test_an_assessor_adds_an_item_and_a_later_version(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.ASSESSOR)
    response = client.post(
        url(tenant, "/items"),
        data={
            "_csrf": token(client, tenant, "/items/new"),
            "code": "D01",
            "name": "着装不规范",
            "category": "dress_and_bearing",
            "min_points": "-2",
            "max_points": "",
            "period_cap": "6",
            "client_bureau": "",
            "effective_from": "2026-01-01",
            "note": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    assert "着装不规范" in page.text
    with tenant_session(tenant.id) as db:
        item = db.exec(select(AssessmentItem)).one()
    assert (item.min_points, item.max_points, item.period_cap) == (D("-2"), D("-2"), D("6"))

    response = client.post(
        url(tenant, f"/items/{item.id}/versions"),
        data={
            "_csrf": csrf_from(page.text),
            "name": "着装不规范",
            "category": "dress_and_bearing",
            "min_points": "-3",
            "max_points": "",
            "period_cap": "6",
            "effective_from": "2026-07-01",
            "note": "",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with tenant_session(tenant.id) as db:
        versions = db.exec(select(AssessmentItem).order_by(AssessmentItem.effective_from)).all()
        entries = db.exec(select(AuditEntry.action).where(AuditEntry.entity == "assessment_item")).all()
    assert [(v.version, v.min_points, v.effective_to) for v in versions] == [
        (1, D("-2"), date(2026, 6, 30)),
        (2, D("-3"), None),
    ]
    assert sorted(entries) == ["assessment_item.close", "assessment_item.create", "assessment_item.version"]
    listing = client.get(url(tenant, "/items"))
    assert listing.status_code == 200 and "-3" in listing.text


def test_bad_items_are_refused_next_to_the_field(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    form = {
        "_csrf": token(client, tenant, "/items/new"),
        "code": "A 1",
        "name": "",
        "category": "nonsense",
        "min_points": "5",
        "max_points": "abc",
        "period_cap": "-1",
        "client_bureau": "",
        "effective_from": "x",
        "note": "",
    }
    response = client.post(url(tenant, "/items"), data=form)
    assert response.status_code == 400
    assert response.text.count("field-error") >= 5
    form |= {
        "code": "A1",
        "name": "迟到",
        "category": "attendance",
        "max_points": "1",
        "period_cap": "",
        "effective_from": "2026-01-01",
    }
    response = client.post(url(tenant, "/items"), data=form)
    assert response.status_code == 400  # lowest 5 above highest 1
    make_item(tenant, code="A1")
    form |= {"min_points": "-1"}
    response = client.post(url(tenant, "/items"), data=form)
    assert response.status_code == 400 and "A1" in response.text
    assert count(tenant, AssessmentItem) == 1


def test_a_viewer_reads_but_cannot_write(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.VIEWER)
    assert client.get(url(tenant, "")).status_code == 200
    assert client.get(url(tenant, "/items")).status_code == 200
    assert client.get(url(tenant, "/periods")).status_code == 200
    assert client.get(url(tenant, "/records")).status_code == 200
    assert client.get(url(tenant, "/items/new")).status_code == 403
    csrf = token(client, tenant)
    response = client.post(url(tenant, "/items"), data={"_csrf": csrf, "code": "X"})
    assert response.status_code == 403


# English headers: accepted whatever the catalogue says (the zh_CN ones come with the translations).
ITEM_HEADERS = [
    "Code",
    "Assessment item",
    "Category",
    "Lowest points",
    "Highest points",
    "Cap per period",
    "Client bureau",
    "Effective from",
    "Note",
]


@pytest.mark.usefixtures("db_clean")  # the sheet is imported on the job worker, which sees committed data only
def test_items_import_from_excel_all_or_nothing(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.ASSESSOR)
    make_bureau(tenant, BUREAU)  # the sheet names a bureau by a record's name
    csrf = token(client, tenant, "/items/import")
    good = xlsx(
        ITEM_HEADERS,
        [
            ["A01", "迟到早退", "attendance", -2, -1, 10, None, "2026-01-01", None],
            ["S01", "群众表扬", "service_quality", 2, None, None, BUREAU, "2026-01-01", "书面表扬"],
        ],
    )
    response = client.post(
        url(tenant, "/items/import"), data={"_csrf": csrf}, files={"file": ("items.xlsx", good, "application/octet-stream")}
    )
    assert response.status_code == 200, response.text
    assert count(tenant, AssessmentItem) == 2

    bad = xlsx(
        ITEM_HEADERS,
        [
            ["A02", "脱岗", "attendance", "扣两分", None, None, None, "2026-01-01", None],
            ["A01", "迟到早退", "attendance", -3, -1, 10, None, "2026-03-01", None],
        ],
    )
    response = client.post(
        url(tenant, "/items/import"), data={"_csrf": csrf}, files={"file": ("items.xlsx", bad, "application/octet-stream")}
    )
    assert response.status_code == 400
    assert "最低分值" in response.text
    assert count(tenant, AssessmentItem) == 2  # nothing written, not even the good row

    versioned = xlsx(ITEM_HEADERS, [["A01", "迟到早退", "attendance", -3, -1, 10, None, "2026-03-01", None]])
    response = client.post(
        url(tenant, "/items/import"),
        data={"_csrf": csrf},
        files={"file": ("items.xlsx", versioned, "application/octet-stream")},
    )
    assert response.status_code == 200
    assert count(tenant, AssessmentItem) == 3
    assert client.get(url(tenant, "/items/import/template")).status_code == 200

    no_file = client.post(url(tenant, "/items/import"), data={"_csrf": csrf}, files={"other": ("x.txt", b"x", "text/plain")})
    assert no_file.status_code == 400 and translator("zh_CN")("Choose an .xlsx file to upload.") in no_file.text


def _item_import_row(tenant) -> dict:
    with tenant_session(tenant.id) as db:
        found = db.execute(text("select kind, status, counts, errors, content is null as emptied from imports")).mappings()
        rows = [dict(r) for r in found]
    assert len(rows) == 1
    return rows[0]


def _items_uploaded_without_waiting(client, tenant, sheet: bytes, monkeypatch) -> str:
    """Upload as a sheet too large to finish within the request's wait: the import's page it is sent to,
    read again as it refreshes itself until the import is over."""
    monkeypatch.setattr(imports, "wait_for", lambda *arguments: None)
    response = client.post(
        url(tenant, "/items/import"),
        data={"_csrf": token(client, tenant, "/items/import")},
        files={"file": ("items.xlsx", sheet, "application/octet-stream")},
    )
    return page_once_done(client, response, rf"/t/{tenant.slug}/assessment/items/import/\d+")


@pytest.mark.usefixtures("db_clean")
def test_an_items_import_runs_on_the_job_worker_and_its_page_shows_the_counts(signed_in, tenant, monkeypatch) -> None:
    make_item(tenant, code="A01", since=date(2026, 1, 1))
    client = signed_in(tenant, StaffRole.ASSESSOR)
    sheet = xlsx(
        ITEM_HEADERS,
        [
            ["A01", "迟到早退", "attendance", -3, -1, 10, None, "2026-03-01", None],
            ["A02", "脱岗", "attendance", -2, None, None, None, "2026-01-01", None],
        ],
    )
    shown = _items_uploaded_without_waiting(client, tenant, sheet, monkeypatch)
    done = "Imported: {created} new, {versioned} new versions, {unchanged} unchanged."
    assert translator("zh_CN")(done, created=1, versioned=1, unchanged=0) in shown
    assert count(tenant, AssessmentItem) == 3
    assert _item_import_row(tenant) == {
        "kind": "assessment_items",
        "status": "done",
        "counts": {"created": 1, "versioned": 1, "unchanged": 0},
        "errors": None,
        "emptied": True,
    }


@pytest.mark.usefixtures("db_clean")
def test_a_row_a_rule_refuses_on_the_job_worker_leaves_the_catalogue_as_it_was(signed_in, tenant, monkeypatch) -> None:
    """The new item of row 2 was written before row 3 was refused: the job's one transaction takes it back."""
    make_item(tenant, code="A01", since=date(2026, 3, 1))
    client = signed_in(tenant, StaffRole.ASSESSOR)
    sheet = xlsx(
        ITEM_HEADERS,
        [
            ["A02", "脱岗", "attendance", -2, None, None, None, "2026-01-01", None],
            ["A01", "迟到早退", "attendance", -3, -1, 10, None, "2026-02-01", None],  # before the version in force
        ],
    )
    shown = _items_uploaded_without_waiting(client, tenant, sheet, monkeypatch)
    assert "未导入任何数据" in shown and "生效日期" in shown
    assert count(tenant, AssessmentItem) == 1
    outcome = _item_import_row(tenant)
    assert outcome["status"] == "refused" and outcome["emptied"] and outcome["counts"] is None
    assert [(e["row"], e["column"]) for e in outcome["errors"]] == [(3, "生效日期")]
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from audit_log where entity = 'assessment_item'")).scalar() == 1


def _record_form(client, tenant, item, workers, points="-1", **extra) -> dict:
    form = {
        "_csrf": token(client, tenant, "/records"),
        "on_date": (TODAY - timedelta(days=1)).isoformat(),
        "item_id": str(item.id),
        "points": points,
        "note": "",
        "bureau": "",
        "unit": "",
        "workers": [str(w) for w in workers],
    }
    return form | extra


def test_bulk_entry_records_points_for_a_squad(settings, signed_in, tenant) -> None:
    squad = [make_worker(settings, tenant, unit="机动中队").id for _ in range(3)]
    other = make_worker(settings, tenant, unit="扬尘中队").id
    item = make_item(tenant, cap=None)
    client = signed_in(tenant, StaffRole.ASSESSOR)
    page = client.get(url(tenant, "/records?unit=机动中队"))
    assert page.status_code == 200
    form = _record_form(client, tenant, item, squad[:2]) | {f"points_{squad[1]}": "-2"}
    response = client.post(
        url(tenant, "/records"), data=form, files={"photo": ("p.png", b"\x89PNG fake", "image/png")}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    with tenant_session(tenant.id) as db:
        rows = db.exec(select(AssessmentRecord).order_by(AssessmentRecord.worker_id)).all()
        audited = db.exec(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "assessment_record.create")
        ).one()
    assert [(r.worker_id, r.points, r.recorder_kind) for r in rows] == [
        (squad[0], D("-1"), "staff"),
        (squad[1], D("-2"), "staff"),
    ]
    assert all(r.photo == b"\x89PNG fake" for r in rows)
    assert audited == 2
    assert other not in {r.worker_id for r in rows}
    photo = client.get(url(tenant, f"/records/{rows[0].id}/photo"))
    assert photo.status_code == 200 and photo.headers["content-type"].startswith("image/png")
    listing = client.get(url(tenant, f"/records?on_date={(TODAY - timedelta(days=1)).isoformat()}"))
    assert listing.text.count("项目A01") >= 2


def test_bad_records_are_refused_and_nothing_is_written(settings, signed_in, tenant) -> None:
    worker = make_worker(settings, tenant).id
    item = make_item(tenant, cap="3")
    make_period(tenant)
    client = signed_in(tenant, StaffRole.ASSESSOR)
    # an unknown worker
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, [worker, 999999]), files={})
    assert response.status_code == 400 and ("999999" in response.text)
    # points outside the item's range (-2 .. -1)
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, [worker], points="-5"))
    assert response.status_code == 400 and "-2" in response.text
    # not a number
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, [worker], points="abc"))
    assert response.status_code == 400
    # no worker ticked
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, []))
    assert response.status_code == 400
    # a future day
    response = client.post(
        url(tenant, "/records"),
        data=_record_form(client, tenant, item, [worker], on_date=(TODAY + timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 400
    assert count(tenant, AssessmentRecord) == 0
    # beyond the cap per period: -2 then -2 makes -4, the cap is 3
    ok = client.post(
        url(tenant, "/records"), data=_record_form(client, tenant, item, [worker], points="-2"), follow_redirects=False
    )
    assert ok.status_code == 303
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, [worker], points="-2"))
    assert response.status_code == 400 and "3" in response.text
    assert count(tenant, AssessmentRecord) == 1


def test_a_workers_running_total_counts_up_to_the_cap(settings, signed_in, tenant) -> None:
    worker = make_worker(settings, tenant)
    item = make_item(tenant, cap="3")
    with tenant_session(tenant.id) as db:
        for offset in (1, 2, 3):  # -2 each, recorded before a period exists: the cap applies in the total
            actions.record_points(
                db, actor=SYSTEM_STAFF, item=item, on_date=TODAY - timedelta(days=offset), points={worker.id: D("-2")}
            )
    period = make_period(tenant)
    client = signed_in(tenant, StaffRole.VIEWER)
    page = client.get(url(tenant, f"/workers/{worker.id}?period={period.id}"))
    assert page.status_code == 200
    assert "97.00" in page.text  # 100 - min(6, 3)
    assert "-6" in page.text


def test_an_items_bureau_is_the_record_it_names_and_keeps_its_scope_through_a_rename(settings, signed_in, tenant) -> None:
    """The form names the bureau; the item points at its record (migration 0025), so a rename keeps the scope."""
    client = signed_in(tenant, StaffRole.ADMIN)
    form = {
        "_csrf": token(client, tenant, "/items/new"),
        "code": "B01",
        "name": "本局专项",
        "category": "attendance",
        "min_points": "-1",
        "client_bureau": "没有这个局",
        "effective_from": "2026-01-01",
    }
    refused = client.post(url(tenant, "/items"), data=form)
    assert refused.status_code == 400 and "field-error" in refused.text and "没有这个局" in refused.text
    assert count(tenant, AssessmentItem) == 0
    mine = make_worker(settings, tenant, client_bureau=BUREAU)
    theirs = make_worker(settings, tenant, client_bureau=OTHER_BUREAU)
    added = client.post(url(tenant, "/items"), data=form | {"client_bureau": BUREAU}, follow_redirects=False)
    assert added.status_code == 303, added.text
    with tenant_session(tenant.id) as db:
        db.execute(text("update client_bureaus set name = '锦江区综合执法局' where name = :n"), {"n": BUREAU})
    with tenant_session(tenant.id) as db:
        item = db.exec(select(AssessmentItem)).one()
        assert (item.bureau_id, item.client_bureau) == (mine.bureau_id, "锦江区综合执法局")
        actions.record_points(db, actor=SYSTEM_STAFF, item=item, on_date=TODAY, points={mine.id: D("-1")})
        with pytest.raises(DomainError):
            actions.record_points(db, actor=SYSTEM_STAFF, item=item, on_date=TODAY, points={theirs.id: D("-1")})
    assert "锦江区综合执法局" in client.get(url(tenant, "/items")).text


# ---- periods and results --------------------------------------------------------------

from service.audit import Actor  # noqa: E402

SYSTEM_STAFF = Actor("staff", 1, "测试评分员")

SCORE_HEADERS = ["姓名", "身份证号", "Score"]


def _sheet_rows(settings, tenant, workers, scores) -> list[list[object]]:
    keys = keys_for(settings)
    return [[w.name, reveal_id_number(keys, w), s] for w, s in zip(workers, scores, strict=True)]


def test_a_period_goes_from_records_and_sheet_to_published_ratings(settings, signed_in, tenant) -> None:
    workers = [make_worker(settings, tenant) for _ in range(3)]
    item = make_item(tenant, low="-5", high="5", cap=None)
    with tenant_session(tenant.id) as db:
        actions.record_points(
            db,
            actor=SYSTEM_STAFF,
            item=item,
            on_date=TODAY - timedelta(days=2),
            points={workers[0].id: D("-5"), workers[2].id: D("-5")},
        )
    client = signed_in(tenant, StaffRole.ASSESSOR)
    response = client.post(
        url(tenant, "/periods"),
        data={
            "_csrf": token(client, tenant, "/periods/new"),
            "kind": "monthly",
            "name": "十一月考核",
            "starts_on": START.isoformat(),
            "ends_on": TODAY.isoformat(),
            "client_bureau": "",
            "base_score": "100",
            "weight_daily": "40",
            "weight_concentrated": "60",
            "cutoff_excellent": "95",
            "cutoff_good": "90",
            "cutoff_meets": "80",
            "cutoff_basic": "60",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    period_url = response.headers["location"].split("?")[0]
    page = client.get(period_url)
    assert "并列" in page.text
    csrf = csrf_from(page.text)
    # no concentrated score yet: refused, naming the workers
    response = client.post(period_url + "/compute", data={"_csrf": csrf})
    assert response.status_code == 400 and workers[0].name in response.text
    # a sheet with a non-numeric cell: refused, nothing imported
    bad = xlsx(SCORE_HEADERS, _sheet_rows(settings, tenant, workers, [90, "优", 80]))
    response = client.post(
        period_url + "/sheet",
        data={"_csrf": csrf, "component": "concentrated"},
        files={"file": ("s.xlsx", bad, "application/octet-stream")},
    )
    assert response.status_code == 400 and "分数" in response.text
    assert count(tenant, SheetScore) == 0
    # an unknown ID number
    stranger = [["王五", "110101199003070011", 80]]
    response = client.post(
        period_url + "/sheet",
        data={"_csrf": csrf, "component": "concentrated"},
        files={"file": ("s.xlsx", xlsx(SCORE_HEADERS, stranger), "application/octet-stream")},
    )
    assert response.status_code == 400
    good = xlsx(SCORE_HEADERS, _sheet_rows(settings, tenant, workers, [100, 90, 80.5]))
    response = client.post(
        period_url + "/sheet",
        data={"_csrf": csrf, "component": "concentrated"},
        files={"file": ("s.xlsx", good, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    # publish before approval: refused
    response = client.post(period_url + "/status", data={"_csrf": csrf, "action": "publish"})
    assert response.status_code == 400
    response = client.post(period_url + "/compute", data={"_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    with tenant_session(tenant.id) as db:
        results = {r.worker_id: r for r in db.exec(select(AssessmentResult))}
    # 0.4 × 95 + 0.6 × 100 = 98; 0.4 × 100 + 0.6 × 90 = 94; 0.4 × 95 + 0.6 × 80.5 = 86.3
    assert [(results[w.id].score, results[w.id].rating) for w in workers] == [
        (D("98.00"), "excellent"),
        (D("94.00"), "good"),
        (D("86.30"), "meets"),
    ]
    for action in ("submit", "approve", "publish"):
        response = client.post(period_url + "/status", data={"_csrf": csrf, "action": action}, follow_redirects=False)
        assert response.status_code == 303, (action, response.text)
    # publishing twice is refused
    response = client.post(period_url + "/status", data={"_csrf": csrf, "action": "publish"})
    assert response.status_code == 400
    assert "已经发布" in response.text
    # records inside a published period are refused
    response = client.post(url(tenant, "/records"), data=_record_form(client, tenant, item, [workers[1].id]))
    assert response.status_code == 400
    with tenant_session(tenant.id) as db:
        period = db.exec(select(AssessmentPeriod)).one()
        assert period.status == "published" and period.published_on == TODAY
        ratings = {w.id: db.get(Worker, (tenant.id, w.id)).assessment_rating for w in workers}
        in_force = ratings_in_force(db, [w.id for w in workers], TODAY)
        before_end = ratings_in_force(db, [w.id for w in workers], TODAY - timedelta(days=1))
        history = published_ratings(db, [w.id for w in workers], last=2, before=TODAY + timedelta(days=1))
        actions_logged = set(db.exec(select(AuditEntry.action).where(AuditEntry.entity == "assessment_period")))
    assert ratings == {workers[0].id: "excellent", workers[1].id: "good", workers[2].id: "meets"}
    assert in_force == {workers[0].id: Rating.EXCELLENT, workers[1].id: Rating.GOOD, workers[2].id: Rating.MEETS}
    assert before_end == {}
    assert history[workers[0].id] == [Rating.EXCELLENT]
    assert actions_logged >= {
        "assessment_period.create",
        "assessment_period.submit",
        "assessment_period.approve",
        "assessment_period.publish",
    }
    assert client.get(url(tenant, f"/workers/{workers[0].id}")).status_code == 200


def _cells(sheet: bytes) -> list[list[object]]:
    return [list(row) for row in load_workbook(io.BytesIO(sheet), read_only=True).worksheets[0].iter_rows(values_only=True)]


def test_the_score_template_shows_full_id_numbers_only_to_roles_that_see_them_and_still_imports(
    settings, client, tenant
) -> None:
    workers = [make_worker(settings, tenant) for _ in range(2)]
    full = [reveal_id_number(keys_for(settings), w) for w in workers]
    period = make_period(tenant, weight_daily="40", weight_concentrated="60")
    template = url(tenant, f"/periods/{period.id}/sheet-template")
    sign_in(client, tenant.slug, tenant.admin_email)
    admin_cells = _cells(client.get(template).content)
    assert all(any(number in row for row in admin_cells) for number in full)
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.ASSESSOR))
    response = client.get(template)
    assert response.status_code == 200
    cells = _cells(response.content)
    assert not any(number in str(cell) for row in cells for cell in row for number in full)
    assert {w.id_number_masked for w in workers} <= {cell for row in cells for cell in row}
    # the third party fills in the assessor's template as it is, and it goes back in
    filled = xlsx([str(h) for h in cells[0][:3]] + ["Score"], [[*row[:3], 90] for row in cells[1:]])
    csrf = csrf_from(client.get(url(tenant, f"/periods/{period.id}")).text)
    response = client.post(
        url(tenant, f"/periods/{period.id}/sheet"),
        data={"_csrf": csrf, "component": "concentrated"},
        files={"file": ("s.xlsx", filled, "application/octet-stream")},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with tenant_session(tenant.id) as db:
        assert {s.worker_id for s in db.exec(select(SheetScore))} == {w.id for w in workers}
    # a masked number that is not the numbered worker's is refused
    wrong = xlsx([str(h) for h in cells[0]], [[cells[1][0], cells[1][1], cells[2][2], 80]])
    response = client.post(
        url(tenant, f"/periods/{period.id}/sheet"),
        data={"_csrf": csrf, "component": "concentrated"},
        files={"file": ("s.xlsx", wrong, "application/octet-stream")},
    )
    assert response.status_code == 400


def test_bad_period_forms_are_refused(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    form = {
        "_csrf": token(client, tenant, "/periods/new"),
        "kind": "annual",
        "name": "年度",
        "starts_on": "2026-01-01",
        "ends_on": "2025-12-31",
        "base_score": "100",
        "weight_daily": "10",
        "weight_monthly": "30",
        "weight_quarterly": "30",
        "weight_special": "20",
        "cutoff_excellent": "80",
        "cutoff_good": "90",
        "cutoff_meets": "70",
        "cutoff_basic": "60",
        "quota_excellent": "abc",
    }
    response = client.post(url(tenant, "/periods"), data=form)
    assert response.status_code == 400
    text_ = response.text
    assert "90" in text_ and text_.count("field-error") >= 4  # dates, weights, cut-offs, quota
    assert count(tenant, AssessmentPeriod) == 0


def test_quotas_apply_per_bureau_and_ties_at_the_last_place_all_move_down(settings, tenant) -> None:
    in_bureau = [make_worker(settings, tenant, client_bureau=BUREAU) for _ in range(7)]
    elsewhere = [make_worker(settings, tenant, client_bureau=OTHER_BUREAU) for _ in range(7)]
    period = make_period(tenant, weight_daily="", weight_concentrated="100", quota_excellent="15")
    scores = {w.id: D(s) for w, s in zip(in_bureau, ["99", "99", "80", "80", "80", "80", "80"], strict=True)}
    scores |= {w.id: D(s) for w, s in zip(elsewhere, ["99", "98", "80", "80", "80", "80", "80"], strict=True)}
    with tenant_session(tenant.id) as db:
        period = db.get(AssessmentPeriod, (tenant.id, period.id))
        actions.import_sheet_scores(db, period, "concentrated", scores, "third.xlsx", actor=SYSTEM)
        computed = actions.compute_results(db, period, actor=SYSTEM)
        results = {r.worker_id: Rating(r.rating) for r in computed}
        groups = {r.worker_id: r.bureau_id for r in computed}
    # one place (⌊15% × 7⌋) per bureau; the tie for it in the first bureau moves both down
    assert [results[w.id] for w in in_bureau[:2]] == [Rating.GOOD, Rating.GOOD]
    assert [results[w.id] for w in elsewhere[:2]] == [Rating.EXCELLENT, Rating.GOOD]
    assert groups == {w.id: w.bureau_id for w in in_bureau + elsewhere}  # each ranked in its worker's bureau


def test_results_show_their_bureau_by_its_name_as_it_is_now(settings, tenant, signed_in) -> None:
    make_worker(settings, tenant, client_bureau=BUREAU)
    period = make_period(tenant)
    with tenant_session(tenant.id) as db:
        actions.compute_results(db, db.get(AssessmentPeriod, (tenant.id, period.id)), actor=SYSTEM)
        db.execute(text("update client_bureaus set name = '锦江区综合执法局' where name = :n"), {"n": BUREAU})
    page = signed_in(tenant, StaffRole.ASSESSOR).get(url(tenant, f"/periods/{period.id}")).text
    assert page.count("锦江区综合执法局") == 2 and BUREAU not in page  # the tally per bureau and the result's row


def test_republishing_a_result_bumps_its_revision_and_the_roster(settings, tenant) -> None:
    worker = make_worker(settings, tenant)
    period = make_period(tenant)
    with tenant_session(tenant.id) as db:
        period = db.get(AssessmentPeriod, (tenant.id, period.id))
        actions.compute_results(db, period, actor=SYSTEM)
        for action in ("submit", "approve", "publish"):
            actions.advance(db, period, action, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        result = db.exec(select(AssessmentResult)).one()
        assert (result.rating, result.revision) == ("excellent", 1)
        actions.republish_result(db, result, actor=SYSTEM, score=D("85"), rating=Rating.MEETS, reason="申诉成立")
    with tenant_session(tenant.id) as db:
        result = db.exec(select(AssessmentResult)).one()
        worker_rating = db.get(Worker, (tenant.id, worker.id)).assessment_rating
        revisions = db.execute(text("select revision, rating, reason from assessment_result_revisions order by revision")).all()
        audited = db.exec(select(AuditEntry).where(AuditEntry.action == "assessment_result.republish")).one()
    assert (result.score, result.rating, result.revision) == (D("85.00"), "meets", 2)
    assert worker_rating == "meets"
    assert [tuple(r) for r in revisions] == [(1, "excellent", ""), (2, "meets", "申诉成立")]
    assert audited.before["rating"] == "excellent" and audited.after["reason"] == "申诉成立"


# ---- payroll reads the published rating -------------------------------------------------


def test_payroll_uses_the_published_rating_and_the_roster_field_only_as_fallback(settings, tenant) -> None:
    cells = tuple(
        BandCell(grade=g, rating=r, post_pay=D(2500), grade_pay=D(200 * g), performance_pay=D(600 - 100 * r.rank))
        for g in GRADES
        for r in RATINGS
    )
    month = (TODAY.replace(day=1) + timedelta(days=32)).replace(day=1)  # next month: the period has ended
    bureau_id = make_bureau(tenant, BUREAU)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, month.replace(year=month.year - 1), "", cells), actor=SYSTEM)
    rated = make_worker(settings, tenant, city="chengdu")
    unrated = make_worker(settings, tenant, city="chengdu")
    period = make_period(tenant, weight_daily="", weight_concentrated="100")
    with tenant_session(tenant.id) as db:
        period = db.get(AssessmentPeriod, (tenant.id, period.id))
        actions.import_sheet_scores(db, period, "concentrated", {rated.id: D("50")}, "s.xlsx", actor=SYSTEM)
        period.bureau_id = None
        # only the rated worker has a score: compute the period for them alone
        db.execute(text("update workers set status = 'left' where id = :id"), {"id": unrated.id})
        actions.compute_results(db, period, actor=SYSTEM)
        db.execute(text("update workers set status = 'active' where id = :id"), {"id": unrated.id})
        for action in ("submit", "approve", "publish"):
            actions.advance(db, period, action, actor=SYSTEM)
    with tenant_session(tenant.id) as db:
        # the roster field says otherwise; the published result wins for the rated worker
        db.execute(text("update workers set assessment_rating = 'excellent'"))
    with tenant_session(tenant.id) as db:
        loaded = run_inputs.load(db, month, None)
    assert loaded.inputs[rated.id].band.rating is Rating.FAILS
    assert loaded.inputs[unrated.id].band.rating is Rating.EXCELLENT


def test_a_draft_period_can_be_changed_and_its_results_are_withdrawn(settings, signed_in, tenant) -> None:
    make_worker(settings, tenant)
    period = make_period(tenant)
    with tenant_session(tenant.id) as db:
        actions.compute_results(db, db.get(AssessmentPeriod, (tenant.id, period.id)), actor=SYSTEM)
    client = signed_in(tenant, StaffRole.ASSESSOR)
    page = client.get(url(tenant, f"/periods/{period.id}/edit"))
    assert page.status_code == 200 and "本月考核" in page.text
    form = {
        "_csrf": csrf_from(page.text),
        "kind": "monthly",
        "name": "本月考核 修订",
        "starts_on": START.isoformat(),
        "ends_on": TODAY.isoformat(),
        "client_bureau": "",
        "base_score": "90",
        "weight_daily": "100",
        "cutoff_excellent": "95",
        "cutoff_good": "90",
        "cutoff_meets": "80",
        "cutoff_basic": "60",
        "quota_excellent": "15.00",
    }
    response = client.post(url(tenant, f"/periods/{period.id}"), data=form | {"weight_daily": "90"})
    assert response.status_code == 400  # weights add up to 90
    response = client.post(url(tenant, f"/periods/{period.id}"), data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert count(tenant, AssessmentResult) == 0
    with tenant_session(tenant.id) as db:
        changed = db.get(AssessmentPeriod, (tenant.id, period.id))
        assert (changed.name, changed.base_score, changed.computed_at) == ("本月考核 修订", D("90.00"), None)
        assert changed.rating_config["quotas"] == {"excellent": "0.15"}
        # submitting without computing again is refused
        try:
            actions.advance(db, changed, "submit", actor=SYSTEM)
            raise AssertionError("submitted without results")
        except actions.DomainError:
            pass


def test_a_record_entered_by_mistake_is_withdrawn_until_the_period_is_settled(settings, signed_in, tenant) -> None:
    worker = make_worker(settings, tenant)
    item = make_item(tenant, cap=None)
    with tenant_session(tenant.id) as db:
        (first,) = actions.record_points(
            db, actor=SYSTEM_STAFF, item=item, on_date=TODAY - timedelta(days=1), points={worker.id: D("-1")}
        )
        (second,) = actions.record_points(
            db, actor=SYSTEM_STAFF, item=item, on_date=TODAY - timedelta(days=1), points={worker.id: D("-2")}
        )
    client = signed_in(tenant, StaffRole.ASSESSOR)
    csrf = token(client, tenant, "/records")
    response = client.post(url(tenant, f"/records/{first.id}/delete"), data={"_csrf": csrf}, follow_redirects=False)
    assert response.status_code == 303
    period = make_period(tenant)
    with tenant_session(tenant.id) as db:
        period = db.get(AssessmentPeriod, (tenant.id, period.id))
        actions.compute_results(db, period, actor=SYSTEM)
        actions.advance(db, period, "submit", actor=SYSTEM)
        actions.advance(db, period, "approve", actor=SYSTEM)
    response = client.post(url(tenant, f"/records/{second.id}/delete"), data={"_csrf": csrf})
    assert response.status_code == 400
    assert count(tenant, AssessmentRecord) == 1
    with tenant_session(tenant.id) as db:
        entry = db.exec(select(AuditEntry).where(AuditEntry.action == "assessment_record.delete")).one()
    assert entry.before["points"] == "-1.00"
