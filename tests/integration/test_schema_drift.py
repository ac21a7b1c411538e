"""The models describe the database the migrations create.

The migrations are written by hand in SQL and are the schema's truth (they
carry the RLS policies, grants and checks); the models are how the code reads
and writes it.  Alembic's ``compare_metadata`` sets the models' metadata
against the suite's freshly migrated database, and any difference fails the
test with one line each:

- a table or a column that only one side has;
- a column type (``compare_type``): bigint against integer, text against
  varchar, jsonb against json, an enum's varchar width...;
- a column's nullability.

What the database may have and the models leave out, on purpose
(``service.database.schema.COMPARE_OPTIONS``):

- indexes, unique constraints and foreign keys.  The migrations own them; the
  app never creates tables from the models (no ``create_all``), so declaring
  them again would be a second copy to keep in step, and a ``ForeignKey`` on a
  model is not inert: it changes the order in which the ORM flushes rows and
  how it infers joins.  The other direction is still checked: an index,
  unique constraint or foreign key the models declare must exist in the
  database as declared;
- server defaults.  The models give their own Python defaults; the
  database's ``default`` clauses serve SQL written by hand (migrations,
  bulk inserts) and RLS (``tenant_id`` defaults to the session's tenant).  A
  model that does declare a server default is compared with the database's.
"""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, DefaultClause, Engine, Index, Integer, MetaData, Table, Text, text

from service.database.schema import COMPARE_OPTIONS, model_metadata


def _differences(owner: Engine, metadata: MetaData) -> list[str]:
    with owner.connect() as connection:
        context = MigrationContext.configure(connection, opts={**COMPARE_OPTIONS, "compare_server_default": True})
        found = compare_metadata(context, metadata)
    # Column changes come grouped in lists, one list per column.
    flat = [change for entry in found for change in (entry if isinstance(entry, list) else [entry])]
    return [_describe(change) for change in flat if not _database_default_only(change)]


def _database_default_only(change: tuple) -> bool:
    """A server default the database has and the model does not declare.

    (Filtered here, not by a ``compare_server_default`` callable: Alembic
    1.20 fails with one on identity columns.)"""
    return change[0] == "modify_default" and change[-1] is None


def _describe(change: tuple) -> str:
    kind = change[0]
    if kind.startswith("modify_"):
        _, _, table, column, _existing, in_database, in_models = change
        what = kind.removeprefix("modify_")
        if what == "default":
            in_database, in_models = (getattr(d, "arg", d) for d in (in_database, in_models))
            in_database, in_models = (getattr(d, "text", d) for d in (in_database, in_models))
        return f"{table}.{column}: {what} is {in_database!r} in the database, {in_models!r} in the models"
    if kind in ("add_table", "remove_table"):
        side = "models" if kind == "add_table" else "database"
        return f"table {change[1].name}: only in the {side}"
    if kind in ("add_column", "remove_column"):
        side = "models" if kind == "add_column" else "database"
        return f"{change[2]}.{change[3].name}: only in the {side}"
    obj = change[1]
    return f"{kind} on {obj.table.name}: {obj.name or ''} ({', '.join(c.name for c in obj.columns)})"


def test_the_models_describe_the_database_the_migrations_create(owner: Engine) -> None:
    differences = _differences(owner, model_metadata())
    assert not differences, f"{len(differences)} differences between the models and the migrations:\n" + "\n".join(differences)


def _workers_copy(change) -> MetaData:
    """All the models' tables in a fresh MetaData, with ``change`` applied to workers."""
    metadata = MetaData()
    for table in model_metadata().tables.values():
        table.to_metadata(metadata)
    change(metadata.tables["workers"], metadata)
    return metadata


def test_the_comparison_reports_each_kind_of_drift_it_guards(owner: Engine) -> None:
    def drift(workers: Table, metadata: MetaData) -> None:
        workers.c.grade.type = Integer()  # smallint in the database
        workers.c.phone.nullable = False  # nullable in the database
        workers.c.post_line.server_default = DefaultClause(text("'机动中队'"))  # no default in the database
        workers.append_column(Column("nickname", Text))  # no such column
        Index("workers_by_nickname", workers.c.nickname)  # nor index
        Table(f"ghost_{uuid.uuid4().hex[:6]}", metadata, Column("id", Integer, primary_key=True))

    differences = _differences(owner, _workers_copy(drift))

    assert any(d.startswith("workers.grade: type is SMALLINT()") for d in differences), differences
    assert "workers.phone: nullable is True in the database, False in the models" in differences
    assert "workers.post_line: default is None in the database, \"'机动中队'\" in the models" in differences
    assert "workers.nickname: only in the models" in differences
    assert "add_index on workers: workers_by_nickname (nickname)" in differences
    assert any(d.startswith("table ghost_") and d.endswith("only in the models") for d in differences), differences
    assert len(differences) == 6, differences
