"""Assessment items, assessment periods and grade campaigns point at the bureau's record, not its name.

Migration 0024 did this for payroll; the assessment tables (0017) and grade
campaigns (0018) still wrote a bureau's *name* (varchar), and since 0024 a
rename rewrites no table, so a renamed bureau's items, periods and campaigns
silently lost their scope.  Each column becomes ``bureau_id`` (composite key to
``client_bureaus``) exactly as in 0024: null still means "every bureau of the
tenant", a name is matched to its tenant's bureau of that name, and a name no
bureau has becomes a bureau of its own rather than widening a row to every
bureau.

- ``assessment_items.client_bureau`` -> ``bureau_id`` (one version per code,
  scope and date: the index is rebuilt over ``coalesce(bureau_id, 0)``).
- ``assessment_periods.client_bureau`` -> ``bureau_id`` (no index).
- ``grade_campaigns.client_bureau`` -> ``bureau_id`` (no index).

Not converted here (still the name as text): ``contracts.client_bureau``.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


# (table, text column, [(index name, definition over the text column, definition over bureau_id)])
_CONVERTED = (
    (
        "assessment_items",
        "client_bureau",
        [
            (
                "assessment_items_version",
                "(tenant_id, code, coalesce(client_bureau, ''), effective_from)",
                "(tenant_id, code, coalesce(bureau_id, 0), effective_from)",
            ),
        ],
    ),
    ("assessment_periods", "client_bureau", []),
    ("grade_campaigns", "client_bureau", []),
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
