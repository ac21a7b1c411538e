"""Probes, the OpenAPI document, and the `paiqian` command."""

from __future__ import annotations

from click.testing import CliRunner

from service.cli import main
from service.settings import load_settings


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_the_openapi_document_lists_the_json_endpoints(client) -> None:
    document = client.get("/schema/openapi.json").json()
    paths = set(document["paths"])
    assert "/t/{slug}/api/workers" in paths and "/t/{slug}/api/workers/{worker_id}" in paths
    assert not any(path.endswith("/login") for path in paths)  # HTML pages stay out of the API document


def test_tenant_create_prints_a_sign_in_and_refuses_a_taken_code(db_clean, settings) -> None:
    runner = CliRunner()
    args = ["tenant", "create", "--slug", "jinjiang-hr", "--name", "锦江人力", "--admin-email", "boss@jj.cn"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "/t/jinjiang-hr/login" in first.output and "boss@jj.cn" in first.output
    again = runner.invoke(main, args)
    assert again.exit_code == 2
    bad = runner.invoke(main, ["tenant", "create", "--slug", "A!", "--name", "x", "--admin-email", "a@b.c"])
    assert bad.exit_code == 2


def test_cookies_are_secure_when_served_over_https(settings) -> None:
    from litestar import Response

    from service.web.cookies import cookie_header, set_cookie

    https = load_settings({"PAIQIAN_HTTPS": "1", "PAIQIAN_DATA_DIR": str(settings.data_dir)})
    assert b"Secure" in cookie_header(https, "pq_pre", "x")
    assert b"Secure" not in cookie_header(settings, "pq_pre", "x")
    response = set_cookie(Response(content=""), https, "pq_session", "token", 60)
    assert response.cookies[0].secure and response.cookies[0].httponly
