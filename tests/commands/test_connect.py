"""`bigbooks connect` / `status` / `disconnect` end to end against a sandbox served on 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import keyring
import keyring.backends.fail
import pytest

from bigbooks_desktop import accounts
from bigbooks_desktop.cli import main
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.server import SandboxThread

pytestmark = pytest.mark.sockets


@pytest.fixture(scope="module")
def served() -> Iterator[SandboxThread]:
    with SandboxThread(SandboxConfig(orders=2)) as thread:
        yield thread


@pytest.fixture(autouse=True)
def fresh_process() -> None:
    accounts.forget_shared_auth()


def _leaks(served: SandboxThread, text: str) -> list[str]:
    oauth = served.sandbox.freshbooks.oauth
    secrets = [
        served.info["bigcommerce_token"],
        served.info["freshbooks_client_secret"],
        *oauth.access_tokens,
        *oauth.refresh_tokens,
    ]
    return [s for s in secrets if s in text]


def test_connect_sandbox_then_status_then_disconnect(
    served: SandboxThread, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["connect", "sandbox", served.info["admin_url"]]) == 0
    out = capsys.readouterr()
    assert (
        "BigCommerce: connected to" in out.out
        and "FreshBooks: signed in as owner@sandbox-trading.example" in out.out
    )
    assert _leaks(served, out.out + out.err) == []

    assert main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["bigcommerce"]["account_id"] == served.info["bigcommerce_store_hash"]
    assert status["freshbooks"]["account_id"] == "SbxT9k" and status["freshbooks"]["token_expires_at"]
    assert status["keychain_available"] is True
    assert _leaks(served, json.dumps(status)) == []

    assert main(["status"]) == 0
    human = capsys.readouterr().out
    assert "FreshBooks:  Sandbox Trading Co. (account SbxT9k)" in human and _leaks(served, human) == []

    assert main(["disconnect", "all"]) == 0
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert not status["bigcommerce"]["connected"] and not status["freshbooks"]["connected"]


def test_connect_sandbox_with_account_id(served: SandboxThread, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["connect", "sandbox", served.info["admin_url"], "--account-id", "SbxB2m", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["freshbooks"]["account_name"] == "Maple Side Projects Ltd."


def test_bigcommerce_api_account_token_from_stdin_or_env(
    served: SandboxThread, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    api_path = served.info["bigcommerce_api_path"]
    monkeypatch.setattr("sys.stdin", io.StringIO(served.info["bigcommerce_token"] + "\n"))
    assert main(["connect", "bigcommerce", "--api-path", api_path]) == 0
    assert "BigCommerce: connected to" in capsys.readouterr().out
    monkeypatch.setenv("BIGBOOKS_BC_TOKEN", "not-the-right-token")
    assert main(["connect", "bigcommerce", "--api-path", api_path]) == 2
    err = capsys.readouterr().err
    assert "not accept" in err and "not-the-right-token" not in err


def test_no_keychain_exit_code_and_opt_in_warning(
    served: SandboxThread, capsys: pytest.CaptureFixture[str]
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    assert main(["connect", "sandbox", served.info["admin_url"]]) == 2
    assert "--insecure-file-store" in capsys.readouterr().err
    assert main(["connect", "sandbox", served.info["admin_url"], "--insecure-file-store"]) == 0
    out = capsys.readouterr()
    assert "WARNING" in out.err and "secrets.json" in out.err
    assert main(["status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["insecure_file_store"] is True


def test_freshbooks_without_app_credentials_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("BIGBOOKS_FRESHBOOKS_CLIENT_ID", raising=False)
    monkeypatch.delenv("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", raising=False)
    assert main(["connect", "freshbooks", "--no-browser"]) == 2
    assert "BIGBOOKS_FRESHBOOKS_CLIENT_ID" in capsys.readouterr().err


def test_connect_freshbooks_through_the_browser_and_loopback(
    served: SandboxThread, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio
    import threading

    import httpx

    from bigbooks_desktop.connectors.freshbooks.oauth import submit_consent_form

    info = served.info
    monkeypatch.setenv("BIGBOOKS_FRESHBOOKS_CLIENT_ID", info["freshbooks_client_id"])
    monkeypatch.setenv("BIGBOOKS_FRESHBOOKS_CLIENT_SECRET", info["freshbooks_client_secret"])
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # nothing pasted: the loopback must answer
    opened: list[str] = []

    def user_in_browser(url: str) -> None:
        async def approve() -> None:
            async with httpx.AsyncClient() as browser:
                location = await submit_consent_form(browser, url)
                await browser.get(location)  # the browser lands on the loopback receiver

        opened.append(url)
        threading.Thread(target=lambda: asyncio.run(approve()), daemon=True).start()

    monkeypatch.setattr("webbrowser.open", user_in_browser)
    code = main(
        [
            "connect",
            "freshbooks",
            "--auth-url",
            info["freshbooks_auth_url"],
            "--api-url",
            info["freshbooks_api_url"],
            "--account-id",
            "SbxT9k",
            "--wait",
            "10",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert opened and opened[0] in out.err  # the URL is printed too, for a browser on another screen
    assert "signed in as owner@sandbox-trading.example to Sandbox Trading Co." in out.out
    assert _leaks(served, out.out + out.err) == []


def test_status_shows_the_tax_rounding_freshbooks_uses(
    served: SandboxThread, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sync against an account that rounds tax once per invoice learns it; `status` says so."""
    import httpx

    assert main(["connect", "sandbox", served.info["admin_url"]]) == 0
    capsys.readouterr()
    assert main(["status", "--json"]) == 0
    before = json.loads(capsys.readouterr().out)["freshbooks_tax_rounding"]
    assert before == {"rule": "line-half-up", "learned": False}
    httpx.put(f"{served.info['admin_url']}/freshbooks/tax-rounding", json={"rule": "invoice-half-even"})
    try:
        served.sandbox.set_faults("")
        for _ in range(3):                       # orders with several taxed lines tell the rules apart
            httpx.post(f"{served.info['admin_url']}/orders", json={"status_id": 11})
        assert main(["sync", "--once", "--since", "2000-01-01"]) == 0
        capsys.readouterr()
        assert main(["status", "--json"]) == 0
        learned = json.loads(capsys.readouterr().out)["freshbooks_tax_rounding"]
        assert learned["learned"] is True and learned["rule"].startswith("invoice")
        assert main(["status"]) == 0
        assert "tax rounding: invoice half" in capsys.readouterr().out
    finally:
        httpx.put(f"{served.info['admin_url']}/freshbooks/tax-rounding", json={"rule": "line-half-up"})
