"""Client bureaus as records: the migration that converts the roster's text,
the pages for bureaus, units, establishment offices and agreements, roles and bad input."""

from __future__ import annotations

import os
import uuid
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from service.accounts.models import StaffRole
from service.assessment.ratings import Rating
from service.audit import SYSTEM
from service.database.engines import drop_database, ensure_database
from service.database.migrate import upgrade
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import BandCell, BandTableInput
from service.payroll.components.actions import define_component
from service.payroll.components.rules import ComponentDefinition, Method
from service.payroll.payslip import ComponentKind
from service.payroll.runs.actions import create_run
from tenants.isolation import tenant_session
from tests.support.factories import make_bureau, make_worker
from tests.support.web import csrf_from

BUREAU = "成都市锦江区城市管理和综合行政执法局"


# --------------------------------------------------------------- the migration


def test_the_migration_turns_the_rosters_text_into_records(settings) -> None:
    """A database at 0015 with bureaus and units as text on workers (and a recorded
    workforce) comes out of 0016 with one record per distinct value per tenant."""
    server = make_url(settings.database_url)
    name = f"paiqian_mig16_{os.getpid()}"
    drop_database(server, name)
    ensure_database(server, name)
    url = server.set(database=name)
    engine = create_engine(url)
    try:
        upgrade(engine, settings, "0015")
        a, b = uuid.uuid4(), uuid.uuid4()
        with engine.begin() as db:
            db.execute(
                text("insert into tenants (id, slug, name) values (:a, 'mig-a', 'A'), (:b, 'mig-b', 'B')"), {"a": a, "b": b}
            )
            rows = [  # tenant, name, bureau, unit
                (a, "甲", "锦江区城管局", "春熙路中队"),
                (a, "乙", "锦江区城管局", "春熙路中队"),
                (a, "丙", "锦江区城管局", ""),
                (a, "丁", "武侯区城管局", "春熙路中队"),
                (b, "戊", "锦江区城管局", "机动大队"),
            ]
            for n, (tenant, worker, bureau, unit) in enumerate(rows):
                db.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant)})  # FORCE'd RLS
                db.execute(
                    text(
                        "insert into workers (tenant_id, name, id_number_cipher, id_number_index, id_number_masked,"
                        " gender, birth_date, education, hire_date, status, post_line, client_bureau, unit, grade)"
                        " values (:t, :name, '\\x00', :idx, '5101**********0001', 'male', '1990-01-01',"
                        " 'senior_high', '2020-01-01', 'active', '市容市貌', :bureau, :unit, 5)"
                    ),
                    {"t": tenant, "name": worker, "idx": bytes([n]), "bureau": bureau, "unit": unit},
                )
            db.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(a)})
            db.execute(
                text(
                    "insert into client_workforce (tenant_id, client_bureau, direct_headcount, cap_warning)"
                    " values (:a, '锦江区城管局', 40, false), (:a, '青羊区城管局', 12, true)"
                ),
                {"a": a},
            )
        upgrade(engine, settings, "0016")
        with engine.begin() as db:
            forced = db.execute(text("select relforcerowsecurity from pg_class where relname = 'workers'")).scalar()
            for table in ("workers", "client_bureaus", "bureau_units"):  # read across tenants (as the owner)
                db.execute(text(f"alter table {table} no force row level security"))
            bureaus = db.execute(
                text(
                    "select tenant_id, name, direct_headcount, cap_warning from client_bureaus"
                    " order by tenant_id = :a desc, name"
                ),
                {"a": a},
            ).fetchall()
            units = db.execute(
                text(
                    "select b.tenant_id, b.name, u.name, u.kind from bureau_units u"
                    " join client_bureaus b on b.tenant_id = u.tenant_id and b.id = u.bureau_id"
                    " order by b.tenant_id = :a desc, 2, 3"
                ),
                {"a": a},
            ).fetchall()
            workers = dict(
                db.execute(
                    text(
                        "select w.name, b.name || '/' || coalesce(u.name, '') from workers w"
                        " join client_bureaus b on b.tenant_id = w.tenant_id and b.id = w.bureau_id"
                        " left join bureau_units u on u.tenant_id = w.tenant_id and u.id = w.unit_id"
                    )
                ).fetchall()
            )
            columns = (
                db.execute(text("select column_name from information_schema.columns where table_name = 'workers'"))
                .scalars()
                .all()
            )
            legacy = db.execute(text("select to_regclass('client_workforce')")).scalar()
            db.rollback()
        assert [(r[1], r[2], r[3]) for r in bureaus if r[0] == a] == [
            ("武侯区城管局", None, True),
            ("锦江区城管局", 40, False),
            ("青羊区城管局", 12, True),
        ]
        assert [(r[1], r[2], r[3]) for r in bureaus if r[0] == b] == [("锦江区城管局", None, True)]
        assert [(r[1], r[2], r[3]) for r in units if r[0] == a] == [
            ("武侯区城管局", "春熙路中队", "squad"),
            ("锦江区城管局", "春熙路中队", "squad"),
        ]  # the same unit name under two bureaus is two units
        assert [(r[1], r[2], r[3]) for r in units if r[0] == b] == [("锦江区城管局", "机动大队", "brigade")]
        assert workers == {
            "甲": "锦江区城管局/春熙路中队",
            "乙": "锦江区城管局/春熙路中队",
            "丙": "锦江区城管局/",
            "丁": "武侯区城管局/春熙路中队",
            "戊": "锦江区城管局/机动大队",
        }
        assert "client_bureau" not in columns and "unit" not in columns and "bureau_id" in columns
        assert legacy is None and forced is True
        # and back: the text columns come back from the records
        from alembic import command

        from service.database.migrate import _config

        with engine.begin() as connection:
            command.downgrade(_config(settings, connection), "0015")
        with engine.begin() as db:
            db.execute(text("alter table workers no force row level security"))
            back = dict(db.execute(text("select name, client_bureau || '/' || unit from workers")).fetchall())
            db.rollback()
        assert back == workers
    finally:
        engine.dispose()
        drop_database(server, name)


# --------------------------------------------------------------- pages


def test_an_admin_records_a_bureau_its_units_and_office(signed_in, tenant) -> None:
    client = signed_in(tenant, StaffRole.ADMIN)
    base = f"/t/{tenant.slug}"
    token = csrf_from(client.get(f"{base}/bureaus/offices").text)
    saved = client.post(
        f"{base}/bureaus/offices", data={"_csrf": token, "name": "锦江区委编办", "city": "chengdu"}, follow_redirects=False
    )
    assert saved.status_code == 303
    with tenant_session(tenant.id) as db:
        office_id = db.execute(text("select id from establishment_offices")).scalar()
    token = csrf_from(client.get(f"{base}/bureaus/new").text)
    created = client.post(
        f"{base}/bureaus",
        data={
            "_csrf": token,
            "name": BUREAU,
            "city": "chengdu",
            "contact_name": "李明",
            "contact_phone": "028-86661234",
            "contact_email": "li@cgj.example.cn",
            "establishment_office_id": str(office_id),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    detail_url = created.headers["location"].split("?")[0]
    detail = client.get(detail_url)
    assert BUREAU in detail.text and "锦江区委编办" in detail.text and "028-86661234" in detail.text
    unit = client.post(
        detail_url + "/units",
        data={"_csrf": csrf_from(detail.text), "name": "春熙路街道中队", "kind": "squad"},
        follow_redirects=False,
    )
    assert unit.status_code == 303
    assert "春熙路街道中队" in client.get(detail_url).text
    # the roster form can now name them; the list shows the bureau
    assert BUREAU in client.get(f"{base}/bureaus").text
    with tenant_session(tenant.id) as db:
        actions = (
            db.execute(
                text(
                    "select action from audit_log"
                    " where entity in ('client_bureau', 'bureau_unit', 'establishment_office') order by id"
                )
            )
            .scalars()
            .all()
        )
    assert actions == ["establishment_office.create", "client_bureau.create", "bureau_unit.create"]


def test_renaming_a_bureau_keeps_its_workers_and_renames_it_on_the_roster(signed_in, tenant, settings) -> None:
    worker = make_worker(settings, tenant, client_bureau=BUREAU, unit="")
    client = signed_in(tenant, StaffRole.HR_CLERK)
    with tenant_session(tenant.id) as db:
        bureau_id = db.execute(text("select id from client_bureaus")).scalar()
    form = client.get(f"/t/{tenant.slug}/bureaus/{bureau_id}/edit").text
    renamed = client.post(
        f"/t/{tenant.slug}/bureaus/{bureau_id}",
        data={"_csrf": csrf_from(form), "name": "锦江区综合执法局"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    assert "锦江区综合执法局" in client.get(f"/t/{tenant.slug}/workers/{worker.id}").text


def test_payroll_runs_band_tables_and_pay_components_follow_a_renamed_bureau(signed_in, tenant) -> None:
    """They point at the bureau's record (migration 0023): the new name shows, nothing is rewritten."""
    bureau_id = make_bureau(tenant, BUREAU)
    cells = tuple(BandCell(g, r, Decimal(2000), Decimal(100), performance_pay=Decimal(0)) for g in range(1, 6) for r in Rating)
    with tenant_session(tenant.id) as db:
        create_version(db, BandTableInput(bureau_id, date(2026, 1, 1), "", cells), actor=SYSTEM)
        create_run(db, date(2026, 3, 1), bureau_id, actor=SYSTEM)
        meal = ComponentDefinition("meal", "餐补", ComponentKind.ADDITION, Method.FIXED, Decimal(200), bureau_id=bureau_id)
        define_component(db, meal, actor=SYSTEM)
    client = signed_in(tenant, StaffRole.ADMIN)
    form = client.get(f"/t/{tenant.slug}/bureaus/{bureau_id}/edit").text
    renamed = client.post(
        f"/t/{tenant.slug}/bureaus/{bureau_id}",
        data={"_csrf": csrf_from(form), "name": "锦江区综合执法局"},
        follow_redirects=False,
    )
    assert renamed.status_code == 303
    for path in ("payroll", "salary-bands", "pay-components"):
        shown = client.get(f"/t/{tenant.slug}/{path}").text
        assert "锦江区综合执法局" in shown and BUREAU not in shown


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"name": ""}, "必填"),
        ({"name": "x" * 81}, "80"),
        ({"name": BUREAU + "2", "contact_email": "not-an-email"}, "name@example.cn"),
        ({"name": BUREAU + "3", "establishment_office_id": "999999"}, "选择"),
        ({"name": BUREAU}, BUREAU),  # a duplicate name
    ],
)
def test_bad_bureau_input_is_refused_next_to_its_field(signed_in, tenant, data, field_message) -> None:
    make_bureau(tenant, BUREAU)
    client = signed_in(tenant, StaffRole.ADMIN)
    token = csrf_from(client.get(f"/t/{tenant.slug}/bureaus/new").text)
    refused = client.post(f"/t/{tenant.slug}/bureaus", data={"_csrf": token, **data})
    assert refused.status_code == 400 and "field-error" in refused.text and field_message in refused.text
    with tenant_session(tenant.id) as db:
        assert db.execute(text("select count(*) from client_bureaus")).scalar() == 1


def test_readers_read_and_only_editors_write(signed_in, tenant) -> None:
    bureau_id = make_bureau(tenant, BUREAU)
    client = signed_in(tenant, StaffRole.VIEWER)
    assert client.get(f"/t/{tenant.slug}/bureaus").status_code == 200
    page = client.get(f"/t/{tenant.slug}/bureaus/{bureau_id}")
    assert page.status_code == 200 and BUREAU in page.text
    assert client.get(f"/t/{tenant.slug}/bureaus/new").status_code == 403
    refused = client.post(f"/t/{tenant.slug}/bureaus", data={"_csrf": csrf_from(page.text), "name": "新局"})
    assert refused.status_code == 403
    assert client.get(f"/t/{tenant.slug}/bureaus/{bureau_id}/agreements/new").status_code == 403
    assert client.get(f"/t/{tenant.slug}/bureaus/99999").status_code == 404


def test_another_tenants_bureau_is_not_found(signed_in, tenant, other_tenant) -> None:
    theirs = make_bureau(other_tenant, "别家的局")
    client = signed_in(tenant, StaffRole.ADMIN)
    assert client.get(f"/t/{tenant.slug}/bureaus/{theirs}").status_code == 404
    assert "别家的局" not in client.get(f"/t/{tenant.slug}/bureaus").text


# --------------------------------------------------------------- agreements


def test_an_agreement_lists_what_is_missing_until_complete(signed_in, tenant, settings) -> None:
    bureau_id = make_bureau(tenant, BUREAU)
    make_worker(settings, tenant, client_bureau=BUREAU, post_line="市容市貌")
    client = signed_in(tenant, StaffRole.ADMIN)
    base = f"/t/{tenant.slug}"
    form = client.get(f"{base}/bureaus/{bureau_id}/agreements/new").text
    created = client.post(
        f"{base}/bureaus/{bureau_id}/agreements",
        data={
            "_csrf": csrf_from(form),
            "number": "JJ-2026-01",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "fee_basis": "pass_through",
            "management_fee": "350",
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    url = created.headers["location"].split("?")[0]
    page = client.get(url).text
    assert "13 项法定必备内容中缺少 12 项" in page or "12 of the 13" in page, page[page.find('id="check"') :][:2500]
    token = csrf_from(page)
    post = client.post(url + "/posts", data={"_csrf": token, "name": "市容市貌", "nature": "auxiliary", "headcount": "0"})
    assert post.status_code == 400 and "field-error" in post.text
    post = client.post(
        url + "/posts",
        data={"_csrf": token, "name": "市容市貌", "nature": "auxiliary", "headcount": "1", "work_place": "春熙路"},
        follow_redirects=False,
    )
    assert post.status_code == 303
    agreement_id = int(url.rsplit("/", 1)[1])
    edit = client.get(url + "/edit").text
    saved = client.post(
        url,
        data={
            "_csrf": csrf_from(edit),
            "number": "JJ-2026-01",
            "start_date": "2026-01-01",
            "end_date": "2027-12-31",
            "fee_basis": "pass_through",
            "management_fee": "350",
            "working_hours": "每周 40 小时",
            "payment_terms": "次月 15 日前",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    clauses = {
        f"clause_{item}": "约定条款"
        for item in (
            "remuneration",
            "social_insurance",
            "injury_maternity_sickness",
            "safety_and_training",
            "economic_compensation",
            "breach_liability",
        )
    }
    saved = client.post(url + "/clauses", data={"_csrf": token, **clauses}, follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(url).text
    assert "法律、法规、规章规定" in page or "Other items laws" in page  # still missing: the 13th
    saved = client.post(
        url + "/clauses", data={"_csrf": token, **clauses, "clause_other_statutory": "无"}, follow_redirects=False
    )
    page = client.get(url).text
    assert "13 项法定必备内容齐全" in page or "All 13 mandatory items are present" in page
    # headcount in use today: the bureau's one active worker on its one post
    assert 'data-label="今日在岗"' in page or "In use today" in page
    signed = client.post(url + "/sign", data={"_csrf": token, "signed_on": "2025-12-20"}, follow_redirects=False)
    assert signed.status_code == 303
    refused = client.post(url + "/posts", data={"_csrf": token, "name": "扬尘管控", "nature": "auxiliary", "headcount": "2"})
    assert refused.status_code == 400  # signed: frozen
    renewed = client.post(url + "/renew", data={"_csrf": token, "months": "24"}, follow_redirects=False)
    assert renewed.status_code == 303
    with tenant_session(tenant.id) as db:
        renewal = db.execute(
            text("select id, start_date, end_date, renews_agreement_id, status from service_agreements where id <> :a"),
            {"a": agreement_id},
        ).one()
        posts = db.execute(text("select count(*) from agreement_posts where agreement_id = :r"), {"r": renewal[0]}).scalar()
        clauses_copied = db.execute(
            text("select count(*) from agreement_clauses where agreement_id = :r"), {"r": renewal[0]}
        ).scalar()
    assert renewal[1:] == (date(2028, 1, 1), date(2029, 12, 31), agreement_id, "draft")
    assert posts == 1 and clauses_copied == 7
    # an overlapping agreement cannot be signed
    form = client.get(f"{base}/bureaus/{bureau_id}/agreements/new").text
    overlap = client.post(
        f"{base}/bureaus/{bureau_id}/agreements",
        data={
            "_csrf": csrf_from(form),
            "start_date": "2027-06-01",
            "end_date": "2028-05-31",
            "fee_basis": "fixed",
            "fixed_price": "6000",
        },
        follow_redirects=False,
    )
    overlap_url = overlap.headers["location"].split("?")[0]
    refused = client.post(overlap_url + "/sign", data={"_csrf": token, "signed_on": "2026-01-01"})
    assert refused.status_code == 400 and "JJ-2026-01" in refused.text
