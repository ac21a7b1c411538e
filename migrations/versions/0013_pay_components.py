"""Tenant pay components, their imported per-worker amounts, and 专项附加扣除 declarations.

- ``pay_components``: a tenant's allowances and deductions (unique code per
  tenant).  ``method`` says how a month's amount is found: ``fixed`` (the
  amount every month), ``per_year_of_service`` (the amount times the full
  years from the hire date to the month's first day), ``per_worker_month``
  (the amount imported for the worker and month; absent means not paid).
  ``applies_to_bureau`` null means every worker of the tenant.  A component
  is never deleted: it is deactivated, so past payslips keep their meaning.
- ``pay_component_amounts``: the imported amount per component, worker and
  month (the month's first day).
- ``tax_declarations``: a worker's special additional deductions for a tax
  year, the ``special_deductions.Declarations`` serialised as jsonb.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"""
        create table pay_components (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          code varchar(30) not null check (code ~ '^[a-z][a-z0-9_]*$'),
          label varchar(60) not null check (label <> ''),
          kind varchar(10) not null check (kind in ('addition', 'deduction')),
          method varchar(20) not null check (method in ('fixed', 'per_year_of_service', 'per_worker_month')),
          amount numeric(12, 2) check (amount is null or amount >= 0),
          taxable boolean not null default true,
          counts_for_minimum_wage boolean not null default true,
          active boolean not null default true,
          applies_to_bureau varchar(80) check (applies_to_bureau is null or applies_to_bureau <> ''),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, code),
          check ((method = 'per_worker_month') = (amount is null))
        )"""
    )
    op.execute(
        f"""
        create table pay_component_amounts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          component_id bigint not null,
          worker_id bigint not null,
          month date not null check (extract(day from month) = 1),
          amount numeric(12, 2) not null check (amount >= 0),
          primary key (tenant_id, component_id, worker_id, month),
          foreign key (tenant_id, component_id) references pay_components (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute("create index pay_component_amounts_month on pay_component_amounts (tenant_id, month)")
    op.execute(
        f"""
        create table tax_declarations (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          worker_id bigint not null,
          year int not null check (year between 2023 and 2100),
          declarations jsonb not null,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, worker_id, year),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    for table in ("pay_components", "pay_component_amounts", "tax_declarations"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table tax_declarations")
    op.execute("drop table pay_component_amounts")
    op.execute("drop table pay_components")
