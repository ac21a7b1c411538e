"""Appeals against published assessment results; grade evaluation criteria, campaigns and decisions.

- ``appeal_settings``: the tenant's appeal window in days (none: ``DEFAULT_APPEAL_DAYS`` in code).
- ``assessment_appeals``: one appeal (异议/申诉) against one published result.
  The filer is polymorphic (``filed_by_kind`` 'assistant' for the worker
  in the assistant portal, 'staff' for staff entering it on the worker's
  behalf); so is the answerer ('staff' now, 'reviewer' once bureau
  reviewers sign in).  ``revision`` is the result's revision appealed
  against; an upheld answer re-publishes the result as a new revision.
  At most one open appeal per result.
- ``grade_basic_conditions``: the conditions every grade shares (the
  disciplinary window in years).
- ``grade_criteria``: per tenant and grade, what the grade adds (seed 002 §6).
- ``grade_campaigns``: an evaluation (职级评定) as of ``evaluated_on``, whose
  changes take effect on ``effective_from``; optionally one client bureau.
- ``grade_candidates``: one row per worker examined: grade now, the grade
  the rules propose and the grade to decide (``target_grade``), the facts the
  evaluating body confirms, and the reasons per grade checked (jsonb).
- ``grade_decisions``: one signature per deciding body (seed 002 §8:
  client bureau, dispatch company, establishment office) on a candidate's
  target grade.  The signer is polymorphic (staff now; bureau or
  establishment-office reviewers from the SSO issue).  ``reference`` is the
  document of a body's decision recorded by staff on its behalf.
- ``grade_changes``: the dated grade history.  A change is stored when
  decided and copied onto ``workers.grade`` when its ``effective_from``
  comes (``applied_at``): at once when already due, else by the daily
  ``paiqian compliance check``.  ``grades_in_force`` reads it by date.

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

RATINGS = "('excellent', 'good', 'meets', 'basic', 'fails')"
EDUCATION = "('junior_high', 'senior_high', 'junior_college', 'bachelor', 'postgraduate')"
BODIES = "('client_bureau', 'dispatch_company', 'establishment_office')"
TABLES = (
    "appeal_settings",
    "assessment_appeals",
    "grade_basic_conditions",
    "grade_criteria",
    "grade_campaigns",
    "grade_changes",
    "grade_candidates",
    "grade_decisions",
)


def upgrade() -> None:
    op.execute(
        f"""
        create table appeal_settings (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          window_days integer not null check (window_days between 1 and 365),
          updated_at timestamptz not null default now(),
          primary key (tenant_id)
        )"""
    )
    op.execute(
        f"""
        create table assessment_appeals (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          result_id bigint not null,
          worker_id bigint not null,
          revision integer not null,
          filed_on date not null,
          reason text not null check (reason <> ''),
          filed_by_kind varchar(12) not null,
          filed_by_id bigint,
          filed_by_label varchar(120) not null default '',
          status varchar(10) not null default 'open' check (status in ('open', 'upheld', 'rejected')),
          original_score numeric(6, 2) not null,
          original_rating varchar(12) not null check (original_rating in {RATINGS}),
          new_score numeric(6, 2) check (new_score between 0 and 100),
          new_rating varchar(12) check (new_rating in {RATINGS}),
          explanation text not null default '',
          answered_by_kind varchar(12),
          answered_by_id bigint,
          answered_by_label varchar(120),
          answered_at timestamptz,
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, result_id) references assessment_results (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          check ((status = 'open') = (answered_at is null)),
          check ((status = 'upheld') = (new_score is not null and new_rating is not null))
        )"""
    )
    op.execute(
        "create unique index assessment_appeals_one_open on assessment_appeals (tenant_id, result_id) where status = 'open'"
    )
    op.execute("create index assessment_appeals_status on assessment_appeals (tenant_id, status, filed_on)")
    op.execute(
        f"""
        create table grade_basic_conditions (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          disciplinary_window_years integer not null check (disciplinary_window_years between 1 and 20),
          updated_at timestamptz not null default now(),
          primary key (tenant_id)
        )"""
    )
    op.execute(
        f"""
        create table grade_criteria (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          grade smallint not null check (grade between 1 and 5),
          min_age smallint check (min_age >= 0),
          max_age smallint check (max_age >= 0),
          min_education varchar(20) check (min_education in {EDUCATION}),
          min_years_of_service smallint check (min_years_of_service >= 0),
          min_post_points numeric(8, 2) check (min_post_points >= 0),
          required_trainings text[] not null default '{{}}',
          min_rating varchar(12) check (min_rating in {RATINGS}),
          rating_periods smallint not null default 0 check (rating_periods between 0 and 20),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, grade),
          check (min_age is null or max_age is null or min_age <= max_age),
          check ((min_rating is null) = (rating_periods = 0))
        )"""
    )
    op.execute(
        f"""
        create table grade_campaigns (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          name varchar(120) not null check (name <> ''),
          evaluated_on date not null,
          effective_from date not null,
          client_bureau varchar(80) check (client_bureau is null or client_bureau <> ''),
          status varchar(10) not null default 'open' check (status in ('open', 'closed')),
          created_by varchar(120) not null default '',
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          check (effective_from >= evaluated_on)
        )"""
    )
    op.execute(
        f"""
        create table grade_changes (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          from_grade smallint not null check (from_grade between 1 and 5),
          to_grade smallint not null check (to_grade between 1 and 5),
          effective_from date not null,
          campaign_id bigint,
          decided_by varchar(120) not null default '',
          applied_at timestamptz,
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, campaign_id) references grade_campaigns (tenant_id, id),
          check (from_grade <> to_grade)
        )"""
    )
    op.execute("create index grade_changes_worker on grade_changes (tenant_id, worker_id, effective_from)")
    op.execute("create index grade_changes_due on grade_changes (tenant_id, effective_from) where applied_at is null")
    op.execute(
        f"""
        create table grade_candidates (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          campaign_id bigint not null,
          worker_id bigint not null,
          current_grade smallint not null check (current_grade between 1 and 5),
          proposed_grade smallint not null check (proposed_grade between 1 and 5),
          target_grade smallint not null check (target_grade between 1 and 5),
          post_points numeric(8, 2) not null default 0 check (post_points >= 0),
          political_standing_confirmed boolean not null default false,
          fitness_confirmed boolean not null default false,
          conduct_confirmed boolean not null default false,
          evaluations jsonb not null default '[]',
          change_id bigint,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, campaign_id, worker_id),
          foreign key (tenant_id, campaign_id) references grade_campaigns (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, change_id) references grade_changes (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table grade_decisions (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          campaign_id bigint not null,
          worker_id bigint not null,
          body varchar(24) not null check (body in {BODIES}),
          target_grade smallint not null check (target_grade between 1 and 5),
          approved boolean not null,
          signer_kind varchar(12) not null,
          signer_id bigint,
          signer_label varchar(120) not null default '',
          reference varchar(120) not null default '',
          note varchar(500) not null default '',
          signed_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, campaign_id, worker_id, body),
          foreign key (tenant_id, campaign_id, worker_id)
            references grade_candidates (tenant_id, campaign_id, worker_id) on delete cascade
        )"""
    )
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
