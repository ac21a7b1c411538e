"""The job queue's tables: procrastinate's own schema (branch ``jobs``).

NOT a reserved number: written by the jobs helper as a NEW file after 0021
(the lead may renumber it when merging).

procrastinate ships its schema as one SQL file (``procrastinate.sql``,
read by ``SchemaManager.get_schema``); it is applied here as it is, from the
installed package, so the queue's tables, types, functions and triggers are
exactly the ones the installed version expects.  pyproject.toml pins the
minor version: a procrastinate upgrade that changes the schema comes with its
own migration, applying the files procrastinate ships under
``procrastinate/sql/migrations``.

The tables (``procrastinate_jobs``, ``_events``, ``_periodic_defers``,
``_workers``) are platform tables: they hold jobs of every tenant and none,
so they are control-plane tables in ``tenants/isolation.py``, without RLS.  A
job carries its tenant as an argument; the task opens its transaction with
``tenant_session`` like a request does.

The app role needs DML on the tables and usage of their sequences (the
default privileges of migration 0001 grant both, since the owner creates
them) and EXECUTE on procrastinate's functions (PUBLIC has it by default;
granted explicitly so the dependency is written down).

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

from alembic import context, op
from procrastinate.schema import SchemaManager
from sqlalchemy import text

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")


def _procrastinate_functions() -> list[str]:
    return list(
        op.get_bind()
        .execute(
            text(
                "select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace"
                " where n.nspname = 'public' and starts_with(p.proname, 'procrastinate')"
            )
        )
        .scalars()
    )


def upgrade() -> None:
    # The driver's own connection (the same transaction, as the owner role): the schema is many
    # statements, with % and : in PL/pgSQL bodies that SQLAlchemy or a parameter style would misread.
    op.get_bind().connection.driver_connection.execute(SchemaManager.get_schema())
    app = context.config.attributes["app_role"]
    for function in _procrastinate_functions():
        op.execute(f"grant execute on function {function} to {app}")


def downgrade() -> None:
    for function in _procrastinate_functions():  # first: some return the jobs table's row type
        op.execute(f"drop function {function} cascade")  # cascade: the triggers that call them
    op.execute(f"drop table {', '.join(TABLES)}")
    op.execute("drop type procrastinate_job_to_defer_v1, procrastinate_job_event_type, procrastinate_job_status")
