"""Factories: tenants, staff users and workers made through the real actions."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import date

from service.accounts.actions import create_staff_user
from service.accounts.models import StaffRole
from service.audit import SYSTEM, Actor
from service.bureaus.actions import ensure_assignment
from service.keys import keys_for
from service.platform.provisioning import create_tenant
from service.settings import Settings
from service.workforce.identity import make_national_id, parse_national_id
from service.workforce.models import Education, Worker, WorkerStatus
from service.workforce.roster.actions import create_worker
from service.workforce.roster.input import WorkerInput
from tenants.isolation import tenant_session
from tenants.models import Tenant

PASSWORD = "Correct-horse-9"
_sequence = itertools.count(1)


@dataclass(frozen=True)
class TenantFixture:
    tenant: Tenant
    admin_email: str

    @property
    def id(self) -> uuid.UUID:
        return self.tenant.id

    @property
    def slug(self) -> str:
        return self.tenant.slug


def make_tenant(name: str = "测试人力资源有限公司") -> TenantFixture:
    n = next(_sequence)
    slug = f"co-{uuid.uuid4().hex[:8]}"
    email = f"admin{n}@{slug}.test"
    created = create_tenant(slug=slug, name=name, admin_email=email, admin_password=PASSWORD)
    return TenantFixture(created.tenant, email)


def make_staff(tenant: TenantFixture, role: StaffRole) -> str:
    email = f"{role.value}{next(_sequence)}@{tenant.slug}.test"
    with tenant_session(tenant.id) as db:
        create_staff_user(db, actor=SYSTEM, email=email, display_name=f"测试{role.value}", role=role, password=PASSWORD)
    return email


def make_clerk(tenant: TenantFixture, role: StaffRole = StaffRole.PAYROLL_CLERK) -> Actor:
    """A new staff user, as the actor they act as: the second person who approves and publishes a payroll
    run another actor (often SYSTEM) calculated, as the four-eyes rule wants."""
    email = f"{role.value}{next(_sequence)}@{tenant.slug}.test"
    with tenant_session(tenant.id) as db:
        user = create_staff_user(db, actor=SYSTEM, email=email, display_name=f"测试{role.value}", role=role, password=PASSWORD)
        assert user.id is not None
        return Actor("staff", user.id, user.display_name)


def worker_input(**overrides: object) -> WorkerInput:
    n = next(_sequence)
    number = overrides.pop("id_number", None) or make_national_id("510104", date(1990, 1, 1 + n % 28), n % 100, "male")
    values = {
        "name": f"张{'三四五六七八九'[n % 7]}",
        "national_id": parse_national_id(str(number)),
        "phone": f"139{n:08d}",
        "education": Education.SENIOR_HIGH,
        "hire_date": date(2020, 3, 1),
        "status": WorkerStatus.ACTIVE,
        "post_line": "市容市貌",
        "client_bureau": "成都市锦江区城市管理和综合行政执法局",
        "unit": "春熙路街道中队",
        "grade": 5,
    }
    values.update(overrides)
    return WorkerInput(**values)  # type: ignore[arg-type]


def make_bureau(tenant: TenantFixture, name: str = "成都市锦江区城市管理和综合行政执法局", unit: str = "") -> int:
    """The bureau's id, created (with the unit) if missing."""
    with tenant_session(tenant.id) as db:
        bureau, _ = ensure_assignment(db, name, unit, actor=SYSTEM)
        return bureau.id


def make_worker(settings: Settings, tenant: TenantFixture, **overrides: object) -> Worker:
    """A worker made through the real action; the bureau and unit named
    (``client_bureau=``, ``unit=``, defaults from ``worker_input``) are
    created as records first if missing."""
    data = worker_input(**overrides)
    with tenant_session(tenant.id) as db:
        ensure_assignment(db, data.client_bureau, data.unit, actor=SYSTEM)
        return create_worker(db, keys_for(settings), data, actor=SYSTEM)
