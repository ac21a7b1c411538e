"""The procrastinate App, and deferring a job in the caller's transaction.

The App's connector is opened only by the worker (``worker.run``), with the
app role's URL.  Deferring never needs it: ``defer_in`` inserts the job on the
caller's own connection, inside its transaction, so a request that rolls back
leaves no job behind, and a job never runs before what it works on is committed.
"""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector, SyncPsycopgConnector
from procrastinate.jobs import JobDeferrer
from procrastinate.manager import JobManager
from procrastinate.tasks import Task
from sqlalchemy.engine import make_url
from sqlmodel import Session

from service.database.engines import app_url, owner_url
from service.settings import Settings

app = App(
    connector=PsycopgConnector(),
    import_paths=[
        "service.payroll.runs.jobs",
        "service.payroll.runs.amounts.jobs",
        "service.payroll.opening_balances.jobs",
        "service.assessment.jobs",
        "service.workforce.roster.jobs",
        "service.workforce.contracts.jobs",
        "service.workforce.attendance.jobs",
        "service.workforce.bank_accounts.jobs",
        "service.jobs.periodic",
    ],
)

# A connector without a pool: every call it makes is given the caller's connection.
_in_transaction = JobManager(SyncPsycopgConnector())


def conninfo(settings: Settings) -> str:
    """The app role's libpq URL (the worker runs as the app role, like the web server)."""
    url = make_url(app_url(settings, owner_url(settings)))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def defer_in(db: Session, task: Task, *, lock: str | None = None, **arguments: Any) -> int:
    """Queue ``task(**arguments)`` in ``db``'s transaction; the job's id.  ``lock``: no two jobs
    with the same lock run at the same time."""
    connection = db.connection().connection.driver_connection
    job = task.configure(lock=lock).job
    return JobDeferrer(_in_transaction, job, connection=connection).defer(**arguments)
