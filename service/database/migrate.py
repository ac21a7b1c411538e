"""Running Alembic from code: ``paiqian migrate``, the test suite and /readyz.

There is no alembic.ini: the script location and the connection are set
here, so the top level of the repository stays as the layout asks.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from service.settings import PROJECT_ROOT, Settings

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def _config(settings: Settings, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    config.attributes["owner_role"] = settings.owner_role
    config.attributes["app_role"] = settings.app_role
    config.attributes["app_role_password"] = settings.app_role_password
    return config


def upgrade(engine: Engine, settings: Settings, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` in one transaction."""
    with engine.begin() as connection:
        command.upgrade(_config(settings, connection), revision)


def head_revision(settings: Settings) -> str | None:
    return ScriptDirectory.from_config(_config(settings)).get_current_head()


def database_revision(connection: Connection) -> str | None:
    return connection.execute(text("select version_num from alembic_version")).scalar()
