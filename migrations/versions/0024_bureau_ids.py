"""Payroll runs, band tables and pay components point at the bureau's record, not its name.

Migration 0016 made client bureaus records; payroll still wrote a bureau's
*name* (varchar) and renaming a bureau rewrote it in every such table.  Here
each of those columns becomes ``bureau_id`` (composite key to
``client_bureaus``): null still means "every bureau of the tenant", a name is
matched to its tenant's bureau of that name, and a name no bureau has (none
should: the rename kept them in step) becomes a bureau of its own, as 0016 did
for workers, rather than silently widening a row to every bureau.

- ``payroll_runs.client_bureau`` -> ``bureau_id`` (the one-regular-run and
  one-open-correction indexes are rebuilt over ``coalesce(bureau_id, 0)``).
- ``salary_band_tables.client_bureau`` -> ``bureau_id`` (one version per
  scope and date: the index is rebuilt likewise).
- ``pay_components.applies_to_bureau`` -> ``bureau_id`` (no index).

Renaming a bureau no longer rewrites these tables.  Not converted here (still
the name as text): ``contracts.client_bureau``, the assessment and grade tables.

The new columns need no grants or policies of their own: the tables keep
their RLS and the app role's table privileges cover every column.

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


# (table, text column, [(index name, definition over the text column, definition over bureau_id)])
_CONVERTED = (
    (
        "payroll_runs",
        "client_bureau",
        [
            (
                "payroll_runs_one_regular",
                "(tenant_id, month, coalesce(client_bureau, '')) where kind = 'regular'",
                "(tenant_id, month, coalesce(bureau_id, 0)) where kind = 'regular'",
            ),
            (
                "payroll_runs_one_open_correction",
                "(tenant_id, month, coalesce(client_bureau, '')) where kind = 'correction' and status <> 'published'",
                "(tenant_id, month, coalesce(bureau_id, 0)) where kind = 'correction' and status <> 'published'",
            ),
        ],
    ),
    (
        "salary_band_tables",
        "client_bureau",
        [
            (
                "salary_band_tables_version",
                "(tenant_id, coalesce(client_bureau, ''), effective_from)",
                "(tenant_id, coalesce(bureau_id, 0), effective_from)",
            ),
        ],
    ),
    ("pay_components", "applies_to_bureau", []),
)


def _unforced(tables: list[str]) -> None:
    """The migration runs as the tables' owner, whom FORCE'd row-level security
    would limit to no tenant at all: FORCE is lifted for the conversion."""
    for table in tables:
        op.execute(f"alter table {table} no force row level security")


def _forced(tables: list[str]) -> None:
    for table in tables:
        op.execute(f"alter table {table} force row level security")


def upgrade() -> None:
    tables = ["client_bureaus", *(table for table, _, _ in _CONVERTED)]
    _unforced(tables)
    for table, column, indexes in _CONVERTED:
        op.execute(
            f"""
            insert into client_bureaus (tenant_id, name)
            select distinct tenant_id, btrim({column}) from {table}
            where btrim({column}) <> ''
            on conflict do nothing
            """
        )
        op.execute(f"alter table {table} add column bureau_id bigint")
        op.execute(
            f"update {table} t set bureau_id = b.id from client_bureaus b"
            f" where b.tenant_id = t.tenant_id and b.name = btrim(t.{column})"
        )
        op.execute(
            f"alter table {table} add constraint {table}_bureau foreign key (tenant_id, bureau_id)"
            " references client_bureaus (tenant_id, id)"
        )
        for name, _, by_id in indexes:
            op.execute(f"drop index {name}")
            op.execute(f"create unique index {name} on {table} {by_id}")
        # Dropping the column drops its check constraint with it.
        op.execute(f"alter table {table} drop column {column}")
    _forced(tables)


def downgrade() -> None:
    tables = ["client_bureaus", *(table for table, _, _ in _CONVERTED)]
    _unforced(tables)
    for table, column, indexes in reversed(_CONVERTED):
        op.execute(f"alter table {table} add column {column} varchar(80) check ({column} is null or {column} <> '')")
        op.execute(
            f"update {table} t set {column} = b.name from client_bureaus b"
            " where b.tenant_id = t.tenant_id and b.id = t.bureau_id"
        )
        for name, by_name, _ in indexes:
            op.execute(f"drop index {name}")
            op.execute(f"create unique index {name} on {table} {by_name}")
        op.execute(f"alter table {table} drop column bureau_id")
    _forced(tables)
