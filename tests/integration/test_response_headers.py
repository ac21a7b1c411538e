"""The headers every response carries: the security headers on every answer (also a path no route matches),
HSTS when the public address is https, and no caching of payslips and downloaded files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from litestar.testing import TestClient

from service.accounts.models import StaffRole
from service.app import create_app
from tests.support.factories import make_staff, make_worker
from tests.support.portal import BUREAU, band_table, make_assistant, payslip_of, run_month
from tests.support.web import sign_in

SECURITY = ("x-content-type-options", "x-frame-options", "content-security-policy", "referrer-policy")
HSTS = "max-age=31536000; includeSubDomains"


def test_a_path_no_route_matches_carries_the_security_headers(client) -> None:
    for path in ("/no-such-path", "/t/no-such-tenant/workers/", "/static/no-such-file.css"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert {h: response.headers.get(h) is not None for h in SECURITY} == dict.fromkeys(SECURITY, True), path
        assert response.headers["x-frame-options"] == "DENY"
        assert "strict-transport-security" not in response.headers  # served over plain http


def test_hsts_is_sent_when_the_public_address_is_https(settings, database) -> None:
    with TestClient(create_app(replace(settings, public_https=True)), base_url="https://127.0.0.1") as https:
        for path in ("/healthz", "/no-such-path"):
            response = https.get(path)
            assert response.headers.get("strict-transport-security") == HSTS, path
            assert response.headers["x-content-type-options"] == "nosniff"


def test_payslips_pdfs_and_exports_are_not_stored(settings, tenant, client) -> None:
    band_table(tenant)
    worker = make_worker(settings, tenant, city="chengdu", grade=3, client_bureau=BUREAU)
    march = run_month(tenant, date(2026, 3, 1))
    slip = payslip_of(tenant, march, worker)

    make_assistant(client, tenant, worker)
    for path in (f"/my/payslips/{slip.id}", f"/my/payslips/{slip.id}/pdf"):
        response = client.get(f"/t/{tenant.slug}{path}")
        assert response.status_code == 200, path
        assert response.headers.get("cache-control") == "private, no-store", path

    client.cookies.clear()
    sign_in(client, tenant.slug, make_staff(tenant, StaffRole.PAYROLL_CLERK))
    for path in (f"/payroll/{march.id}/payslips/{slip.id}", f"/payroll/{march.id}/register.xlsx", "/workers/export"):
        response = client.get(f"/t/{tenant.slug}{path}")
        assert response.status_code == 200, path
        assert response.headers.get("cache-control") == "private, no-store", path
