"""The worker roster.

The national ID number is stored encrypted (``id_number_cipher``), found by
an HMAC blind index (``id_number_index``, unique per tenant, which is what
makes re-importing a sheet idempotent) and shown through a stored mask.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"""
        create table workers (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          name varchar(50) not null,
          id_number_cipher bytea not null,
          id_number_index bytea not null,
          id_number_masked varchar(18) not null,
          gender varchar(6) not null check (gender in ('male', 'female')),
          birth_date date not null,
          phone varchar(20),
          education varchar(20) not null check (education in
            ('junior_high', 'senior_high', 'junior_college', 'bachelor', 'postgraduate')),
          hire_date date not null,
          status varchar(12) not null check (status in
            ('candidate', 'probation', 'active', 'suspended', 'left')),
          post_line varchar(40) not null,
          client_bureau varchar(80) not null,
          unit varchar(80) not null default '',
          grade smallint not null check (grade between 1 and 5),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, id_number_index)
        )"""
    )
    op.execute("create index workers_name on workers (tenant_id, name varchar_pattern_ops)")
    op.execute("create index workers_phone on workers (tenant_id, phone varchar_pattern_ops)")
    op.execute("create index workers_filters on workers (tenant_id, status, client_bureau, grade)")
    for statement in tenant_policy_sql("workers"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table workers")
