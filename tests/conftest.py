"""Shared fixtures.  Unit tests need none of them; integration and browser
tests get a real PostgreSQL database, migrated from empty once per run."""

import os

from service.compliance import reactions
from service.payroll.runs import reactions as payroll_reactions

# argon2id at its cheapest: every test signs someone in, and the standard cost (~0.2 s a hash) would be most
# of the suite's time.  Set before any settings are read; servers the tests start inherit it.
os.environ.setdefault("PAIQIAN_PASSWORD_HASHING", "test")

pytest_plugins = ["tests.support.database", "tests.support.jobs", "tests.support.web"]

# What service.app and service.cli do: compliance and payroll react to the events writers record (service.events).
reactions.install()
payroll_reactions.install()
