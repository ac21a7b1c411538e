"""Joiners and leavers paid for the days employed: the tenant's proration rule, a worker's last day, the payslip's proration.

- ``payroll_settings.proration_rule``: how a part month is paid, 'pay_days'
  (monthly ÷ 21.75 × the pay days employed, the default) or 'calendar_days'
  (monthly × the days employed ÷ the days of the month); see
  ``service.payroll.leavers.proration``.
- ``workers.left_on``: the worker's last day employed (both the hire date and
  this day are days of employment); None while the employment lasts.  Set
  when HR marks the worker as left and when a contract is terminated.  Every
  worker whose latest contract was terminated gets its termination day (the
  contract's last day, ``contracts.state.last_day``).  A worker already marked
  as left without a terminated contract keeps none: nothing on record says
  which day was the last, and such a worker is not paid (as before).
- ``payslips.proration``: for a payslip of a part month, the rule, the days
  and the figures the band wage was prorated with (``Proration``), shown on
  the payslip and the run's register; null for a whole month.

Revision ID: 0033
Revises: 0032
"""

from __future__ import annotations

from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        alter table payroll_settings
          add column proration_rule varchar(16) not null default 'pay_days'
            check (proration_rule in ('pay_days', 'calendar_days'))"""
    )
    op.execute("alter table workers add column left_on date, add constraint workers_left_on_check check (left_on >= hire_date)")
    op.execute(
        """
        update workers w set left_on = c.terminated_on
        from (
            select distinct on (tenant_id, worker_id) tenant_id, worker_id, status, terminated_on
            from contracts where status <> 'draft'
            order by tenant_id, worker_id, start_date desc, id desc
        ) c
        where c.tenant_id = w.tenant_id and c.worker_id = w.id and c.status = 'terminated'
          and c.terminated_on >= w.hire_date"""
    )
    op.execute("alter table payslips add column proration jsonb")


def downgrade() -> None:
    op.execute("alter table payslips drop column proration")
    op.execute("alter table workers drop constraint workers_left_on_check, drop column left_on")
    op.execute("alter table payroll_settings drop column proration_rule")
