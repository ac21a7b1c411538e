"""Platform operators for the tests: made through the real action, signed in through /ops/login."""

from __future__ import annotations

import itertools

from litestar.testing import TestClient

from service.platform.operators import create_operator
from tenants.isolation import control_session
from tests.support.factories import PASSWORD
from tests.support.web import csrf_from

_sequence = itertools.count(1)


def make_operator(email: str | None = None, name: str = "平台运营") -> str:
    email = email or f"ops{next(_sequence)}@paiqian.test"
    with control_session() as control:
        create_operator(control, email=email, name=name, password=PASSWORD)
    return email


def operator_sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/ops/login")
    response = client.post(
        "/ops/login", data={"_csrf": csrf_from(page.text), "email": email, "password": password}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
