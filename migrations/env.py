"""Alembic environment: migrations run on the owner's connection.

``service.database.migrate`` passes the connection and the role names in
``config.attributes``; once the owner role is set up, every migration runs as
that role (``SET ROLE``) so the owner owns every table it creates.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

config = context.config
connection = config.attributes["connection"]
owner_role = config.attributes["owner_role"]

# Roles are shared by every database on a server, grants are not: only once
# migration 0001 has run in *this* database may the owner create tables here.
owner_ready = connection.execute(
    text(
        "select pg_has_role(current_user, oid, 'MEMBER') and has_schema_privilege(oid, 'public', 'CREATE') "
        "from pg_roles where rolname = :r"
    ),
    {"r": owner_role},
).scalar()
if owner_ready:
    connection.execute(text(f"set role {owner_role}"))

context.configure(connection=connection, target_metadata=None, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
