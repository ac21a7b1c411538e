"""Plans, Stripe customers and subscriptions, webhook events, sign-ups and support grants.

Control plane (no tenant_id RLS; listed in tenants.isolation.CONTROL_PLANE_TABLES):

- ``plans``: what is sold: a price per active worker per month and limits.
- ``tenant_billing``: one row per tenant: its plan, its sign-up registration
  (unified social credit code, unique across the platform; dispatch licence),
  its Stripe customer and subscription, the worker count last sent to Stripe,
  the pending-sync marker and the last payment.  It is global because the
  webhook endpoint finds a tenant by its Stripe customer before any tenant
  is known, and the operator console lists every tenant.
- ``stripe_events``: every webhook event id once (the primary key is the
  unique constraint ``INSERT ... ON CONFLICT DO NOTHING`` relies on), with its
  processing status and error.
- ``tenant_deletions``: what the retention job exported and deleted, kept
  after the tenant itself is gone.

Tenant-scoped (RLS):

- ``support_grants``: time-limited support access for the platform's
  operators, visible to (and revocable by) the tenant's administrators.

A statement trigger on ``workers`` marks the tenant's billing row
``sync_pending_since`` whenever workers are added, removed or change status;
``paiqian billing sync`` sends the count to Stripe once the marker is a few
seconds old, so an import of 500 workers is one Stripe call, not 500.

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        create table plans (
          code varchar(20) primary key check (code ~ '^[a-z0-9_-]+$'),
          name varchar(80) not null,
          price_per_worker numeric(12, 2) not null check (price_per_worker >= 0),
          currency char(3) not null default 'cny',
          max_workers integer check (max_workers > 0),
          min_billed_workers integer not null default 1 check (min_billed_workers >= 0),
          trial_days integer not null default 30 check (trial_days >= 0),
          stripe_price_id varchar(255),
          active boolean not null default true,
          sort_order smallint not null default 0
        )"""
    )
    op.execute(
        """
        insert into plans (code, name, price_per_worker, max_workers, min_billed_workers, trial_days, sort_order)
        values ('starter', 'Starter', 15.00, 200, 1, 30, 1),
               ('standard', 'Standard', 12.00, 2000, 1, 30, 2),
               ('enterprise', 'Enterprise', 9.00, null, 1, 30, 3)"""
    )
    op.execute(
        """
        create table tenant_billing (
          tenant_id uuid primary key references tenants (id) on delete cascade,
          plan_code varchar(20) not null references plans (code),
          credit_code char(18) unique,
          licence_number varchar(60),
          licence_expires_on date,
          billing_email varchar(254),
          trial_ends_at timestamptz,
          stripe_customer_id varchar(255) unique,
          stripe_subscription_id varchar(255) unique,
          stripe_subscription_item_id varchar(255),
          subscription_status varchar(30),
          billed_quantity integer,
          active_workers integer not null default 0,
          sync_pending_since timestamptz,
          last_synced_at timestamptz,
          billing_error text,
          billing_attempts integer not null default 0,
          payment_method_on_file boolean not null default false,
          last_payment_at timestamptz,
          last_payment_amount numeric(12, 2),
          last_payment_currency char(3),
          operator_suspended boolean not null default false,
          cancelled_at timestamptz,
          retention_until date,
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now()
        )"""
    )
    op.execute(
        "create index tenant_billing_pending on tenant_billing (sync_pending_since) where sync_pending_since is not null"
    )
    op.execute(
        """
        create table stripe_events (
          id varchar(255) primary key,
          type varchar(100) not null,
          stripe_created_at timestamptz,
          livemode boolean not null default false,
          payload jsonb not null,
          tenant_id uuid,
          status varchar(20) not null default 'received'
            check (status in ('received', 'processed', 'ignored', 'failed', 'unknown_customer')),
          attempts integer not null default 0,
          error text,
          received_at timestamptz not null default now(),
          processed_at timestamptz
        )"""
    )
    op.execute("create index stripe_events_status on stripe_events (status, received_at)")
    op.execute(
        """
        create table tenant_deletions (
          tenant_id uuid primary key,
          slug varchar(40) not null,
          name varchar(120) not null,
          export_path text not null,
          export_sha256 char(64) not null,
          rows_exported integer not null,
          deleted_at timestamptz not null default now()
        )"""
    )
    op.execute(
        f"""
        create table support_grants (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id) on delete cascade,
          id bigint generated always as identity,
          operator_id bigint not null,  -- platform_operators.id (control plane; operators are disabled, never deleted)
          operator_label varchar(80) not null,
          reason varchar(300) not null check (length(trim(reason)) > 0),
          granted_at timestamptz not null default now(),
          expires_at timestamptz not null,
          revoked_at timestamptz,
          revoked_by varchar(120),
          primary key (tenant_id, id),
          check (expires_at > granted_at)
        )"""
    )
    for statement in tenant_policy_sql("support_grants"):
        op.execute(statement)
    # The pending-sync marker: set once per burst of changes (the first
    # change's time is kept), cleared by the sync once Stripe has the count.
    op.execute(
        f"""
        create function billing_mark_pending() returns trigger language plpgsql as $$
        declare
          current_tenant uuid := {CURRENT_TENANT};
        begin
          if current_tenant is not null then
            update tenant_billing set sync_pending_since = now()
             where tenant_id = current_tenant and sync_pending_since is null;
          end if;
          return null;
        end
        $$"""
    )
    op.execute(
        "create trigger workers_billing_pending after insert or delete or update of status on workers "
        "for each statement execute function billing_mark_pending()"
    )


def downgrade() -> None:
    op.execute("drop trigger workers_billing_pending on workers")
    op.execute("drop function billing_mark_pending()")
    for table in ("support_grants", "tenant_deletions", "stripe_events", "tenant_billing", "plans"):
        op.execute(f"drop table {table}")
