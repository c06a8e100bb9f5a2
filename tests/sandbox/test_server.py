"""The sandbox over real loopback sockets: SandboxThread, dropped connections as httpx sees them, the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bigbooks_desktop.sandbox.server import SandboxThread, bind_loopback

from .standins import INVOICES_PATH, ORDERS_PATH, standin_sandbox

pytestmark = pytest.mark.sockets

REPO = Path(__file__).resolve().parents[2]


def test_serves_on_loopback_with_a_real_port() -> None:
    with SandboxThread(sandbox=standin_sandbox()) as served:
        assert served.base_url.startswith("http://127.0.0.1:")
        assert not served.base_url.endswith(":0")
        info = httpx.get(served.info["admin_url"], timeout=5).json()
    assert info["admin_url"] == served.info["admin_url"]
    assert info["bigcommerce_api_path"] == f"{served.base_url}/stores/sbx7k2q9/v3/"


def test_refuses_non_loopback_addresses() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        bind_loopback("0.0.0.0")  # noqa: S104 - the point is that it is refused


def test_reset_over_a_socket_is_a_read_error_and_commits_nothing() -> None:
    sandbox = standin_sandbox(faults="POST /freshbooks/*:reset=1")
    with SandboxThread(sandbox=sandbox) as served, httpx.Client(base_url=served.base_url, timeout=5) as http:
        with pytest.raises(httpx.ReadError):
            http.post(INVOICES_PATH, json={"invoice": {"amount": "1.00"}})
        listed = http.get(INVOICES_PATH).json()
    assert listed["response"]["result"]["invoices"] == []
    assert sandbox.freshbooks.invoices == []


def test_lost_response_over_a_socket_commits_and_drops() -> None:
    sandbox = standin_sandbox(faults="POST /freshbooks/*:lost=1;DELETE /freshbooks/*:lost=1")
    with SandboxThread(sandbox=sandbox) as served, httpx.Client(base_url=served.base_url, timeout=5) as http:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending complete message body"):
            http.post(INVOICES_PATH, json={"invoice": {"amount": "7.25"}})
        listed = http.get(INVOICES_PATH).json()["response"]["result"]["invoices"]
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            http.delete(INVOICES_PATH + "/1")
        after_delete = http.get(INVOICES_PATH).json()["response"]["result"]["invoices"]
    assert [i["amount"] for i in listed] == ["7.25"]
    assert after_delete == []


def test_status_and_burst_faults_over_a_socket() -> None:
    sandbox = standin_sandbox(faults="GET /stores/*:429burst=1x2")
    with SandboxThread(sandbox=sandbox) as served, httpx.Client(base_url=served.base_url, timeout=5) as http:
        first = http.get(ORDERS_PATH)
        sandbox_state = http.get("/_sandbox/requests").json()
    assert first.status_code == 429
    assert first.headers["X-Rate-Limit-Time-Reset-Ms"] == "1000"
    assert sandbox_state["requests"] == {"GET /stores/{hash}/v2/orders": 1}
    assert sandbox_state["faults"] == {"429": 1}


def _start_cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bigbooks_desktop", "sandbox", *args], cwd=REPO, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_sandbox_command_prints_one_json_line_and_stops_cleanly(stop: signal.Signals) -> None:
    process = _start_cli("--port", "0", "--orders", "5", "--seed", "1")
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.communicate(timeout=10)[1]
        info = json.loads(line)
        admin = httpx.get(info["admin_url"], timeout=10).json()
        state = httpx.get(info["admin_url"] + "/state", timeout=10).json()
        process.send_signal(stop)
        rest, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Exception" not in err
    assert rest == ""                                   # exactly one line on stdout
    assert admin["bigcommerce_store_hash"] == info["bigcommerce_store_hash"]
    assert info["base_url"].startswith("http://127.0.0.1:")
    assert len(state["bigcommerce"]["orders"]) == 5
    assert set(state) >= {"bigcommerce", "freshbooks", "requests"}


def test_sandbox_command_rejects_a_bad_fault_spec() -> None:
    process = _start_cli("--faults", "*:404=1")
    _, err = process.communicate(timeout=30)
    assert process.returncode == 2
    assert "unknown effect '404'" in err
