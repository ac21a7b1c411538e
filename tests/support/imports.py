"""Following an upload to its import's page (service/workforce/imports)."""

from __future__ import annotations

import re
from time import monotonic, sleep

from litestar.testing import TestClient

DONE_WITHIN = 30  # seconds for the job worker to finish a test's small sheet


def page_once_done(client: TestClient, response, address: str) -> str:
    """The import's page the upload was sent to (its address must match ``address``, a regular
    expression), read again as it refreshes itself until the import is over."""
    assert [r.status_code for r in response.history] == [303]
    query = response.url.query.decode()
    location = f"{response.url.path}?{query}" if query else response.url.path
    assert re.fullmatch(address, location), location
    deadline = monotonic() + DONE_WITHIN
    while True:
        page = client.get(location)
        assert page.status_code == 200
        if 'http-equiv="refresh"' not in page.text:
            return page.text
        assert monotonic() < deadline, "the import did not finish"
        sleep(0.1)
