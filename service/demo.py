"""A lived-in demo tenant: a Chengdu dispatch company serving three bureaus.

Deterministic (seeded), so every fresh machine shows the same roster.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal, TypeVar

from faker import Faker
from sqlmodel import col, select

from service import clock
from service.accounts.actions import create_staff_user, find_by_email
from service.accounts.models import StaffRole, StaffUser
from service.assessment.ratings import Rating
from service.audit import SYSTEM, Actor
from service.bureaus.actions import create_bureau, create_office, ensure_assignment
from service.bureaus.agreements import actions as agreements
from service.bureaus.agreements.inputs import AgreementInput, PostInput
from service.bureaus.agreements.rules import Item
from service.bureaus.bureau_input import BureauInput, Contacts, OfficeInput
from service.bureaus.directory import bureaus
from service.bureaus.models import FeeBasis, PostNature
from service.database.ids import id_of
from service.dates import add_months
from service.keys import keys_for
from service.payroll.bands.actions import create_version
from service.payroll.bands.rules import BandCell, BandTableInput
from service.payroll.runs import actions as runs
from service.payroll.runs.models import PayslipRow
from service.platform.provisioning import create_tenant
from service.portal import actions as portal_actions
from service.settings import Settings
from service.workforce.contracts.actions import ImportPlan, import_contracts
from service.workforce.contracts.input import ContractInput
from service.workforce.identity import make_national_id, parse_national_id
from service.workforce.models import GRADES, ContractType, Education, Worker, WorkerStatus
from service.workforce.roster.actions import import_workers
from service.workforce.roster.input import WorkerInput
from tenants.isolation import TenantSession, control_session
from tenants.models import Tenant, TenantStatus

DEMO_SLUG = "demo"
DEMO_NAME = "锦城人力资源服务有限公司"
DEMO_PASSWORD = "Paiqian2026demo"
DEMO_USERS = (
    ("admin@demo.paiqian.cn", "王丽", StaffRole.ADMIN),
    ("hr@demo.paiqian.cn", "陈晓燕", StaffRole.HR_CLERK),
    ("payroll@demo.paiqian.cn", "刘强", StaffRole.PAYROLL_CLERK),
    ("viewer@demo.paiqian.cn", "赵敏", StaffRole.VIEWER),
)

# (bureau, its region code for ID numbers, its units)
BUREAUS = (
    ("成都市锦江区城市管理和综合行政执法局", "510104", ("春熙路街道中队", "书院街街道中队", "牛市口街道中队", "机动中队")),
    ("成都市武侯区城市管理和综合行政执法局", "510107", ("玉林街道中队", "浆洗街街道中队", "簇桥街道中队", "机动中队")),
    ("成都市青羊区城市管理和综合行政执法局", "510105", ("草市街街道中队", "少城街道中队", "府南街道中队")),
)
POST_LINES = ("市容市貌", "扬尘管控", "机动中队", "违法建设巡查", "数字城管")
GRADE_WEIGHTS = {5: 40, 4: 28, 3: 18, 2: 10, 1: 4}
STATUS_WEIGHTS = {
    WorkerStatus.ACTIVE: 82,
    WorkerStatus.PROBATION: 8,
    WorkerStatus.CANDIDATE: 3,
    WorkerStatus.SUSPENDED: 2,
    WorkerStatus.LEFT: 5,
}
EDUCATION_WEIGHTS = {
    Education.JUNIOR_HIGH: 10,
    Education.SENIOR_HIGH: 45,
    Education.JUNIOR_COLLEGE: 32,
    Education.BACHELOR: 12,
    Education.POSTGRADUATE: 1,
}


@dataclass(frozen=True)
class DemoSignIn:
    slug: str
    email: str
    password: str
    created: bool
    assistant_phone: str | None = None  # an assistant who can sign in to the payslip portal (same password)


_Choice = TypeVar("_Choice")

# Twice as many men as women, as on the sites the demo imitates.
GENDERS: tuple[Literal["male", "female"], ...] = ("male", "male", "female")


def _pick(rng: random.Random, weights: dict[_Choice, int]) -> _Choice:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_workers(count: int, seed: int = 2026, today: date | None = None) -> list[WorkerInput]:
    """``count`` realistic workers with valid, distinct ID numbers."""
    today = today or clock.today()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    workers: list[WorkerInput] = []
    seen: set[str] = set()
    while len(workers) < count:
        bureau, region, units = rng.choice(BUREAUS)
        gender = rng.choice(GENDERS)
        birth = date(rng.randint(1972, 2003), rng.randint(1, 12), rng.randint(1, 28))
        number = make_national_id(region, birth, rng.randint(0, 99), gender)
        if number in seen:
            continue
        seen.add(number)
        earliest_hire = max(date(2012, 1, 1), birth + timedelta(days=365 * 19))
        hire = earliest_hire + timedelta(days=rng.randint(0, max(1, (today - earliest_hire).days - 30)))
        name = fake.name_male() if gender == "male" else fake.name_female()
        # Most registered for social insurance within days; a few recent hires not yet.
        registered = hire + timedelta(days=rng.randint(3, 25)) if rng.random() > 0.03 else None
        workers.append(
            WorkerInput(
                name=name,
                national_id=parse_national_id(number, today=today),
                phone="1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9)),
                education=_pick(rng, EDUCATION_WEIGHTS),
                hire_date=hire,
                status=_pick(rng, STATUS_WEIGHTS),
                post_line=rng.choice(POST_LINES),
                client_bureau=bureau,
                unit=rng.choice(units),
                grade=_pick(rng, GRADE_WEIGHTS),
                city="chengdu",
                si_registered_on=registered if registered and registered <= today else None,
            )
        )
    return workers


WAGE_BY_GRADE = {5: Decimal("4300"), 4: Decimal("4800"), 3: Decimal("5400"), 2: Decimal("6100"), 1: Decimal("6900")}


# Monthly post pay and grade pay by grade (grade 1 is the highest), and
# performance pay by rating: the shape of the bid template's pay table (seed 000).
DEMO_POST_PAY = {1: "3200", 2: "3000", 3: "2800", 4: "2600", 5: "2400"}
DEMO_GRADE_PAY = {1: "1600", 2: "1300", 3: "1000", 4: "700", 5: "400"}
DEMO_PERFORMANCE_PAY = {
    Rating.EXCELLENT: "1500",
    Rating.GOOD: "1200",
    Rating.MEETS: "900",
    Rating.BASIC: "500",
    Rating.FAILS: "0",
}


def demo_salary_bands() -> BandTableInput:
    cells = tuple(
        BandCell(
            grade,
            rating,
            Decimal(DEMO_POST_PAY[grade]),
            Decimal(DEMO_GRADE_PAY[grade]),
            performance_pay=Decimal(DEMO_PERFORMANCE_PAY[rating]),
        )
        for grade in GRADES
        for rating in Rating
    )
    return BandTableInput(bureau_id=None, effective_from=date(2025, 1, 1), note="2025 年薪酬标准", cells=cells)


def _sign_contracts(db: TenantSession, tenant_id: uuid.UUID, today: date) -> None:
    """Three-year contracts renewed back to back from each hire date, as local
    practice signs them (seed 003 篇8).  A few recent hires have none yet, so
    the compliance page has something to say."""
    rng = random.Random(7)
    plan = ImportPlan(new=[], changed=[], unchanged=0)
    workers = db.exec(select(Worker).where(Worker.tenant_id == tenant_id).order_by(col(Worker.id))).all()
    for worker in workers:
        if worker.status in (WorkerStatus.CANDIDATE, WorkerStatus.LEFT):
            continue
        if (today - worker.hire_date).days < 60 and rng.random() < 0.5:
            continue
        wage, start, first = WAGE_BY_GRADE[worker.grade], worker.hire_date, True
        while start <= today:
            end = add_months(start, 36) - timedelta(days=1)
            plan.new.append(
                (
                    id_of(worker),
                    ContractInput(
                        contract_type=ContractType.FIXED_TERM,
                        start=start,
                        end=end,
                        probation_end=add_months(start, 3) - timedelta(days=1) if first else None,
                        probation_wage=(wage * Decimal("0.8")).quantize(Decimal("0.01")) if first else None,
                        wage=wage,
                        post=worker.post_line,
                        work_place=worker.unit or "",
                        bureau_id=worker.bureau_id,
                        signed_on=start,
                    ),
                )
            )
            start, first = end + timedelta(days=1), False
    import_contracts(db, plan, today, actor=SYSTEM)


DEMO_OFFICE = "成都市锦江区委机构编制委员会办公室"


def seed_demo_bureaus(db: TenantSession) -> None:
    """The three bureaus with their squads, contacts and the establishment office
    (the benchmarks' tenants too: their workers name these bureaus)."""
    office = create_office(db, OfficeInput(DEMO_OFFICE, Contacts("chengdu", "周建", "028-86661234", "", "")), actor=SYSTEM)
    for n, (bureau_name, _region, units) in enumerate(BUREAUS):
        contact = ("李明", "孙伟", "何静")[n]
        contacts = Contacts("chengdu", contact, f"028-8{n + 5}12345{n}", f"office{n + 1}@cgj.example.cn", "")
        bureau = create_bureau(db, BureauInput(bureau_name, contacts, office.id if n == 0 else None), actor=SYSTEM)
        for unit_name in units:
            ensure_assignment(db, bureau.name, unit_name, actor=SYSTEM)


def _demo_agreements(db: TenantSession) -> None:
    """A signed pass-through agreement for every bureau, its posts and every mandatory clause
    but the last for the third bureau (so the check has something to list)."""

    clauses = {
        Item.REMUNERATION: "按同工同酬原则，执行甲方同类岗位薪酬标准，乙方每月 15 日前发放上月工资。",
        Item.SOCIAL_INSURANCE: "乙方按参保地规定为派遣人员足额缴纳社会保险和住房公积金，费用由甲方据实承担。",
        Item.INJURY_MATERNITY_SICKNESS: "派遣人员工伤、生育、患病期间的待遇按国家和四川省规定执行。",
        Item.SAFETY_AND_TRAINING: "甲方提供符合国家规定的劳动安全卫生条件，并进行岗前及在岗培训。",
        Item.ECONOMIC_COMPENSATION: "依法应支付的经济补偿由甲方承担。",
        Item.BREACH_LIABILITY: "任何一方违反本协议，应赔偿对方因此遭受的损失。",
        Item.OTHER_STATUTORY: "其他事项按《劳动合同法》《劳务派遣暂行规定》执行。",
    }
    for n, bureau in enumerate(bureaus(db)):
        agreement = agreements.create_agreement(
            db,
            bureau,
            AgreementInput(
                number=f"PQ-2025-{n + 1:02d}",
                start_date=date(2025, 1, 1),
                end_date=date(2027, 12, 31),
                work_place=bureau.name.removeprefix("成都市").removesuffix("城市管理和综合行政执法局") + "辖区",
                working_hours="每周 40 小时，轮班执勤，依法享受休息休假",
                fee_basis=FeeBasis.PASS_THROUGH,
                management_fee=Decimal("350"),
                fixed_price=None,
                payment_terms="收到结算单后 15 日内银行转账",
                payment_due_days=15,
                note="",
            ),
            actor=SYSTEM,
        )
        for post in POST_LINES:
            agreements.save_post(
                db, agreement, None, PostInput(post, PostNature.AUXILIARY, 40, "", None, None, None), actor=SYSTEM
            )
        agreements.save_clauses(
            db, agreement, {k: v for k, v in clauses.items() if n < 2 or k is not Item.OTHER_STATUTORY}, actor=SYSTEM
        )
        agreements.sign_agreement(db, agreement, date(2024, 12, 20), actor=SYSTEM)


def ensure_demo(settings: Settings, workers: int = 500, *, only_if_empty: bool = True) -> DemoSignIn:
    """Create the demo tenant unless it (or, with ``only_if_empty``, any tenant) exists."""
    admin_email = DEMO_USERS[0][0]
    with control_session() as control:
        existing = control.exec(select(Tenant.slug)).all()
    if DEMO_SLUG in existing or (only_if_empty and existing):
        return DemoSignIn(DEMO_SLUG, admin_email, DEMO_PASSWORD, created=False)

    def populate(db: TenantSession, tenant_id: uuid.UUID) -> None:
        staff = {
            role: create_staff_user(db, actor=SYSTEM, email=email, display_name=name, role=role, password=DEMO_PASSWORD)
            for email, name, role in DEMO_USERS[1:]
        }
        seed_demo_bureaus(db)
        _demo_agreements(db)
        import_workers(db, keys_for(settings), demo_workers(workers), actor=SYSTEM)
        _sign_contracts(db, tenant_id, clock.today())
        create_version(db, demo_salary_bands(), actor=SYSTEM)
        admin = find_by_email(db, admin_email)
        assert admin is not None  # create_tenant made the admin before populating
        _publish_last_month(db, clock.today(), calculator=_acting(staff[StaffRole.PAYROLL_CLERK]), checker=_acting(admin))
        assistant_phone.append(_assistant_account(db))

    assistant_phone: list[str] = []
    create_tenant(
        slug=DEMO_SLUG,
        name=DEMO_NAME,
        admin_email=admin_email,
        admin_name=DEMO_USERS[0][1],
        admin_password=DEMO_PASSWORD,
        status=TenantStatus.ACTIVE,
        populate=populate,
    )
    return DemoSignIn(DEMO_SLUG, admin_email, DEMO_PASSWORD, created=True, assistant_phone=assistant_phone[0])


def _acting(user: StaffUser) -> Actor:
    return Actor("staff", id_of(user), user.display_name)


def _publish_last_month(db: TenantSession, today: date, *, calculator: Actor, checker: Actor) -> None:
    """Last month's payroll, so payslips and statements have figures: calculated by the payroll clerk,
    approved and published by the admin (four eyes)."""
    month = add_months(today.replace(day=1), -1)
    run = runs.create_run(db, month, actor=calculator)
    runs.calculate(db, run, actor=calculator)
    runs.approve(db, run, actor=checker)
    runs.publish(db, run, actor=checker)


def _assistant_account(db: TenantSession) -> str:
    """One worker with a payslip gets a portal account through the real invitation, with the demo password."""
    worker = db.exec(
        select(Worker)
        .join(PayslipRow, (col(PayslipRow.tenant_id) == Worker.tenant_id) & (col(PayslipRow.worker_id) == Worker.id))
        .where(Worker.tenant_id == db.tenant_id, col(Worker.phone).is_not(None))
        .order_by(col(Worker.id))
    ).first()
    assert worker is not None and worker.phone is not None  # the demo's published month paid workers with phones
    invitation = portal_actions.invite(db, worker, actor=SYSTEM)
    portal_actions.accept_invitation(db, invitation.token, password=DEMO_PASSWORD, password_again=DEMO_PASSWORD)
    return worker.phone
