"""Social insurance and housing-fund policies per city, and the tenant's choices.

- ``insurance_policies``: one version of a city's policy per effective date
  (``service.insurance.policy.CityPolicy`` serialised to ``policy``: base
  limits, per-item rates and fixed amounts, rounding rules, Decimals as
  strings); ``disputed`` lists the figures the reference marks as
  conflicting or lacking, with the choice made.  Seeded for every tenant from
  ``service.insurance.cities.POLICIES``.
- ``insurance_settings``: per city, the tenant's housing-fund rate (within the
  city's range) and its work-injury rate (set by the agency per risk class).
- ``workers.contribution_base``: the declared monthly contribution base; null
  means the city's previous-year average wage, clamped to the limits.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "alter table workers add column contribution_base numeric(12, 2) "
        "check (contribution_base is null or contribution_base > 0)"
    )
    op.execute(
        f"""
        create table insurance_policies (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          city varchar(20) not null,
          effective_from date not null,
          policy jsonb not null,
          disputed jsonb not null default '[]',
          source text not null default '',
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, city, effective_from),
          check (jsonb_typeof(disputed) = 'array')
        )"""
    )
    op.execute(
        f"""
        create table insurance_settings (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          city varchar(20) not null,
          housing_fund_rate numeric(5, 4) check (housing_fund_rate > 0 and housing_fund_rate <= 1),
          work_injury_rate numeric(6, 5) check (work_injury_rate > 0 and work_injury_rate <= 1),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, city)
        )"""
    )
    for table in ("insurance_policies", "insurance_settings"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table insurance_settings")
    op.execute("drop table insurance_policies")
    op.execute("alter table workers drop column contribution_base")
