"""Workers' bank accounts and the assistants' requests to change them.

- ``bank_accounts``: the account a worker is paid into, over the time it is in
  force (``valid_from`` to ``valid_until``, null while in force).  A row is
  never changed but for closing it: a new account closes the one in force and
  adds a row, so each payment can be traced to the account in force that day.
  The number is kept as AES-GCM ciphertext, a per-tenant blind index and a
  mask, like workers' ID numbers.  Partial unique indexes hold one account in
  force per worker and one worker per account in force.
- ``bank_account_requests``: an assistant's request from the portal, in force
  only once HR approves it (the approved row names its request); at most one
  waits per worker.
- ``imports.kind`` admits ``bank_accounts``, the accounts' Excel import job.

Revision ID: 0030
Revises: 0029
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

TABLES = ("bank_account_requests", "bank_accounts")
_ACCOUNT_COLUMNS = """
          account_number_cipher bytea not null,
          account_number_index bytea not null check (length(account_number_index) = 32),
          account_number_masked varchar(30) not null,
          bank_name varchar(60) not null check (bank_name <> ''),
          branch varchar(100) not null,
          account_name varchar(50) not null check (account_name <> ''),
          name_reason varchar(200) check (name_reason <> ''),"""


def _import_kinds(*kinds: str) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("alter table imports drop constraint imports_kind_check")
    op.execute(f"alter table imports add constraint imports_kind_check check (kind in ({listed}))")


def upgrade() -> None:
    op.execute(
        f"""
        create table bank_account_requests (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,{_ACCOUNT_COLUMNS}
          status varchar(10) not null check (status in ('pending', 'approved', 'rejected', 'superseded')),
          submitted_at timestamptz not null default now(),
          decided_at timestamptz,
          decided_by varchar(120),
          rejection_reason varchar(200),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check ((status = 'pending') = (decided_at is null)),
          check ((status = 'rejected') = (rejection_reason is not null))
        )"""
    )
    op.execute(
        "create unique index bank_account_requests_one_pending on bank_account_requests (tenant_id, worker_id) "
        "where status = 'pending'"
    )
    op.execute(
        f"""
        create table bank_accounts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,{_ACCOUNT_COLUMNS}
          source varchar(10) not null check (source in ('hr', 'import', 'portal')),
          valid_from timestamptz not null default now(),
          valid_until timestamptz,
          recorded_by varchar(120) not null,
          request_id bigint,
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, request_id) references bank_account_requests (tenant_id, id),
          check (valid_until is null or valid_until >= valid_from),
          check ((source = 'portal') = (request_id is not null))
        )"""
    )
    op.execute(
        "create unique index bank_accounts_one_in_force_per_worker on bank_accounts (tenant_id, worker_id) "
        "where valid_until is null"
    )
    op.execute(
        "create unique index bank_accounts_one_worker_per_account on bank_accounts (tenant_id, account_number_index) "
        "where valid_until is null"
    )
    op.execute("create index bank_accounts_history on bank_accounts (tenant_id, worker_id, valid_from)")
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)
    _import_kinds("roster", "contracts", "attendance", "pay_amounts", "assessment_items", "bank_accounts")


def downgrade() -> None:
    op.execute("delete from imports where kind = 'bank_accounts'")
    _import_kinds("roster", "contracts", "attendance", "pay_amounts", "assessment_items")
    op.execute("drop table bank_accounts")
    op.execute("drop table bank_account_requests")
