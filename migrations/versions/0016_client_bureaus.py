"""Client bureaus, units and establishment offices as records; service agreements and statements.

- ``establishment_offices``: the 编办 that grades a bureau's assistants (grade 4 and above).
- ``client_bureaus``: the client (城管局 ...), with city, contacts, the establishment
  office it answers to, and its own direct-contract headcount for the 10% dispatch cap
  (``client_workforce`` of 0009, merged here and dropped).
- ``bureau_units``: its brigades, squads and street offices.
- ``workers.bureau_id`` / ``workers.unit_id`` replace the plain-text
  ``workers.client_bureau`` / ``workers.unit``: every distinct text value of a
  tenant becomes one record (a unit belongs to the bureau it was written
  beside), then the text columns are dropped.  The composite key
  (tenant_id, bureau_id, unit_id) makes a worker's unit belong to the worker's bureau.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

from alembic import op

from tenants.rls import CURRENT_TENANT, tenant_policy_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_CITY_CHECK = "check (city ~ '^[a-z][a-z0-9_]{1,19}$')"
_CONTACTS = """
          contact_name varchar(50) not null default '',
          contact_phone varchar(20) not null default '',
          contact_email varchar(120) not null default '',
          address varchar(200) not null default '',
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),"""


def _bureau_tables() -> None:
    op.execute(
        f"""
        create table establishment_offices (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          name varchar(80) not null check (btrim(name) <> ''),
          city varchar(20) {_CITY_CHECK},{_CONTACTS}
          primary key (tenant_id, id),
          unique (tenant_id, name)
        )"""
    )
    op.execute(
        f"""
        create table client_bureaus (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          name varchar(80) not null check (btrim(name) <> ''),
          city varchar(20) {_CITY_CHECK},
          establishment_office_id bigint,
          direct_headcount integer check (direct_headcount >= 0),
          cap_warning boolean not null default true,{_CONTACTS}
          primary key (tenant_id, id),
          unique (tenant_id, name),
          foreign key (tenant_id, establishment_office_id) references establishment_offices (tenant_id, id)
        )"""
    )
    op.execute(
        f"""
        create table bureau_units (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          bureau_id bigint not null,
          name varchar(80) not null check (btrim(name) <> ''),
          kind varchar(20) not null default 'other'
            check (kind in ('brigade', 'squad', 'street_office', 'other')),
          city varchar(20) {_CITY_CHECK},{_CONTACTS}
          primary key (tenant_id, id),
          unique (tenant_id, bureau_id, name),
          unique (tenant_id, bureau_id, id),
          foreign key (tenant_id, bureau_id) references client_bureaus (tenant_id, id)
        )"""
    )


def _convert_workers() -> None:
    """Every distinct text value per tenant becomes a record; workers point at them.

    The migration runs as the tables' owner, whom FORCE'd row-level security
    would limit to no tenant at all: lift FORCE for the conversion, restore it after.
    """
    for table in ("workers", "client_workforce"):
        op.execute(f"alter table {table} no force row level security")
    op.execute(
        """
        insert into client_bureaus (tenant_id, name, direct_headcount, cap_warning)
        select names.tenant_id, names.name, cw.direct_headcount, coalesce(cw.cap_warning, true)
        from (select distinct tenant_id, btrim(client_bureau) as name from workers
              union
              select tenant_id, btrim(client_bureau) from client_workforce) as names
        left join client_workforce cw on cw.tenant_id = names.tenant_id and btrim(cw.client_bureau) = names.name
        where names.name <> ''
        order by names.tenant_id, names.name
        """
    )
    op.execute(
        """
        insert into bureau_units (tenant_id, bureau_id, name, kind)
        select distinct w.tenant_id, b.id, btrim(w.unit),
               case when btrim(w.unit) like '%街道%' then 'street_office'
                    when btrim(w.unit) like '%大队' then 'brigade'
                    when btrim(w.unit) like '%中队' then 'squad'
                    else 'other' end
        from workers w
        join client_bureaus b on b.tenant_id = w.tenant_id and b.name = btrim(w.client_bureau)
        where btrim(w.unit) <> ''
        """
    )
    op.execute("alter table workers add column bureau_id bigint, add column unit_id bigint")
    op.execute(
        """
        update workers w set bureau_id = b.id
        from client_bureaus b where b.tenant_id = w.tenant_id and b.name = btrim(w.client_bureau)
        """
    )
    op.execute(
        """
        update workers w set unit_id = u.id
        from bureau_units u
        where u.tenant_id = w.tenant_id and u.bureau_id = w.bureau_id and u.name = btrim(w.unit)
        """
    )
    # A worker whose bureau was blank (the old column allowed an empty string)
    # gets a placeholder bureau rather than losing the row.
    op.execute(
        """
        insert into client_bureaus (tenant_id, name)
        select distinct tenant_id, '(未填写)' from workers where bureau_id is null
        on conflict do nothing
        """
    )
    op.execute(
        """
        update workers w set bureau_id = b.id
        from client_bureaus b where w.bureau_id is null and b.tenant_id = w.tenant_id and b.name = '(未填写)'
        """
    )
    op.execute("alter table workers alter column bureau_id set not null")
    op.execute(
        "alter table workers add constraint workers_bureau foreign key (tenant_id, bureau_id)"
        " references client_bureaus (tenant_id, id)"
    )
    op.execute(
        "alter table workers add constraint workers_unit foreign key (tenant_id, bureau_id, unit_id)"
        " references bureau_units (tenant_id, bureau_id, id)"
    )
    op.execute("drop index if exists workers_filters")
    op.execute("drop index if exists workers_client_bureau")
    op.execute("alter table workers drop column client_bureau, drop column unit")
    op.execute("create index workers_filters on workers (tenant_id, status, bureau_id, grade)")
    op.execute("create index workers_bureau on workers (tenant_id, bureau_id, unit_id)")
    op.execute("drop table client_workforce")
    op.execute("alter table workers force row level security")


def _agreement_tables() -> None:
    op.execute(
        f"""
        create table service_agreements (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          bureau_id bigint not null,
          number varchar(40) not null default '',
          start_date date not null,
          end_date date not null,
          signed_on date,
          status varchar(12) not null default 'draft' check (status in ('draft', 'signed', 'terminated')),
          terminated_on date,
          renews_agreement_id bigint,
          work_place varchar(200) not null default '',
          working_hours varchar(200) not null default '',
          fee_basis varchar(20) not null default 'pass_through' check (fee_basis in ('pass_through', 'fixed')),
          management_fee numeric(12, 2) check (management_fee >= 0),
          fixed_price numeric(12, 2) check (fixed_price >= 0),
          payment_terms varchar(500) not null default '',
          payment_due_days smallint check (payment_due_days between 0 and 366),
          note varchar(500) not null default '',
          created_at timestamptz not null default now(),
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, bureau_id, id),
          check (end_date >= start_date),
          foreign key (tenant_id, bureau_id) references client_bureaus (tenant_id, id),
          foreign key (tenant_id, renews_agreement_id) references service_agreements (tenant_id, id)
        )"""
    )
    op.execute("create index service_agreements_bureau on service_agreements (tenant_id, bureau_id, start_date)")
    op.execute(
        f"""
        create table agreement_posts (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          agreement_id bigint not null,
          name varchar(40) not null check (btrim(name) <> ''),
          nature varchar(12) not null check (nature in ('temporary', 'auxiliary', 'substitute')),
          headcount integer not null check (headcount between 1 and 100000),
          work_place varchar(200) not null default '',
          fee_basis varchar(20) check (fee_basis in ('pass_through', 'fixed')),
          management_fee numeric(12, 2) check (management_fee >= 0),
          fixed_price numeric(12, 2) check (fixed_price >= 0),
          primary key (tenant_id, id),
          unique (tenant_id, agreement_id, name),
          foreign key (tenant_id, agreement_id) references service_agreements (tenant_id, id) on delete cascade
        )"""
    )
    op.execute(
        f"""
        create table agreement_clauses (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          agreement_id bigint not null,
          item varchar(30) not null,
          body varchar(4000) not null check (btrim(body) <> ''),
          primary key (tenant_id, id),
          unique (tenant_id, agreement_id, item),
          foreign key (tenant_id, agreement_id) references service_agreements (tenant_id, id) on delete cascade
        )"""
    )


def _statement_tables() -> None:
    op.execute(
        f"""
        create table bureau_statements (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          bureau_id bigint not null,
          agreement_id bigint not null,
          month date not null check (extract(day from month) = 1),
          source_run_id bigint not null,
          status varchar(12) not null default 'draft'
            check (status in ('draft', 'sent', 'confirmed', 'disputed', 'corrected')),
          corrects_statement_id bigint,
          worker_count integer not null default 0,
          wages numeric(14, 2) not null default 0,
          employer_social_insurance numeric(14, 2) not null default 0,
          employer_housing_fund numeric(14, 2) not null default 0,
          management_fee numeric(14, 2) not null default 0,
          fixed_fees numeric(14, 2) not null default 0,
          adjustment numeric(14, 2) not null default 0,
          adjustment_note varchar(500) not null default '',
          total numeric(14, 2) not null default 0,
          due_on date,
          sent_at timestamptz,
          sent_by varchar(120),
          decided_at timestamptz,
          decided_by varchar(120),
          dispute_comment varchar(2000),
          created_at timestamptz not null default now(),
          primary key (tenant_id, id),
          foreign key (tenant_id, bureau_id, agreement_id) references service_agreements (tenant_id, bureau_id, id),
          foreign key (tenant_id, source_run_id) references payroll_runs (tenant_id, id),
          foreign key (tenant_id, corrects_statement_id) references bureau_statements (tenant_id, id),
          check (status <> 'disputed' or btrim(coalesce(dispute_comment, '')) <> '')
        )"""
    )
    op.execute("create index bureau_statements_bureau on bureau_statements (tenant_id, bureau_id, month)")
    # One live statement per bureau and month: a correction replaces the one it corrects.
    op.execute(
        "create unique index bureau_statements_live on bureau_statements (tenant_id, bureau_id, month)"
        " where status <> 'corrected'"
    )
    op.execute(
        f"""
        create table bureau_statement_lines (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          statement_id bigint not null,
          position integer not null,
          worker_id bigint not null,
          worker_name varchar(50) not null,
          id_number_masked varchar(18) not null,
          post varchar(40) not null,
          fee_basis varchar(20) not null check (fee_basis in ('pass_through', 'fixed')),
          payslip_id bigint not null,
          wages numeric(12, 2) not null,
          employer_social_insurance numeric(12, 2) not null,
          employer_housing_fund numeric(12, 2) not null,
          management_fee numeric(12, 2) not null,
          fixed_price numeric(12, 2) not null,
          total numeric(12, 2) not null,
          primary key (tenant_id, statement_id, position),
          foreign key (tenant_id, statement_id) references bureau_statements (tenant_id, id) on delete cascade,
          foreign key (tenant_id, worker_id) references workers (tenant_id, id)
        )"""
    )
    # A statement's figures never change once it has left draft; a confirmed one never changes at all.
    op.execute(
        """
        create function bureau_statements_guard() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' then
            if old.status <> 'draft' then
              raise exception 'statement % is %: it cannot be deleted', old.id, old.status;
            end if;
            return old;
          end if;
          if old.status = 'confirmed' then
            raise exception 'statement % is confirmed: it never changes', old.id;
          end if;
          if old.status <> 'draft' and (new.wages, new.employer_social_insurance, new.employer_housing_fund,
              new.management_fee, new.fixed_fees, new.adjustment, new.total, new.worker_count, new.month,
              new.bureau_id, new.source_run_id)
              is distinct from (old.wages, old.employer_social_insurance, old.employer_housing_fund,
              old.management_fee, old.fixed_fees, old.adjustment, old.total, old.worker_count, old.month,
              old.bureau_id, old.source_run_id) then
            raise exception 'statement % has been sent: its figures never change (issue a correction)', old.id;
          end if;
          return new;
        end $$
        """
    )
    op.execute(
        "create trigger bureau_statements_guard before update or delete on bureau_statements"
        " for each row execute function bureau_statements_guard()"
    )
    op.execute(
        """
        create function bureau_statement_lines_guard() returns trigger language plpgsql as $$
        declare
          state varchar;
        begin
          select status into state from bureau_statements
            where tenant_id = coalesce(new.tenant_id, old.tenant_id) and id = coalesce(new.statement_id, old.statement_id);
          if state is not null and state <> 'draft' then
            raise exception 'statement % is %: its lines never change', coalesce(new.statement_id, old.statement_id), state;
          end if;
          return coalesce(new, old);
        end $$
        """
    )
    op.execute(
        "create trigger bureau_statement_lines_guard before insert or update or delete on bureau_statement_lines"
        " for each row execute function bureau_statement_lines_guard()"
    )


def upgrade() -> None:
    _bureau_tables()
    _convert_workers()
    _agreement_tables()
    _statement_tables()
    for table in (
        "establishment_offices",
        "client_bureaus",
        "bureau_units",
        "service_agreements",
        "agreement_posts",
        "agreement_clauses",
        "bureau_statements",
        "bureau_statement_lines",
    ):
        for statement in tenant_policy_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table bureau_statement_lines")
    op.execute("drop table bureau_statements")
    op.execute("drop function bureau_statement_lines_guard()")
    op.execute("drop function bureau_statements_guard()")
    op.execute("drop table agreement_clauses")
    op.execute("drop table agreement_posts")
    op.execute("drop table service_agreements")
    op.execute("alter table workers no force row level security")
    for table in ("client_bureaus", "bureau_units"):
        op.execute(f"alter table {table} no force row level security")
    op.execute(
        f"""
        create table client_workforce (
          tenant_id uuid not null default {CURRENT_TENANT} references tenants (id),
          id bigint generated always as identity,
          client_bureau varchar(80) not null,
          direct_headcount integer not null check (direct_headcount >= 0),
          cap_warning boolean not null default true,
          updated_at timestamptz not null default now(),
          primary key (tenant_id, id),
          unique (tenant_id, client_bureau)
        )"""
    )
    op.execute(
        "insert into client_workforce (tenant_id, client_bureau, direct_headcount, cap_warning)"
        " select tenant_id, name, direct_headcount, cap_warning from client_bureaus where direct_headcount is not null"
    )
    for statement in tenant_policy_sql("client_workforce"):
        op.execute(statement)
    op.execute("alter table workers add column client_bureau varchar(80), add column unit varchar(80) not null default ''")
    op.execute(
        "update workers w set client_bureau = b.name from client_bureaus b"
        " where b.tenant_id = w.tenant_id and b.id = w.bureau_id"
    )
    op.execute("update workers w set unit = u.name from bureau_units u where u.tenant_id = w.tenant_id and u.id = w.unit_id")
    op.execute("alter table workers alter column client_bureau set not null")
    op.execute("drop index workers_bureau")
    op.execute("drop index workers_filters")
    op.execute("alter table workers drop column bureau_id cascade, drop column unit_id cascade")
    op.execute("create index workers_filters on workers (tenant_id, status, client_bureau, grade)")
    op.execute("alter table workers force row level security")
    op.execute("drop table bureau_units")
    op.execute("drop table client_bureaus")
    op.execute("drop table establishment_offices")
