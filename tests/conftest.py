"""Shared fixtures.  Unit tests need none of them; integration and browser
tests get a real PostgreSQL database, migrated from empty once per run."""

from service.compliance import reactions

pytest_plugins = ["tests.support.database", "tests.support.web"]

# What service.app and service.cli do: compliance reacts to the events writers record (service.events).
reactions.install()
