"""Daily management: leave, leave entitlements, monthly attendance, training,
certificates to work (持证上岗) and discipline.

- ``leave_requests``: who submitted a request (kind, id and name, so a worker
  can submit through the portal later) and who decided it.  Overlapping
  requests are refused by ``service.workforce.leave`` under a lock on the
  worker's row, with a message a person can read.
- ``leave_entitlements``: days per worker, year and type that HR sets where
  the computed default (annual leave from the hire date) is not right.
- ``attendance_months``: one row per worker and month; ``locked_at`` is set
  when payroll uses the month, after which the row cannot change.  The
  36-hour monthly overtime limit (劳动法 Art. 41) is a warning in the app,
  not a check here: the figures record what happened.
- ``training_records``, ``certificates``, ``discipline_records``.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LEAVE_TYPES = "('annual', 'sick', 'personal', 'marriage', 'maternity', 'paternity', 'bereavement', 'other')"
TABLES = (
    "leave_requests",
    "leave_entitlements",
    "attendance_months",
    "training_records",
    "certificates",
    "discipline_records",
)


def upgrade() -> None:
    op.execute(
        f"""
        create table leave_requests (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          leave_type varchar(12) not null check (leave_type in {LEAVE_TYPES}),
          start_date date not null,
          end_date date not null,
          days integer not null check (days > 0),
          reason varchar(500) not null default '',
          status varchar(10) not null default 'pending'
            check (status in ('pending', 'approved', 'rejected', 'cancelled')),
          submitted_by_kind varchar(20) not null,
          submitted_by_id bigint,
          submitted_by varchar(120) not null,
          submitted_at timestamptz not null default now(),
          decided_by_kind varchar(20),
          decided_by_id bigint,
          decided_by varchar(120),
          decided_at timestamptz,
          decision_comment varchar(500) not null default '',
          cancelled_by varchar(120),
          cancelled_at timestamptz,
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check (end_date >= start_date),
          check ((status = 'cancelled') = (cancelled_at is not null)),
          check (status = 'pending' or status = 'cancelled' or decided_at is not null)
        )"""
    )
    op.execute("create index leave_requests_worker on leave_requests (tenant_id, worker_id, start_date)")
    op.execute("create index leave_requests_pending on leave_requests (tenant_id, submitted_at) where status = 'pending'")
    op.execute(
        f"""
        create table leave_entitlements (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          worker_id bigint not null,
          year smallint not null check (year between 2000 and 2100),
          leave_type varchar(12) not null check (leave_type in {LEAVE_TYPES}),
          days integer not null check (days between 0 and 366),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, worker_id, year, leave_type),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table attendance_months (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          month date not null check (extract(day from month) = 1),
          days_worked numeric(4, 1) not null check (days_worked between 0 and 31),
          absence_days numeric(4, 1) not null check (absence_days between 0 and 31),
          overtime_weekday_hours numeric(5, 1) not null check (overtime_weekday_hours >= 0),
          overtime_rest_day_hours numeric(5, 1) not null check (overtime_rest_day_hours >= 0),
          overtime_holiday_hours numeric(5, 1) not null check (overtime_holiday_hours >= 0),
          locked_at timestamptz,
          locked_by varchar(120),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, worker_id, month),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check (days_worked + absence_days <= 31),
          check ((locked_at is null) = (locked_by is null))
        )"""
    )
    op.execute("create index attendance_months_month on attendance_months (tenant_id, month)")
    op.execute(
        f"""
        create table training_records (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          course varchar(100) not null,
          provider varchar(100) not null default '',
          trained_on date not null,
          hours numeric(5, 1) not null check (hours > 0),
          result varchar(10) not null check (result in ('passed', 'failed', 'attended')),
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute("create index training_records_worker on training_records (tenant_id, worker_id, trained_on)")
    op.execute(
        f"""
        create table certificates (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          name varchar(100) not null,
          number varchar(60) not null,
          issued_on date not null,
          valid_until date not null,
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, worker_id, name, number, valid_until),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check (valid_until >= issued_on)
        )"""
    )
    op.execute("create index certificates_valid_until on certificates (tenant_id, valid_until)")
    op.execute(
        f"""
        create table discipline_records (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          kind varchar(12) not null check (kind in
            ('warning', 'education', 'fine', 'suspension', 'transfer', 'demotion', 'dismissal')),
          occurred_on date not null,
          reason varchar(500) not null,
          amount numeric(12, 2) check (amount > 0),
          ends_on date,
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check ((kind = 'fine') = (amount is not null)),
          check (ends_on is null or (kind = 'suspension' and ends_on >= occurred_on))
        )"""
    )
    op.execute("create index discipline_records_worker on discipline_records (tenant_id, worker_id, occurred_on)")
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
