"""Assessment rule catalogue, daily records, periods and results, appeals.

- ``assessment_items``: the rule catalogue (考核细则), tenant-wide
  (``client_bureau`` null) or for one client bureau.  Versioned: a change is a
  new row with the same ``code`` and scope, ``version`` + 1, in force from its
  ``effective_from``; the previous version gets ``effective_to`` (the day
  before).  Records point at the version they were recorded under, so old
  records keep their meaning.  A fixed item has ``min_points = max_points``.
- ``assessment_records``: daily points of one worker under one item, with an
  optional photo.  The recorder is polymorphic: ``recorder_kind`` 'staff'
  (staff_users.id) or 'reviewer' (a bureau reviewer, added by the SSO issue);
  ``recorder_label`` keeps the name shown at the time.
- ``assessment_periods``: monthly, quarterly, half-yearly, annual or special
  periods with their weights (jsonb: component kind -> weight as a decimal
  string), their rating configuration (jsonb: thresholds, optional quotas per
  bureau) and the lifecycle draft -> under_review -> approved -> published.
- ``assessment_sheet_scores``: scores imported from a third party's sheet
  (concentrated assessment 集中考核, or special checks), one per worker,
  period and component.
- ``assessment_results``: one per worker and period: the weighted score, its
  rating, the component scores (jsonb), the bureau it was ranked in, and a
  ``revision`` bumped on every re-publication (e.g. an upheld appeal);
  ``assessment_result_revisions`` keeps each revision's score and rating.

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

RATINGS = "('excellent', 'good', 'meets', 'basic', 'fails')"
CATEGORIES = "('attendance', 'duty', 'dress_and_bearing', 'conduct', 'service_quality', 'training')"
PERIOD_KINDS = "('monthly', 'quarterly', 'half_yearly', 'annual', 'special')"
LIFECYCLE = "('draft', 'under_review', 'approved', 'published')"
TABLES = (
    "assessment_items",
    "assessment_records",
    "assessment_periods",
    "assessment_sheet_scores",
    "assessment_results",
    "assessment_result_revisions",
)


def upgrade() -> None:
    op.execute(
        f"""
        create table assessment_items (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          code varchar(30) not null check (code <> ''),
          name varchar(120) not null check (name <> ''),
          category varchar(20) not null check (category in {CATEGORIES}),
          min_points numeric(6, 2) not null,
          max_points numeric(6, 2) not null,
          period_cap numeric(6, 2) check (period_cap is null or period_cap > 0),
          client_bureau varchar(80) check (client_bureau is null or client_bureau <> ''),
          effective_from date not null,
          effective_to date,
          version integer not null default 1 check (version >= 1),
          previous_id bigint,
          note varchar(300) not null default '',
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, previous_id) references assessment_items (tenant_id, id),
          check (min_points <= max_points),
          check (effective_to is null or effective_to >= effective_from)
        )"""
    )
    op.execute(
        "create unique index assessment_items_version on assessment_items "
        "(tenant_id, code, coalesce(client_bureau, ''), effective_from)"
    )
    op.execute(
        f"""
        create table assessment_records (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          worker_id bigint not null,
          on_date date not null,
          item_id bigint not null,
          points numeric(6, 2) not null,
          note varchar(500) not null default '',
          photo bytea,
          photo_media_type varchar(60),
          photo_filename varchar(200),
          recorder_kind varchar(12) not null check (recorder_kind in ('staff', 'reviewer')),
          recorder_id bigint not null,
          recorder_label varchar(120) not null default '',
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id),
          foreign key (tenant_id, item_id) references assessment_items (tenant_id, id),
          check ((photo is null) = (photo_media_type is null))
        )"""
    )
    op.execute("create index assessment_records_worker on assessment_records (tenant_id, worker_id, on_date)")
    op.execute("create index assessment_records_day on assessment_records (tenant_id, on_date)")
    op.execute(
        f"""
        create table assessment_periods (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          kind varchar(12) not null check (kind in {PERIOD_KINDS}),
          name varchar(120) not null check (name <> ''),
          starts_on date not null,
          ends_on date not null,
          client_bureau varchar(80) check (client_bureau is null or client_bureau <> ''),
          base_score numeric(6, 2) not null default 100 check (base_score between 0 and 100),
          weights jsonb not null default '{{"daily": "1"}}',
          rating_config jsonb not null default '{{}}',
          status varchar(12) not null default 'draft' check (status in {LIFECYCLE}),
          computed_at timestamptz,
          published_on date,
          published_at timestamptz,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          check (ends_on >= starts_on),
          check ((status = 'published') = (published_on is not null))
        )"""
    )
    op.execute("create index assessment_periods_end on assessment_periods (tenant_id, status, ends_on)")
    op.execute(
        f"""
        create table assessment_sheet_scores (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          period_id bigint not null,
          worker_id bigint not null,
          component varchar(20) not null default 'concentrated',
          score numeric(6, 2) not null check (score between 0 and 100),
          source varchar(200) not null default '',
          imported_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, period_id, worker_id, component),
          foreign key (tenant_id, period_id) references assessment_periods (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table assessment_results (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          period_id bigint not null,
          worker_id bigint not null,
          score numeric(6, 2) not null check (score between 0 and 100),
          rating varchar(12) not null check (rating in {RATINGS}),
          components jsonb not null default '{{}}',
          bureau varchar(80) not null default '',
          status varchar(12) not null default 'draft' check (status in {LIFECYCLE}),
          published_at timestamptz,
          revision integer not null default 1 check (revision >= 1),
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, period_id, worker_id),
          foreign key (tenant_id, period_id) references assessment_periods (tenant_id, id),
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    op.execute("create index assessment_results_worker on assessment_results (tenant_id, worker_id, status)")
    op.execute(
        f"""
        create table assessment_result_revisions (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          result_id bigint not null,
          revision integer not null,
          score numeric(6, 2) not null,
          rating varchar(12) not null check (rating in {RATINGS}),
          reason varchar(500) not null default '',
          actor varchar(120) not null default '',
          published_at timestamptz not null default now(),
          primary key (tenant_id, result_id, revision),
          foreign key (tenant_id, result_id) references assessment_results (tenant_id, id) on delete cascade
        )"""
    )
    for table in TABLES:
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
