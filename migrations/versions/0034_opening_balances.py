"""Opening balances: the tax year to date of the months before a tenant's first payroll here.

- ``payroll_opening_balances``: per worker and tax year, what the previous
  payroll system withheld January through ``as_of_month`` (the month before
  the first month paid here): income, tax-free income, special deductions,
  special additional deductions, other deductions, tax withheld and the months
  employed the basic deduction counted.  A payroll run continues the
  cumulative withholding from it (``service.payroll.runs.inputs``).  The checks
  mirror ``service.payroll.tax.income_tax.OpeningBalance``.  ``source`` says
  whether the sheet import or the per-worker form wrote the row last.
- ``imports.kind`` admits ``opening_balances``, the balances' Excel import job.

Revision ID: 0034
Revises: 0033
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

KINDS = ("roster", "contracts", "attendance", "pay_amounts", "assessment_items", "bank_accounts")
AMOUNTS = (
    "income",
    "tax_free_income",
    "special_deductions",
    "special_additional_deductions",
    "other_deductions",
    "tax_withheld",
)


def _import_kinds(*kinds: str) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("alter table imports drop constraint imports_kind_check")
    op.execute(f"alter table imports add constraint imports_kind_check check (kind in ({listed}))")


def upgrade() -> None:
    amounts = "".join(f"\n          {name} numeric(12, 2) not null default 0 check ({name} >= 0)," for name in AMOUNTS)
    op.execute(
        f"""
        create table payroll_opening_balances (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          worker_id bigint not null,
          year int not null check (year between 2023 and 2100),
          as_of_month smallint not null check (as_of_month between 1 and 11),{amounts}
          months_employed smallint not null check (months_employed between 0 and as_of_month),
          source varchar(12) not null check (source in ('import', 'form')),
          updated_by varchar(120) not null,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, worker_id, year),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check (tax_free_income <= income)
        )"""
    )
    for statement in tenant_policy_sql("payroll_opening_balances"):
        op.execute(statement)
    _import_kinds(*KINDS, "opening_balances")


def downgrade() -> None:
    op.execute("delete from imports where kind = 'opening_balances'")
    _import_kinds(*KINDS)
    op.execute("drop table payroll_opening_balances")
