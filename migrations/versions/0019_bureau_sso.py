"""Per-bureau OpenID Connect connections and bureau reviewers.

- ``sso_connections``: one identity provider registered by the tenant admin
  for one client bureau (composite key to ``client_bureaus``, migration 0016).
  The client secret is AES-GCM ciphertext (``service.sso.secrets``); the role
  mapping is a list of ``{"value": ..., "role": ...}`` matched against one claim.
- ``reviewers``: the bureau's people, provisioned at their first sign-in and
  linked by (issuer, subject), never by e-mail.  A tenant admin can disable one.
- ``sso_login_states``: the server-side half of a sign-in in progress: the
  state (stored as a hash), nonce and PKCE verifier, single-use and short-lived.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

REVIEWER_ROLES = "('bureau_reviewer', 'establishment_reviewer')"


def upgrade() -> None:
    op.execute(
        f"""
        create table sso_connections (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          bureau_id bigint not null,
          name varchar(80) not null,
          issuer varchar(300) not null check (issuer ~ '^https?://'),
          client_id varchar(200) not null,
          client_secret_cipher bytea not null,
          scopes varchar(300) not null default 'openid email profile',
          allowed_domains jsonb not null default '[]',
          role_claim varchar(80) not null default '',
          role_mapping jsonb not null default '[]',
          default_role varchar(30) check (default_role in {REVIEWER_ROLES}),
          enabled boolean not null default true,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, bureau_id) references client_bureaus (tenant_id, id)
        )"""
    )
    op.execute("create index sso_connections_bureau on sso_connections (tenant_id, bureau_id)")
    op.execute(
        f"""
        create table reviewers (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          bureau_id bigint not null,
          connection_id bigint not null,
          issuer varchar(300) not null,
          subject varchar(255) not null,
          email varchar(254) not null default '',
          display_name varchar(120) not null default '',
          role varchar(30) not null check (role in {REVIEWER_ROLES}),
          active boolean not null default true,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          last_sign_in_at timestamptz,
          primary key (tenant_id, id),
          unique (tenant_id, issuer, subject),
          foreign key (tenant_id, bureau_id) references client_bureaus (tenant_id, id),
          foreign key (tenant_id, connection_id) references sso_connections (tenant_id, id)
        )"""
    )
    op.execute("create index reviewers_bureau on reviewers (tenant_id, bureau_id)")
    op.execute(
        f"""
        create table sso_login_states (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          state_hash bytea not null,
          connection_id bigint not null,
          browser_hash bytea not null,
          nonce varchar(100) not null,
          code_verifier varchar(128) not null,
          next_path varchar(300) not null default '',
          created_at timestamptz not null default now(),
          expires_at timestamptz not null,
          primary key (tenant_id, state_hash),
          foreign key (tenant_id, connection_id) references sso_connections (tenant_id, id) on delete cascade
        )"""
    )
    op.execute("create index sso_login_states_expiry on sso_login_states (tenant_id, expires_at)")
    for table in ("sso_connections", "reviewers", "sso_login_states"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in ("sso_login_states", "reviewers", "sso_connections"):
        op.execute(f"drop table {table}")
