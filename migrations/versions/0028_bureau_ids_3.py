"""Contracts and assessment results point at the bureau's record, not its name.

The last two tables that wrote a client bureau's *name* (varchar): since 0024
a rename rewrites no table, so a renamed bureau's contracts and results kept
the old name, which no record has.  Each column becomes ``bureau_id``
(composite key to ``client_bureaus``), converted as 0024 and 0025 did: a name
is matched to its tenant's bureau of that name, and a name no bureau has
becomes a bureau of its own rather than being lost.

- ``contracts.client_bureau`` (not null) -> ``bureau_id`` (not null).  The
  contract form always asked for a bureau, but the column took any text: a
  blank one (which only SQL written by hand could store) takes the bureau of
  the contract's worker, the one a new contract's form proposes.
- ``assessment_results.bureau`` (not null, '' for "no group") ->
  ``bureau_id`` (null for no group): the bureau the result was ranked in for
  the quotas.

Neither column had an index.  The downgrade writes the names back ('' for a
result without a bureau).  The new columns need no grants or policies of
their own: the tables keep their RLS and the app role's table privileges
cover every column.

Revision ID: 0028
Revises: 0027
"""

from __future__ import annotations

from alembic import op

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

# workers: read for a contract's blank bureau.
_TABLES = ("client_bureaus", "workers", "contracts", "assessment_results")


def _unforced() -> None:
    """The migration runs as the tables' owner, whom FORCE'd row-level security
    would limit to no tenant at all: FORCE is lifted for the conversion."""
    for table in _TABLES:
        op.execute(f"alter table {table} no force row level security")


def _forced() -> None:
    for table in _TABLES:
        op.execute(f"alter table {table} force row level security")


def _to_ids(table: str, column: str) -> None:
    """``bureau_id`` beside the name, filled from it (a name no bureau has becomes one), keyed to the bureau."""
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


def _to_names(table: str, column: str) -> None:
    op.execute(
        f"update {table} t set {column} = b.name from client_bureaus b where b.tenant_id = t.tenant_id and b.id = t.bureau_id"
    )
    op.execute(f"alter table {table} drop column bureau_id")  # and its foreign key


def upgrade() -> None:
    _unforced()
    _to_ids("contracts", "client_bureau")
    op.execute(
        "update contracts c set bureau_id = w.bureau_id from workers w"
        " where c.bureau_id is null and w.tenant_id = c.tenant_id and w.id = c.worker_id"
    )
    op.execute("alter table contracts alter column bureau_id set not null")
    op.execute("alter table contracts drop column client_bureau")
    _to_ids("assessment_results", "bureau")  # '' matches no bureau: null, no group
    op.execute("alter table assessment_results drop column bureau")
    _forced()


def downgrade() -> None:
    _unforced()
    op.execute("alter table assessment_results add column bureau varchar(80) not null default ''")
    _to_names("assessment_results", "bureau")
    op.execute("alter table contracts add column client_bureau varchar(80)")
    _to_names("contracts", "client_bureau")
    op.execute("alter table contracts alter column client_bureau set not null")
    _forced()
