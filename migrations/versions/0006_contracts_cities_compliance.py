"""Labour contracts (with scanned files), city reference figures, compliance alerts.

- ``contracts``: one row per contract of a worker; a renewal links to the
  contract it follows.  ``status`` stores what people decide (draft, signed,
  renewed, terminated); "active" and "expired" follow from the dates.
- ``contract_files``: the scanned contract, in the database under RLS, so
  only the tenant can ever read it.
- ``city_parameters``: minimum wage and the previous year's average wage per
  city, versioned by effective date; rules read the row in force on a day.
- ``compliance_alerts``: what the rules found.  ``fingerprint`` is a hash of
  the facts an alert was raised on: an acknowledgement holds while the facts
  stay the same, and the alert comes back when they change.
- ``workers.si_registered_on``: the social-insurance registration date, until
  the insurance issue records registrations of its own.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table workers add column si_registered_on date")
    op.execute(
        f"""
        create table contracts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          contract_type varchar(12) not null check (contract_type in ('fixed_term', 'open_ended', 'task_based')),
          start_date date not null,
          end_date date,
          probation_end date,
          probation_wage numeric(12, 2) check (probation_wage >= 0),
          wage numeric(12, 2) not null check (wage >= 0),
          post varchar(60) not null,
          work_place varchar(120) not null default '',
          client_bureau varchar(80) not null,
          signed_on date,
          status varchar(12) not null default 'draft'
            check (status in ('draft', 'signed', 'renewed', 'terminated')),
          renewal_decision varchar(12) not null default 'undecided'
            check (renewal_decision in ('undecided', 'renew', 'not_renew')),
          previous_contract_id bigint,
          termination_reason varchar(40),
          terminated_on date,
          severance numeric(12, 2),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, previous_contract_id) references contracts (tenant_id, id),
          check (end_date is null or end_date >= start_date),
          check (probation_end is null or probation_end >= start_date),
          check ((status = 'terminated') = (terminated_on is not null))
        )"""
    )
    op.execute("create index contracts_worker on contracts (tenant_id, worker_id, start_date)")
    op.execute("create index contracts_ending on contracts (tenant_id, end_date) where status in ('signed', 'draft')")
    op.execute(
        f"""
        create table contract_files (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          contract_id bigint not null,
          filename varchar(200) not null,
          media_type varchar(60) not null,
          size_bytes integer not null,
          content bytea not null,
          uploaded_at timestamptz not null default now(),
          primary key (tenant_id, contract_id),
          foreign key (tenant_id, contract_id) references contracts (tenant_id, id) on delete cascade
        )"""
    )
    op.execute(
        f"""
        create table city_parameters (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          city varchar(20) not null,
          effective_from date not null,
          minimum_wage_monthly numeric(10, 2) not null check (minimum_wage_monthly > 0),
          minimum_wage_hourly numeric(8, 2) not null check (minimum_wage_hourly > 0),
          average_wage_monthly numeric(10, 2) not null check (average_wage_monthly > 0),
          source varchar(300) not null default '',
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, city, effective_from)
        )"""
    )
    op.execute(
        f"""
        create table compliance_alerts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint,
          subject varchar(60) not null,
          rule varchar(40) not null,
          severity varchar(8) not null check (severity in ('high', 'medium', 'low')),
          article varchar(120) not null,
          message text not null,
          params jsonb not null default '{{}}',
          act_by date not null,
          amount numeric(12, 2),
          fingerprint varchar(64) not null,
          open boolean not null default true,
          acknowledged_at timestamptz,
          acknowledged_by varchar(120),
          acknowledgement text,
          first_seen_at timestamptz not null default now(),
          last_seen_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, subject, rule),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute(
        "create index compliance_alerts_open on compliance_alerts (tenant_id, severity, act_by) "
        "where open and acknowledged_at is null"
    )
    for table in ("contracts", "contract_files", "city_parameters", "compliance_alerts"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("compliance_alerts", "city_parameters", "contract_files", "contracts"):
        op.execute(f"drop table {table}")
    op.execute("alter table workers drop column si_registered_on")
