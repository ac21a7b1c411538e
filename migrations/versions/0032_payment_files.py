"""Payment files banks accept: the tenant's layout and a record of every file produced (branch payment-files).

- ``payroll_payment_layouts``: the tenant's 代发工资 file layout, one row per
  tenant (none: the generic layout in code), as JSON: the shipped layout it
  started from, file type, encoding, amount format, summary row and columns.
- ``payroll_payment_files``: each file produced for a published run, never
  changed: the layout used, pay date, count, total paid, a correction's
  negative differences left out of the file, its SHA-256, who and when.
- ``payroll_payment_file_lines``: per file, each payslip paid, its worker,
  the amount and the ``bank_accounts`` row paid into.

Revision ID: 0032
Revises: 0031
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

TABLES = ("payroll_payment_layouts", "payroll_payment_files", "payroll_payment_file_lines")


def upgrade() -> None:
    op.execute(
        f"""
        create table payroll_payment_layouts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          layout jsonb not null,
          updated_by varchar(120) not null,
          updated_at timestamptz not null default now(),
          primary key (tenant_id)
        )"""
    )
    op.execute(
        f"""
        create table payroll_payment_files (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          run_id bigint not null,
          layout jsonb not null,
          file_name varchar(120) not null,
          pay_date date not null,
          row_count integer not null check (row_count > 0),
          total numeric(14, 2) not null check (total > 0),
          not_paid numeric(14, 2) not null default 0 check (not_paid >= 0),
          sha256 varchar(64) not null check (sha256 ~ '^[0-9a-f]{{64}}$'),
          produced_by varchar(120) not null,
          produced_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, run_id) references payroll_runs (tenant_id, id)
        )"""
    )
    op.execute("create index payroll_payment_files_of_run on payroll_payment_files (tenant_id, run_id)")
    op.execute(
        f"""
        create table payroll_payment_file_lines (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          file_id bigint not null,
          payslip_id bigint not null,
          worker_id bigint not null,
          bank_account_id bigint not null,
          amount numeric(12, 2) not null check (amount > 0),
          primary key (tenant_id, file_id, payslip_id),
          foreign key (tenant_id, file_id) references payroll_payment_files (tenant_id, id),
          foreign key (tenant_id, payslip_id) references payslips (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, bank_account_id) references bank_accounts (tenant_id, id)
        )"""
    )
    # The payslip pages look up the latest file that paid a payslip.
    op.execute("create index payroll_payment_file_lines_of_payslip on payroll_payment_file_lines (tenant_id, payslip_id)")
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
