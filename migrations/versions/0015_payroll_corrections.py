"""Payroll correction runs and calculation progress.

- ``payroll_runs.explanation``: why a correction run exists (required for a
  correction, shown on its page and on the payslips it corrects).  At most one
  *unpublished* correction run per tenant, month and scope.
- ``payslips.corrects_payslip_id``: on a correction run's payslip, the
  published payslip it replaces (null: the worker had none).  A correction
  run stores only the payslips that differ from the published ones; the
  difference per component is the line-by-line difference of the two.
- ``payslips.income`` / ``payslips.special_additional_deductions``: this
  month's income for tax (tax-free income included) and 专项附加扣除, so the
  tax year to date can be summed from the payslips *in force* (the latest
  published payslip per worker and month): a published correction of an
  earlier month then counts in every later month.  Null on rows written
  before this revision (read as taxable income and zero).
- ``payslip_lines`` -> ``payslips``: the row-by-row foreign key becomes two
  statement-level triggers (the lines' payslips must exist; deleting payslips
  deletes their lines), for speed: see below.
- ``payroll_run_progress``: one row per run, the phase of its calculation
  (queued, loading, computing n of N, writing, finishing, done, failed) and
  the error of a failed one; written on its own short transactions while the
  calculation's transaction is still open, so the page can show it.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table payroll_runs add column explanation text check (length(explanation) <= 2000)")
    op.execute(
        "alter table payroll_runs add constraint payroll_runs_correction_explained "
        "check (kind <> 'correction' or (explanation is not null and btrim(explanation) <> ''))"
    )
    op.execute(
        "create unique index payroll_runs_one_open_correction on payroll_runs "
        "(tenant_id, month, coalesce(client_bureau, '')) where kind = 'correction' and status <> 'published'"
    )
    op.execute("alter table payslips add column corrects_payslip_id bigint")
    op.execute(
        "alter table payslips add constraint payslips_corrects_fkey foreign key (tenant_id, corrects_payslip_id) "
        "references payslips (tenant_id, id)"
    )
    # Deleting a run's payslips (calculated again) checks this key for every row: without the
    # index each check scans payslips (21 s for 9,000 payslips instead of milliseconds).
    op.execute(
        "create index payslips_corrects on payslips (tenant_id, corrects_payslip_id) where corrects_payslip_id is not null"
    )
    op.execute("alter table payslips add column income numeric(12, 2)")
    op.execute("alter table payslips add column special_additional_deductions numeric(12, 2)")
    # payslip_lines -> payslips: the per-row foreign key check cost ~2 s of a 10,000-worker run
    # (120,000 lines, one lookup each).  The same rule is checked once per statement instead
    # (an anti-join over the inserted rows), and deleting payslips deletes their lines in one
    # statement.  Lines are only written by runs.replace_payslips, under the run's row lock,
    # which also serialises deleting those payslips.
    op.execute("alter table payslip_lines drop constraint payslip_lines_tenant_id_payslip_id_fkey")
    op.execute(
        """
        create function payslip_lines_have_payslips() returns trigger language plpgsql
        set enable_nestloop = off  -- one hash anti-join; a nested loop took minutes for 50,000 workers
        as $$
        begin
          if exists (select 1 from new_lines n where not exists (
                select 1 from payslips p where p.tenant_id = n.tenant_id and p.id = n.payslip_id)) then
            raise foreign_key_violation using message = 'payslip_lines: the payslip does not exist';
          end if;
          return null;
        end $$"""
    )
    for event in ("insert", "update"):
        op.execute(
            f"create trigger payslip_lines_payslip_exists_{event} after {event} on payslip_lines"
            " referencing new table as new_lines for each statement execute function payslip_lines_have_payslips()"
        )
    op.execute(
        """
        create function payslips_delete_their_lines() returns trigger language plpgsql as $$
        begin
          delete from payslip_lines l using old_payslips o where l.tenant_id = o.tenant_id and l.payslip_id = o.id;
          return null;
        end $$"""
    )
    op.execute(
        "create trigger payslips_delete_lines after delete on payslips"
        " referencing old table as old_payslips for each statement execute function payslips_delete_their_lines()"
    )
    op.execute(
        f"""
        create table payroll_run_progress (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          run_id bigint not null,
          phase varchar(12) not null
            check (phase in ('queued', 'loading', 'computing', 'writing', 'finishing', 'done', 'failed')),
          done int not null default 0 check (done >= 0),
          total int not null default 0 check (total >= 0),
          error jsonb,
          started_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, run_id),
          foreign key (tenant_id, run_id) references payroll_runs (tenant_id, id) on delete cascade
        )"""
    )
    for statement in tenant_policy_sql("payroll_run_progress"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table payroll_run_progress")
    op.execute("drop trigger payslips_delete_lines on payslips")
    op.execute("drop function payslips_delete_their_lines()")
    for event in ("insert", "update"):
        op.execute(f"drop trigger payslip_lines_payslip_exists_{event} on payslip_lines")
    op.execute("drop function payslip_lines_have_payslips()")
    op.execute(
        "alter table payslip_lines add constraint payslip_lines_tenant_id_payslip_id_fkey foreign key (tenant_id, payslip_id)"
        " references payslips (tenant_id, id) on delete cascade"
    )
    op.execute("alter table payslips drop column special_additional_deductions")
    op.execute("alter table payslips drop column income")
    op.execute("drop index payslips_corrects")
    op.execute("alter table payslips drop constraint payslips_corrects_fkey")
    op.execute("alter table payslips drop column corrects_payslip_id")
    op.execute("drop index payroll_runs_one_open_correction")
    op.execute("alter table payroll_runs drop constraint payroll_runs_correction_explained")
    op.execute("alter table payroll_runs drop column explanation")
