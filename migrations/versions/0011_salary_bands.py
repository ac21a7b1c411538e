"""Salary bands: pay by professional grade × assessment rating, versioned by date.

- ``workers.assessment_rating``: the worker's latest published rating (a
  ``service.assessment.ratings.Rating`` code), until the assessment issue
  publishes results of its own.  Null means no rating yet.
- ``salary_band_tables``: one version of a tenant's band matrix, tenant-wide
  (``client_bureau`` null) or for one client bureau, in force from
  ``effective_from`` until the next version of the same scope.  One version
  per scope and date (a unique index over ``coalesce(client_bureau, '')``).
- ``salary_band_cells``: the 25 cells of a version (grade 1–5 × five
  ratings): post pay, grade pay, and either a fixed performance pay or a
  performance coefficient (exactly one of the two).

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

RATINGS = "('excellent', 'good', 'meets', 'basic', 'fails')"


def upgrade() -> None:
    op.execute(
        "alter table workers add column assessment_rating varchar(12) "
        f"constraint workers_assessment_rating_check check (assessment_rating in {RATINGS})"
    )
    op.execute(
        f"""
        create table salary_band_tables (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          client_bureau varchar(80) check (client_bureau is null or client_bureau <> ''),
          effective_from date not null,
          note varchar(300) not null default '',
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id)
        )"""
    )
    op.execute(
        "create unique index salary_band_tables_version on salary_band_tables "
        "(tenant_id, coalesce(client_bureau, ''), effective_from)"
    )
    op.execute(
        f"""
        create table salary_band_cells (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          table_id bigint not null,
          grade smallint not null check (grade between 1 and 5),
          rating varchar(12) not null check (rating in {RATINGS}),
          post_pay numeric(12, 2) not null check (post_pay >= 0),
          grade_pay numeric(12, 2) not null check (grade_pay >= 0),
          performance_pay numeric(12, 2) check (performance_pay >= 0),
          performance_coefficient numeric(5, 3) check (performance_coefficient >= 0),
          primary key (tenant_id, table_id, grade, rating),
          foreign key (tenant_id, table_id) references salary_band_tables (tenant_id, id) on delete cascade,
          check ((performance_pay is null) <> (performance_coefficient is null))
        )"""
    )
    for table in ("salary_band_tables", "salary_band_cells"):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table salary_band_cells")
    op.execute("drop table salary_band_tables")
    op.execute("alter table workers drop column assessment_rating")
