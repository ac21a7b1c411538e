"""SQL for the database roles and the tenant policy, used by the migrations.

Kept here, beside ``isolation.py``, so the setting the policy reads and the
setting the app writes are defined next to each other.
"""

from __future__ import annotations

from tenants.isolation import TENANT_SETTING

CURRENT_TENANT = f"nullif(current_setting('{TENANT_SETTING}', true), '')::uuid"


def tenant_policy_sql(table: str) -> list[str]:
    """ENABLE + FORCE row-level security and the one tenant policy on a table.

    FORCE makes the policy apply to the table's owner too; USING filters what
    is read, updated and deleted, WITH CHECK refuses writing a row that names
    another tenant.
    """
    return [
        f"alter table {table} enable row level security",
        f"alter table {table} force row level security",
        (
            f"create policy tenant_isolation on {table} "
            f"using (tenant_id = {CURRENT_TENANT}) with check (tenant_id = {CURRENT_TENANT})"
        ),
    ]


def create_roles_sql(owner: str, app: str, app_password: str) -> list[str]:
    """Create the owner and app roles if missing, and hold the app role to
    NOSUPERUSER NOBYPASSRLS whatever it was before."""
    password = app_password.replace("'", "''")
    return [
        f"""
        do $$
        begin
          if not exists (select from pg_roles where rolname = '{owner}') then
            create role {owner} nologin;
          end if;
          if not exists (select from pg_roles where rolname = '{app}') then
            create role {app} login password '{password}';
          end if;
        end
        $$""",
        # Only a superuser may even *remove* SUPERUSER or BYPASSRLS, and managed
        # databases have none, so the ALTER runs only when there is something to fix.
        f"""
        do $$
        begin
          if exists (select from pg_roles where rolname = '{app}'
                     and (rolsuper or rolbypassrls or rolcreatedb or rolcreaterole)) then
            alter role {app} nosuperuser nobypassrls nocreatedb nocreaterole;
          end if;
        end
        $$""",
    ]
