"""The owner and app roles, and the grants every later table inherits.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import context, op

from tenants.rls import create_roles_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    attrs = context.config.attributes
    owner, app = attrs["owner_role"], attrs["app_role"]
    for statement in create_roles_sql(owner, app, attrs["app_role_password"]):
        op.execute(statement)
    op.execute(
        f"""
        do $$
        begin
          if current_user <> '{owner}' then
            execute 'grant {owner} to ' || quote_ident(current_user);
          end if;
        end
        $$"""
    )
    op.execute(f"grant usage, create on schema public to {owner}")
    op.execute(f"grant usage on schema public to {app}")
    # Tables and sequences the owner creates from now on: DML only for the app.
    op.execute(
        f"alter default privileges for role {owner} in schema public grant select, insert, update, delete on tables to {app}"
    )
    op.execute(f"alter default privileges for role {owner} in schema public grant usage, select on sequences to {app}")
    op.execute(f"alter table alembic_version owner to {owner}")
    op.execute(f"grant select on alembic_version to {app}")
    op.execute(f"set role {owner}")


def downgrade() -> None:
    raise NotImplementedError("roles are shared by every database on the server")
