"""Payroll runs: a month's calculation, its payslips and their lines.

- ``payroll_runs``: one run per month (tenant-wide when ``client_bureau`` is
  null, else one bureau's workers).  ``kind`` regular or correction (a
  correction names the run it corrects); a partial unique index allows one
  *regular* run per tenant, month and scope.  ``status`` draft → calculated →
  approved → published; totals are the sums of its payslips.
- ``payslips``: one per worker of the run (unique per run and worker), the
  figures of ``service.payroll.runs.payslip.Payslip`` and the tax year to date
  through the month (jsonb, read by the next month's run).
- ``payslip_lines``: a payslip's lines in order.  Its tenant_id has no
  foreign key of its own to ``tenants``: the (tenant_id, payslip_id) key to
  ``payslips`` already implies it, and a second per-row check costs ~0.5 s
  for the 120,000 lines of a 10,000-worker run.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"""
        create table payroll_runs (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          month date not null check (extract(day from month) = 1),
          client_bureau varchar(80) check (client_bureau is null or client_bureau <> ''),
          kind varchar(12) not null default 'regular' check (kind in ('regular', 'correction')),
          corrects_run_id bigint,
          status varchar(12) not null default 'draft'
            check (status in ('draft', 'calculated', 'approved', 'published')),
          worker_count int not null default 0,
          gross numeric(14, 2) not null default 0,
          net numeric(14, 2) not null default 0,
          tax numeric(14, 2) not null default 0,
          employer_cost numeric(14, 2) not null default 0,
          calculated_at timestamptz,
          calculated_by varchar(120),
          approved_at timestamptz,
          approved_by varchar(120),
          published_at timestamptz,
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, corrects_run_id) references payroll_runs (tenant_id, id),
          check ((kind = 'correction') = (corrects_run_id is not null))
        )"""
    )
    op.execute(
        "create unique index payroll_runs_one_regular on payroll_runs "
        "(tenant_id, month, coalesce(client_bureau, '')) where kind = 'regular'"
    )
    op.execute(
        f"""
        create table payslips (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          run_id bigint not null,
          worker_id bigint not null,
          month date not null,
          gross_pay numeric(12, 2) not null,
          deductions numeric(12, 2) not null,
          employee_social_insurance numeric(12, 2) not null,
          employee_housing_fund numeric(12, 2) not null,
          taxable_income numeric(12, 2) not null,
          tax numeric(12, 2) not null,
          net_pay numeric(12, 2) not null,
          employer_contributions numeric(12, 2) not null,
          employer_cost numeric(12, 2) not null,
          year_to_date jsonb not null,
          minimum_wage_ok boolean not null,
          minimum_wage_shortfall numeric(12, 2) not null,
          primary key (tenant_id, id),
          unique (tenant_id, run_id, worker_id),
          foreign key (tenant_id, run_id) references payroll_runs (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute("create index payslips_worker_month on payslips (tenant_id, worker_id, month)")
    op.execute(
        f"""
        create table payslip_lines (
          tenant_id uuid not null default {CURRENT_TENANT},
          payslip_id bigint not null,
          position smallint not null,
          code varchar(40) not null,
          label varchar(120) not null,
          category varchar(24) not null,
          amount numeric(12, 2) not null,
          primary key (tenant_id, payslip_id, position),
          foreign key (tenant_id, payslip_id) references payslips (tenant_id, id) on delete cascade
        )"""
    )
    for table in ("payroll_runs", "payslips", "payslip_lines"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table payslip_lines")
    op.execute("drop table payslips")
    op.execute("drop table payroll_runs")
