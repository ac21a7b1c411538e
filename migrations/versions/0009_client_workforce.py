"""Client bureaus' recorded workforce, for the 10% dispatch cap.

- ``client_workforce``: one row per client bureau (keyed by the bureau's
  name as written on ``workers.client_bureau``, until a later issue turns
  bureaus into records of their own) with the bureau's direct-contract
  headcount and whether the dispatch-cap warning is on.  The cap
  (劳务派遣暂行规定 Art. 4) may not bind a state organ (labor-law-cn.md §4),
  so each bureau's warning can be turned off.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"""
        create table client_workforce (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          client_bureau varchar(80) not null,
          direct_headcount integer not null check (direct_headcount >= 0),
          cap_warning boolean not null default true,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, client_bureau)
        )"""
    )
    for statement in tenant_policy_sql("client_workforce"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table client_workforce")
