"""The app under test and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from service.accounts.models import StaffRole
from service.app import create_app
from service.settings import Settings
from tests.support.factories import PASSWORD, TenantFixture, make_staff, make_tenant
from tests.support.jobs import InProcessWorker

CSRF_FIELD = re.compile(r'name="_csrf" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture()
def client(app: Litestar, database: None, job_worker: InProcessWorker) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture()
def tenant(database: None, settings: Settings) -> TenantFixture:
    return make_tenant()


@pytest.fixture()
def other_tenant(database: None, settings: Settings) -> TenantFixture:
    return make_tenant("另一家派遣公司")


def sign_in(client: TestClient, slug: str, email: str, password: str = PASSWORD) -> None:
    page = client.get(f"/t/{slug}/login")
    response = client.post(
        f"/t/{slug}/login",
        data={"_csrf": csrf_from(page.text), "email": email, "password": password, "next": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


@pytest.fixture()
def signed_in(app: Litestar, client: TestClient) -> Callable[[TenantFixture, StaffRole], TestClient]:
    """Sign the client in as a new user of the given role in the tenant."""

    def sign(tenant: TenantFixture, role: StaffRole) -> TestClient:
        email = tenant.admin_email if role is StaffRole.ADMIN else make_staff(tenant, role)
        sign_in(client, tenant.slug, email)
        return client

    return sign


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token of a page the client can see."""
    return csrf_from(client.get(path).text)
