"""Shared fixtures.  Unit tests need none of them; integration and browser
tests get a real PostgreSQL database, migrated from empty once per run."""

pytest_plugins = ["tests.support.database", "tests.support.jobs", "tests.support.web"]
