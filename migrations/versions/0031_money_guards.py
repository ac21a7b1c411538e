"""Guards on the money: four eyes on a payroll run, reasons for pay below the minimum wage, the housing fund's first month.

- ``payroll_runs``: who calculated, approved and published a run, as the
  actor's kind and id beside the names already kept (``calculated_by``,
  ``approved_by``; ``published_by`` is new), so the four-eyes rule compares
  people, not display names.  Runs calculated before this migration have no
  calculator id: the rule cannot tell who calculated them, so they are
  approved as before (recalculating them records the clerk).
- ``payroll_settings``: the tenant's payroll switches, one row per tenant
  (none: the defaults in code).  ``four_eyes`` off lets the clerk who
  calculated a run approve and publish it, for a company with one payroll
  person.
- ``payroll_minimum_wage_reasons``: per run and worker paid below the city
  minimum wage, the reason the approver gave for approving the pay anyway,
  with the shortfall as calculated.  Cleared when the run is calculated
  again (the approval goes with it; the audit trail keeps the old reasons).
- ``city_parameters.housing_fund_start``: whether a new hire's housing fund
  is paid from the month of hire or from the month after.  Every existing
  version gets 'next_month', the rule of the reference the seeded figures
  come from (住房公积金管理条例 Art. 17: new hires contribute from their
  second month).

Revision ID: 0031
Revises: 0030
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

TABLES = ("payroll_settings", "payroll_minimum_wage_reasons")


def upgrade() -> None:
    op.execute(
        """
        alter table payroll_runs
          add column calculated_by_kind varchar(12),
          add column calculated_by_id bigint,
          add column approved_by_kind varchar(12),
          add column approved_by_id bigint,
          add column published_by varchar(120),
          add column published_by_kind varchar(12),
          add column published_by_id bigint"""
    )
    op.execute(
        f"""
        create table payroll_settings (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          four_eyes boolean not null default true,
          updated_at timestamptz not null default now(),
          primary key (tenant_id)
        )"""
    )
    op.execute(
        f"""
        create table payroll_minimum_wage_reasons (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          run_id bigint not null,
          worker_id bigint not null,
          shortfall numeric(12, 2) not null check (shortfall > 0),
          reason text not null check (reason <> '' and char_length(reason) <= 500),
          given_by varchar(120) not null,
          given_at timestamptz not null default now(),
          primary key (tenant_id, run_id, worker_id),
          foreign key (tenant_id, run_id) references payroll_runs (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    op.execute(
        "alter table city_parameters add column housing_fund_start varchar(12) not null default 'next_month'"
        " check (housing_fund_start in ('hire_month', 'next_month'))"
    )


def downgrade() -> None:
    op.execute("alter table city_parameters drop column housing_fund_start")
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
    op.execute(
        """
        alter table payroll_runs
          drop column calculated_by_kind, drop column calculated_by_id,
          drop column approved_by_kind, drop column approved_by_id,
          drop column published_by, drop column published_by_kind, drop column published_by_id"""
    )
