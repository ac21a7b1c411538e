"""The attendance month's Excel import is a job too (branch ``attendance-job``).

``imports.kind`` is checked against the kinds of import there are (0023):
'attendance' joins 'roster' and 'contracts'.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def _kinds(*kinds: str) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("alter table imports drop constraint imports_kind_check")
    op.execute(f"alter table imports add constraint imports_kind_check check (kind in ({listed}))")


def upgrade() -> None:
    _kinds("roster", "contracts", "attendance")


def downgrade() -> None:
    op.execute("delete from imports where kind = 'attendance'")
    _kinds("roster", "contracts")
