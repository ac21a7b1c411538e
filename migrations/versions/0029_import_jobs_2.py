"""The pay-amount and assessment-item Excel imports are jobs too.

``imports.kind`` is checked against the kinds of import there are (0023, 0026):
'pay_amounts' (a payroll run's one-off additions and deductions) and
'assessment_items' (the rule catalogue) join 'roster', 'contracts' and 'attendance'.

Revision ID: 0029
Revises: 0028
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def _kinds(*kinds: str) -> None:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    op.execute("alter table imports drop constraint imports_kind_check")
    op.execute(f"alter table imports add constraint imports_kind_check check (kind in ({listed}))")


def upgrade() -> None:
    _kinds("roster", "contracts", "attendance", "pay_amounts", "assessment_items")


def downgrade() -> None:
    op.execute("delete from imports where kind in ('pay_amounts', 'assessment_items')")
    _kinds("roster", "contracts", "attendance")
