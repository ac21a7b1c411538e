"""Control-plane tables: tenants, platform operators, sessions, sign-in throttling.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        create table tenants (
          id uuid primary key,
          slug varchar(40) not null unique
            check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
          name varchar(120) not null,
          status varchar(12) not null default 'trial'
            check (status in ('trial', 'active', 'past_due', 'suspended', 'cancelled')),
          created_at timestamptz not null default now()
        )"""
    )
    op.execute(
        """
        create table platform_operators (
          id bigint generated always as identity primary key,
          email varchar(254) not null,
          display_name varchar(80) not null,
          password_hash text not null,
          active boolean not null default true
        )"""
    )
    op.execute("create unique index platform_operators_email on platform_operators (lower(email))")
    op.execute(
        """
        create table web_sessions (
          token_hash bytea primary key,
          tenant_id uuid references tenants (id) on delete cascade,
          principal_kind varchar(20) not null,
          principal_id bigint not null,
          created_at timestamptz not null,
          last_seen_at timestamptz not null,
          expires_at timestamptz not null
        )"""
    )
    op.execute("create index web_sessions_principal on web_sessions (tenant_id, principal_kind, principal_id)")
    op.execute(
        """
        create table sign_in_failures (
          key varchar(300) primary key,
          failures integer not null default 0,
          window_started_at timestamptz not null,
          locked_until timestamptz
        )"""
    )


def downgrade() -> None:
    for table in ("sign_in_failures", "web_sessions", "platform_operators", "tenants"):
        op.execute(f"drop table {table}")
