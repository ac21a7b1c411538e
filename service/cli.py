"""The ``paiqian`` command: what the Makefile, cron and operators run."""

from __future__ import annotations

import os
import sys

import click

from service import clock
from service.errors import DomainError
from service.settings import get_settings


@click.group()
def main() -> None:
    """派遣云 Paiqian."""
    from service.compliance import reactions  # late, like every import here: ``paiqian --help`` stays fast
    from service.payroll.runs import reactions as payroll_reactions

    reactions.install()  # compliance recomputes from what the writers say happened (service.events)
    payroll_reactions.install()  # payroll refuses a last day inside a month it has published


@main.command()
def migrate() -> None:
    """Apply database migrations (creating the roles on first run)."""
    from service.database.engines import owner_engine
    from service.database.migrate import head_revision, upgrade

    settings = get_settings()
    upgrade(owner_engine(settings), settings)
    click.echo(f"database at revision {head_revision(settings)}")


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, which container CPU sets narrow; a CPU quota does not)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@main.command()
@click.option("--host", default=None, help="Address to bind (default 127.0.0.1).")
@click.option("--port", default=None, type=int, help="Port (default 8000).")
@click.option(
    "--workers",
    default=None,
    type=click.IntRange(min=1),
    help="Server processes (default: one per core this process may use).",
)
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the web application."""
    import uvicorn

    from service.database.engines import owner_url

    settings = get_settings()
    host, port, workers = host or settings.host, port or settings.port, workers or _cores()
    # The embedded database (development) is found or started here, once, before the worker processes start:
    # each of them then only connects, opening its engines as it starts (service.app).
    owner_url(settings)
    click.echo(f"Paiqian is serving on http://{host}:{port}/ with {workers} process(es)  (Ctrl-C to stop)")
    # One Python process serves one core: the worker processes (uvicorn's supervisor starts them and restarts
    # one that dies) each build the app from the same environment.  Client addresses feed sign-in
    # throttling: trust X-Forwarded-For only from the proxies named in PAIQIAN_TRUSTED_PROXIES, never from anyone.
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=settings.trusted_proxies or None,
    )


@main.command()
@click.option("--concurrency", default=2, show_default=True, help="Jobs run at the same time.")
@click.option(
    "--stalled-after",
    default=30.0,
    show_default=True,
    help="Seconds without a heartbeat after which a worker counts as dead and its jobs are retried.",
)
@click.option(
    "--queue", "queues", multiple=True, help="Only this queue (repeatable): default, scheduled. Default: every queue."
)
def worker(concurrency: int, stalled_after: float, queues: tuple[str, ...]) -> None:
    """Run the queued jobs: payroll calculations, the nightly compliance check, billing sync."""
    import logging

    from service.jobs.worker import run

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo("Paiqian worker is running  (Ctrl-C to stop)")
    run(get_settings(), concurrency=concurrency, stalled_after=stalled_after, queues=list(queues) or None)


@main.group()
def tenant() -> None:
    """Manage tenants."""


@tenant.command("create")
@click.option("--slug", required=True, help="Company code used in URLs: /t/<slug>/")
@click.option("--name", required=True, help="Company name")
@click.option("--admin-email", required=True)
@click.option("--admin-password", default=None, help="Initial password (generated if omitted)")
def tenant_create(slug: str, name: str, admin_email: str, admin_password: str | None) -> None:
    """Create a tenant and its first administrator."""
    from service.i18n import translator
    from service.platform.provisioning import create_tenant

    try:
        result = create_tenant(slug=slug, name=name, admin_email=admin_email, admin_password=admin_password)
    except DomainError as error:
        click.echo(translator("zh_CN").error(error), err=True)
        sys.exit(2)
    settings = get_settings()
    click.echo(f"tenant {result.tenant.slug} created: http://{settings.host}:{settings.port}/t/{result.tenant.slug}/login")
    click.echo(f"administrator: {result.admin_email}  password: {result.admin_password}")


@main.command()
@click.option("--if-empty", is_flag=True, help="Only when the database has no tenant yet.")
@click.option("--workers", default=500, show_default=True)
def demo(if_empty: bool, workers: int) -> None:
    """Create the demo tenant with realistic data."""
    from service.demo import ensure_demo

    settings = get_settings()
    result = ensure_demo(settings, workers, only_if_empty=if_empty)
    click.echo(("demo tenant created" if result.created else "demo data already present") + ". Sign in at:")
    click.echo(f"  http://{settings.host}:{settings.port}/t/{result.slug}/login")
    click.echo(f"  company code: {result.slug}   user: {result.email}   password: {result.password}")
    if result.assistant_phone:
        click.echo("An assistant's payslips (phone number and the same password):")
        click.echo(f"  http://{settings.host}:{settings.port}/t/{result.slug}/my/login   phone: {result.assistant_phone}")
    click.echo(f"New companies sign up at http://{settings.host}:{settings.port}/signup")


@main.group()
def bench() -> None:
    """Benchmarks that print their figures (not tests)."""


@bench.command("roster")
@click.option("--workers", default=50_000, show_default=True)
def bench_roster(workers: int) -> None:
    """Roster list, search and filter timings at a given size."""
    from service.bench.roster import run

    run(get_settings(), workers, click.echo)


@main.group()
def i18n() -> None:
    """Translation catalogues (web/i18n)."""


@i18n.command("update")
def i18n_update() -> None:
    """Extract msgids into messages.pot and merge them into every locale's messages.po."""
    from service.i18n_catalogue import update_catalogues

    for locale, count in update_catalogues().items():
        click.echo(f"{locale}: {count} msgids")


@i18n.command("check")
def i18n_check() -> None:
    """Exit 1, listing them, when a msgid has no zh_CN translation."""
    from service.i18n_catalogue import missing_translations

    missing = missing_translations("zh_CN")
    for msgid in missing:
        click.echo(msgid, err=True)
    if missing:
        click.echo(f"{len(missing)} msgid(s) without a zh_CN translation", err=True)
        sys.exit(1)
    click.echo("zh_CN: every msgid is translated")


@main.group()
def compliance() -> None:
    """Compliance alerts (labour-law checks)."""


@compliance.command("check")
@click.option("--tenant", "slug", default=None, help="Only this tenant (company code); default: every tenant.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Check as of this day (YYYY-MM-DD).")
def compliance_check(slug: str | None, today) -> None:
    """Recompute every alert (run daily from cron: alerts move with the date)."""

    from service.compliance.check import run_check

    code = run_check(slug, today.date() if today else clock.today(), click.echo)
    if code:
        sys.exit(code)


@bench.command("compliance")
@click.option("--workers", default=50_000, show_default=True)
def bench_compliance(workers: int) -> None:
    """Compliance recompute and page timings at a given size."""
    from service.bench.compliance import run

    run(get_settings(), workers, click.echo)


@bench.command("payroll")
@click.option("--workers", default=10_000, show_default=True)
def bench_payroll(workers: int) -> None:
    """A month's payroll run for n workers, timed phase by phase."""
    from service.bench.payroll import run

    run(get_settings(), workers, click.echo)


@main.group()
def operator() -> None:
    """Platform operators (the console at /ops/)."""


@operator.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", default=None, help="Initial password (generated if omitted)")
def operator_create(email: str, name: str, password: str | None) -> None:
    """Create a platform operator (the first one, or another)."""
    from service.i18n import translator
    from service.platform.operators import create_operator
    from service.platform.provisioning import generate_password
    from tenants.isolation import control_session

    password = password or generate_password()
    try:
        with control_session() as control:
            create_operator(control, email=email, name=name, password=password)
    except DomainError as error:
        click.echo(translator("zh_CN").error(error), err=True)
        sys.exit(2)
    settings = get_settings()
    click.echo(f"operator {email} created: http://{settings.host}:{settings.port}/ops/login")
    click.echo(f"password: {password}")


@main.group()
def billing() -> None:
    """Plans, Stripe subscriptions and the retention of cancelled tenants."""


@billing.command("sync")
@click.option("--reconcile", is_flag=True, help="Re-read every subscription from Stripe and resend every count (daily).")
def billing_sync(reconcile: bool) -> None:
    """Send pending worker counts to Stripe and create missing customers/subscriptions."""
    from service.billing.subscriptions import process_due
    from service.billing.subscriptions import reconcile as reconcile_all

    settings = get_settings()
    if reconcile:
        sys.exit(1 if reconcile_all(settings, click.echo) else 0)
    click.echo(f"{process_due(settings, echo=click.echo)} tenant(s) synced")


@billing.command("setup-plans")
def billing_setup_plans() -> None:
    """Create the Stripe price of every plan that has none."""
    from service.billing.subscriptions import setup_plans

    setup_plans(get_settings(), click.echo)


@billing.command("purge")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="As of this day (YYYY-MM-DD).")
def billing_purge(today) -> None:
    """Export and delete cancelled tenants whose retention period is over (runs as the migration owner)."""
    from service.billing.retention import due_for_deletion, export_and_delete
    from service.database.engines import owner_engine

    settings = get_settings()
    engine = owner_engine(settings)
    for tenant_id in due_for_deletion(engine, today.date() if today else clock.today()):
        export_and_delete(settings, engine, tenant_id, click.echo)


if __name__ == "__main__":
    main()
