"""A Stripe test server for the suite: localstripe, on loopback, fresh per run.

localstripe's own command has only ``--port`` and binds every interface
(``::``), and it pickles its state to /tmp/localstripe.pickle.  So it is
started here through a small launcher that runs its aiohttp app bound to
127.0.0.1 only and never loads or writes the pickle: the state lives in that
process's memory and is gone when the run ends.  The Stripe SDK is pointed at
it through the settings (STRIPE_API_BASE), as production points it at Stripe.

Webhook events are signed here with the test secret exactly as Stripe signs
them: ``t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<raw body>")``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from service.settings import Settings

WEBHOOK_SECRET = "whsec_test_paiqian_0123456789abcdef"

LAUNCHER = """
import sys
from aiohttp import web
from localstripe import resources, server
resources.Store.dump_to_disk = lambda self: None      # state in memory only
web.run_app(server.app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None)
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/v1/customers", timeout=1)  # 401 without a key: it answers
        except urllib.error.HTTPError:
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("localstripe did not start: " + process.stderr.read().decode(errors="replace")) from None
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture()
def stripe_settings(settings: Settings, localstripe_url: str, app, monkeypatch) -> Iterator[Settings]:
    """The settings with Stripe pointed at localstripe; the app under test uses them too."""
    configured = dataclasses.replace(
        settings,
        stripe_secret_key="sk_test_paiqian",
        stripe_webhook_secret=WEBHOOK_SECRET,
        stripe_api_base=localstripe_url,
        billing_sync_delay_seconds=0,
    )
    monkeypatch.setattr(app.state, "settings", configured)
    yield configured


def flush(localstripe_url: str) -> None:
    request = urllib.request.Request(localstripe_url + "/_config/data", method="DELETE")
    urllib.request.urlopen(request, timeout=5)


def sign(payload: bytes, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def event(event_id: str, kind: str, obj: dict[str, Any], created: int | None = None) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "type": kind,
            "api_version": "2026-10-28.endive",
            "created": created or int(time.time()),
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "data": {"object": obj},
        }
    ).encode()
