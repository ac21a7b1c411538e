"""Staff users per tenant, and the append-only audit log.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import context, op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    app = context.config.attributes["app_role"]
    op.execute(
        f"""
        create table staff_users (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          email varchar(254) not null,
          display_name varchar(80) not null,
          password_hash text not null,
          role varchar(20) not null
            check (role in ('admin', 'hr_clerk', 'payroll_clerk', 'assessor', 'viewer')),
          active boolean not null default true,
          created_at timestamptz not null default now(),
          last_sign_in_at timestamptz,
          primary key (tenant_id, id)
        )"""
    )
    op.execute("create unique index staff_users_email on staff_users (tenant_id, lower(email))")
    for statement in tenant_policy_sql("staff_users"):
        op.execute(statement)

    op.execute(
        f"""
        create table audit_log (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          occurred_at timestamptz not null default now(),
          actor_kind varchar(20) not null,
          actor_id bigint,
          actor_label varchar(120) not null,
          action varchar(60) not null,
          entity varchar(40) not null,
          entity_id varchar(60),
          before jsonb,
          after jsonb,
          request_id varchar(64),
          primary key (tenant_id, id)
        )"""
    )
    op.execute("create index audit_log_recent on audit_log (tenant_id, occurred_at desc)")
    op.execute("create index audit_log_entity on audit_log (tenant_id, entity, entity_id)")
    for statement in tenant_policy_sql("audit_log"):
        op.execute(statement)
    # Append-only for the app: what happened cannot be rewritten by the app.
    op.execute(f"revoke update, delete, truncate on audit_log from {app}")


def downgrade() -> None:
    op.execute("drop table audit_log")
    op.execute("drop table staff_users")
