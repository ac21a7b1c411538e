"""Payroll inputs still missing: formula components, the performance base of a
band table, and the tax-year flags of a worker.

NOT a reserved number: written by the payroll-inputs helper as a NEW file
after 0020 (the lead may renumber it when merging).

- ``pay_components.formula``: the formula of a component with method
  ``formula`` (an arithmetic expression over the named inputs of
  ``service.payroll.components.formula.INPUTS``, checked by that module when saved).
  ``method`` now allows ``formula``; a formula component has no amount, and
  only a formula component has a formula.
- ``salary_band_tables.performance_base``: the monthly performance base
  (绩效基数) of a band table version; a cell's performance coefficient is
  multiplied by it.  Null is allowed for tables whose cells all have a fixed
  performance pay (the form requires it as soon as one cell has a
  coefficient; older tables without it leave such workers "missing input").
- ``tax_year_flags``: per worker and tax year, the two withholding
  adjustments: ``first_job`` (首次取得工资, STA 2020 No. 13: 5,000 for every
  month from January) and ``small_earner`` (STA 2020 No. 19: 60,000 from
  January), with the facts the clerk confirmed for the latter (last year's
  wages, declared here every month of last year).  The checks mirror
  ``service.payroll.tax.year_flags``.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # --- formula components ---------------------------------------------------
    op.execute("alter table pay_components add column formula varchar(500) check (formula is null or formula <> '')")
    op.execute("alter table pay_components drop constraint pay_components_method_check")
    op.execute(
        "alter table pay_components add constraint pay_components_method_check "
        "check (method in ('fixed', 'per_year_of_service', 'per_worker_month', 'formula'))"
    )
    op.execute("alter table pay_components drop constraint pay_components_check")
    op.execute(
        "alter table pay_components add constraint pay_components_amount_by_method "
        "check ((method in ('per_worker_month', 'formula')) = (amount is null))"
    )
    op.execute(
        "alter table pay_components add constraint pay_components_formula_by_method "
        "check ((method = 'formula') = (formula is not null))"
    )

    # --- performance base of a band table -----------------------------------------
    op.execute(
        "alter table salary_band_tables add column performance_base numeric(12, 2) "
        "check (performance_base is null or performance_base >= 0)"
    )

    # --- tax-year flags --------------------------------------------------------------
    op.execute(
        f"""
        create table tax_year_flags (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          worker_id bigint not null,
          year int not null check (year between 2023 and 2100),
          first_job boolean not null default false,
          small_earner boolean not null default false,
          wages_last_year numeric(12, 2) check (wages_last_year is null or wages_last_year >= 0),
          declared_every_month_last_year boolean not null default false,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, worker_id, year),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check (not (first_job and small_earner)),
          check (not small_earner or (declared_every_month_last_year and wages_last_year <= 60000))
        )"""
    )
    for statement in tenant_policy_sql("tax_year_flags"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table tax_year_flags")
    op.execute("alter table salary_band_tables drop column performance_base")
    op.execute("delete from pay_components where method = 'formula'")
    op.execute("alter table pay_components drop constraint pay_components_formula_by_method")
    op.execute("alter table pay_components drop constraint pay_components_amount_by_method")
    op.execute("alter table pay_components drop column formula")
    op.execute("alter table pay_components drop constraint pay_components_method_check")
    op.execute(
        "alter table pay_components add constraint pay_components_method_check "
        "check (method in ('fixed', 'per_year_of_service', 'per_worker_month'))"
    )
    op.execute(
        "alter table pay_components add constraint pay_components_check "
        "check ((method = 'per_worker_month') = (amount is null))"
    )
