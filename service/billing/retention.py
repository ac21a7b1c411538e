"""The end of a cancelled tenant: after the retention period, export every
row it has, then delete it.

Runs as the migration owner (DATABASE_URL): the app role may not delete the
audit log.  The owner is still under FORCE ROW LEVEL SECURITY, so each
statement runs with ``app.tenant_id`` set to the tenant being deleted and
cannot touch another tenant's rows.  Tables are emptied children first (the
order follows the foreign keys), then the tenant's registry row goes, and
``tenant_deletions`` keeps what was exported where, with its SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import uuid
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine, text

from service.settings import Settings
from tenants.isolation import TENANT_SETTING


def tenant_tables(connection) -> list[str]:
    """Every table with a tenant_id column, children before parents."""
    tables = (
        connection.execute(
            text(
                "select c.table_name from information_schema.columns c "
                "join pg_class k on k.relname = c.table_name and k.relrowsecurity "
                "where c.table_schema = 'public' and c.column_name = 'tenant_id'"
            )
        )
        .scalars()
        .all()
    )
    edges = connection.execute(
        text(
            "select src.relname, dst.relname from pg_constraint f "
            "join pg_class src on src.oid = f.conrelid join pg_class dst on dst.oid = f.confrelid "
            "where f.contype = 'f' and src.oid <> dst.oid"
        )
    ).all()
    parents: dict[str, set[str]] = {t: set() for t in tables}
    for child, parent in edges:
        if child in parents and parent in parents:
            parents[child].add(parent)
    ordered: list[str] = []  # parents first, then reversed
    seen: set[str] = set()

    def visit(table: str, path: frozenset[str] = frozenset()) -> None:
        if table in seen or table in path:
            return
        for parent in sorted(parents[table]):
            visit(parent, path | {table})
        seen.add(table)
        ordered.append(table)

    for table in sorted(tables):
        visit(table)
    return list(reversed(ordered))


def export_and_delete(settings: Settings, engine: Engine, tenant_id: uuid.UUID, echo: Callable[[str], None] = print) -> Path:
    export_dir = settings.export_dir or settings.data_dir / "exports"
    export_dir.mkdir(parents=True, exist_ok=True)
    with engine.begin() as connection:
        tenant = connection.execute(text("select slug, name from tenants where id = :t"), {"t": tenant_id}).one()
        # The migrator may be a superuser, and superusers bypass RLS: act as the
        # schema owner (under FORCE RLS) and also name the tenant in every statement.
        connection.execute(text(f'set local role "{settings.owner_role}"'))
        connection.execute(text("select set_config(:n, :v, true)"), {"n": TENANT_SETTING, "v": str(tenant_id)})
        tables = tenant_tables(connection)
        path = export_dir / f"{tenant.slug}-{tenant_id}-{date.today().isoformat()}.zip"
        rows = 0
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for table in sorted(tables):
                lines = (
                    connection.execute(
                        text(f'select row_to_json(t)::text from "{table}" t where tenant_id = :t'), {"t": tenant_id}
                    )
                    .scalars()
                    .all()
                )
                rows += len(lines)
                archive.writestr(f"{table}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
            billing = connection.execute(
                text("select row_to_json(b)::text from tenant_billing b where tenant_id = :t"), {"t": tenant_id}
            ).scalar()
            archive.writestr(
                "tenant.json",
                json.dumps(
                    {
                        "id": str(tenant_id),
                        "slug": tenant.slug,
                        "name": tenant.name,
                        "billing": json.loads(billing) if billing else None,
                    },
                    ensure_ascii=False,
                ),
            )
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        for table in tables:  # children first
            connection.execute(text(f'delete from "{table}" where tenant_id = :t'), {"t": tenant_id})
        connection.execute(text("delete from web_sessions where tenant_id = :t"), {"t": tenant_id})
        connection.execute(text("delete from tenant_billing where tenant_id = :t"), {"t": tenant_id})
        connection.execute(text("delete from tenants where id = :t"), {"t": tenant_id})
        connection.execute(
            text(
                "insert into tenant_deletions (tenant_id, slug, name, export_path, export_sha256, rows_exported) "
                "values (:t, :s, :n, :p, :h, :r)"
            ),
            {"t": tenant_id, "s": tenant.slug, "n": tenant.name, "p": str(path), "h": digest, "r": rows},
        )
    echo(f"tenant {tenant.slug}: {rows} rows exported to {path} (sha256 {digest}) and deleted")
    return path


def due_for_deletion(engine: Engine, today: date) -> list[uuid.UUID]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "select b.tenant_id from tenant_billing b join tenants t on t.id = b.tenant_id "
                    "where t.status = 'cancelled' and b.retention_until is not null and b.retention_until < :d"
                ),
                {"d": today},
            ).scalars()
        )
