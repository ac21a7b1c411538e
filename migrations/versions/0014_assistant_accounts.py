"""Assistants' accounts, invitations, and their payslip confirmations and questions.

- ``assistant_accounts``: one per worker who was ever invited to the portal
  (the worker's id is the account's id).  ``password_hash`` stays null until
  the worker opens an invitation and sets a password; ``active`` false means
  the account may not sign in (a worker who left, or access withdrawn).
- ``assistant_invitations``: one-time links.  Only the SHA-256 of the random
  token is kept; a link is valid until ``expires_at`` unless used or revoked.
  A partial unique index keeps at most one open invitation per worker:
  inviting again revokes the previous link in the same transaction.
- ``payslip_confirmations``: the worker confirmed a published payslip.
- ``payslip_questions``: a question a worker raised on a payslip, and the
  payroll clerk's answer.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = ("assistant_accounts", "assistant_invitations", "payslip_confirmations", "payslip_questions")


def upgrade() -> None:
    op.execute(
        f"""
        create table assistant_accounts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          worker_id bigint not null,
          password_hash varchar(200),
          active boolean not null default true,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          activated_at timestamptz,
          last_sign_in_at timestamptz,
          primary key (tenant_id, worker_id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table assistant_invitations (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          token_hash bytea not null check (length(token_hash) = 32),
          created_at timestamptz not null default now(),
          created_by varchar(120) not null,
          expires_at timestamptz not null,
          used_at timestamptz,
          revoked_at timestamptz,
          primary key (tenant_id, id),
          unique (tenant_id, token_hash),
          foreign key (tenant_id, worker_id) references assistant_accounts (tenant_id, worker_id),
          check (expires_at > created_at),
          check (used_at is null or revoked_at is null)
        )"""
    )
    op.execute(
        "create unique index assistant_invitations_one_open on assistant_invitations (tenant_id, worker_id) "
        "where used_at is null and revoked_at is null"
    )
    op.execute(
        f"""
        create table payslip_confirmations (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          payslip_id bigint not null,
          worker_id bigint not null,
          confirmed_at timestamptz not null default now(),
          primary key (tenant_id, payslip_id),
          foreign key (tenant_id, payslip_id) references payslips (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table payslip_questions (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          payslip_id bigint not null,
          worker_id bigint not null,
          question varchar(1000) not null check (btrim(question) <> ''),
          asked_at timestamptz not null default now(),
          answer varchar(2000) check (answer is null or btrim(answer) <> ''),
          answered_at timestamptz,
          answered_by varchar(120),
          primary key (tenant_id, id),
          foreign key (tenant_id, payslip_id) references payslips (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check ((answer is null) = (answered_at is null))
        )"""
    )
    op.execute("create index payslip_questions_payslip on payslip_questions (tenant_id, payslip_id, asked_at)")
    op.execute("create index payslip_questions_open on payslip_questions (tenant_id, asked_at) where answer is null")
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
