"""A leaver's settlement, and the severance on the final payslip.

- ``leaver_settlements``: what HR records when a worker leaves on a
  terminated contract: the last day, the severance chosen (N, N + 1 or 2N,
  none when the termination reason gives none) with its reason, whether
  service before 2008 is compensated (劳动合同法 Art. 97 ¶3) and why, the
  annual leave entitled and taken this year; and the figures computed from
  the payslips actually published (the annual-leave compensation, the
  severance and its tax) with their basis.  One per terminated contract; it
  is paid by the payroll run of the month of the last day.
- ``payslips.severance`` / ``payslips.severance_tax``: the severance paid on
  a final payslip (in gross and net pay) and the tax on it (in ``tax``).
  It is taxed apart from wages (财税〔2018〕164号 Art. 5(1)), so the tax year
  to date leaves both out.  Every existing payslip gets 0.

Revision ID: 0035
Revises: 0034
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        alter table payslips
          add column severance numeric(12, 2) not null default 0 check (severance >= 0),
          add column severance_tax numeric(12, 2) not null default 0 check (severance_tax between 0 and severance)"""
    )
    op.execute(
        f"""
        create table leaver_settlements (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          contract_id bigint not null,
          last_day date not null,
          termination_reason varchar(40) not null,
          kind varchar(12) check (kind in ('n', 'n_plus_one', 'double')),
          kind_reason text not null default '' check (char_length(kind_reason) <= 500),
          pre_2008_compensable boolean not null,
          pre_2008_explanation text not null default '' check (char_length(pre_2008_explanation) <= 500),
          entitlement_days smallint not null check (entitlement_days between 0 and 366),
          entitlement_reason text not null default '' check (char_length(entitlement_reason) <= 500),
          days_taken smallint not null check (days_taken between 0 and 366),
          annual_leave_pay numeric(12, 2) not null check (annual_leave_pay >= 0),
          severance numeric(12, 2) not null check (severance >= 0),
          severance_tax numeric(12, 2) not null check (severance_tax between 0 and severance),
          basis jsonb not null,
          recorded_by varchar(120) not null,
          recorded_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, contract_id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, contract_id) references contracts (tenant_id, id)
        )"""
    )
    # The payroll run reads the settlements of its month.
    op.execute("create index leaver_settlements_last_day on leaver_settlements (tenant_id, last_day)")
    for statement in tenant_policy_sql("leaver_settlements"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table leaver_settlements")
    op.execute("alter table payslips drop column severance_tax, drop column severance")
