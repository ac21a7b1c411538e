"""Stored uploads imported by a job (branch ``import-jobs``).

NOT a reserved number: written by the import-jobs helper as a NEW file after
0022 (the lead may renumber it when merging).

``imports``: one row per uploaded sheet.  The request stores the file's bytes
and defers the job in the same transaction; the job parses and imports them
in one tenant transaction and writes the outcome here: ``counts`` when done,
``errors`` (row, column, message) when the sheet was refused, nothing but the
status when the job failed.  ``content`` is emptied once the import is over:
a roster sheet carries ID numbers in clear, which the roster itself only
keeps encrypted.

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"""
        create table imports (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          kind varchar(20) not null check (kind in ('roster', 'contracts')),
          filename varchar(255) not null,
          content bytea,
          status varchar(10) not null default 'queued'
            check (status in ('queued', 'running', 'done', 'refused', 'failed')),
          counts jsonb,
          errors jsonb,
          created_by varchar(120) not null,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          check ((status = 'done') = (counts is not null)),
          check ((status = 'refused') = (errors is not null)),
          check (status in ('queued', 'running') or content is null)
        )"""
    )
    for statement in tenant_policy_sql("imports"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table imports")
