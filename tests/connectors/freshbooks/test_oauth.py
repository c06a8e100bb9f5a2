"""FreshBooks sign-in: state checks, single use, expiry, pasted answers, code exchange on the sandbox."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.connectors.freshbooks.client import FreshBooksClient
from bigbooks_desktop.connectors.freshbooks.tokens import StaticBearerAuth
from bigbooks_desktop.core.errors import AuthError, AuthRevokedError, ConfigurationError
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

BASE = "http://sandbox.test"
REDIRECT = "http://127.0.0.1:53682/callback"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(SandboxConfig(orders=1))


@pytest.fixture
def app(sandbox: Sandbox) -> oauth.FreshBooksApp:
    info = sandbox.info(BASE)
    return oauth.FreshBooksApp(
        client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"],
        auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"],
    )


def test_authorize_url_carries_state_scopes_and_redirect(app: oauth.FreshBooksApp) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    url = urlsplit(pending.authorize_url)
    query = parse_qs(url.query)
    assert url.path == "/freshbooks/auth/oauth/authorize"
    assert query["state"] == [pending.state] and len(pending.state) >= 32
    assert query["redirect_uri"] == [REDIRECT] and query["response_type"] == ["code"]
    assert "user:invoices:write" in query["scope"][0].split()
    assert oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT).state != pending.state


def test_state_mismatch_refused(app: oauth.FreshBooksApp) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    with pytest.raises(AuthError, match="state mismatch") as caught:
        pending.code_from_redirect(f"{REDIRECT}?code=abc123&state=forged")
    assert caught.value.service == "FreshBooks"
    with pytest.raises(AuthError, match="state mismatch"):
        pending.code_from_redirect({"code": "abc123"})
    assert pending.code_from_redirect({"code": "abc123", "state": pending.state}) == "abc123"


def test_single_use_and_time_limited(app: oauth.FreshBooksApp) -> None:
    clock = FakeClock()
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT, clock=clock, ttl=600)
    answer = f"{REDIRECT}?code=abc123&state={pending.state}"
    assert pending.code_from_redirect(answer) == "abc123"
    with pytest.raises(AuthError, match="already used"):
        pending.code_from_redirect(answer)
    late = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT, clock=clock, ttl=600)
    clock.now += 601
    with pytest.raises(AuthError, match="expired"):
        late.code_from_redirect(f"{REDIRECT}?code=abc123&state={late.state}")


def test_pasted_url_from_the_https_variant_and_bare_code(app: oauth.FreshBooksApp) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri="https://localhost:8443/callback")
    pasted = f"  https://localhost:8443/callback?code=pasted-code&state={pending.state}\n"
    assert pending.code_from_redirect(pasted) == "pasted-code"
    bare = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    assert bare.code_from_redirect("just-the-code-123") == "just-the-code-123"


def test_denied_consent_is_an_auth_error(app: oauth.FreshBooksApp) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    with pytest.raises(AuthError, match="access_denied"):
        pending.code_from_redirect({"error": "access_denied", "state": pending.state})


async def _consented_code(http: httpx.AsyncClient, pending: oauth.PendingAuthorization) -> str:
    location = await oauth.submit_consent_form(http, pending.authorize_url)
    assert location.startswith(REDIRECT + "?")
    return pending.code_from_redirect(location)


@pytest.mark.asyncio
async def test_code_exchange_identity_and_replayed_code_refused(
    sandbox: Sandbox, app: oauth.FreshBooksApp
) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        code = await _consented_code(http, pending)
        tokens = await oauth.exchange_code(http, app, code=code, redirect_uri=REDIRECT)
        assert tokens.access_token and tokens.refresh_token and tokens.access_token not in repr(tokens)
        async with FreshBooksClient(
            api_url=app.api_url,
            account_id="",
            auth=StaticBearerAuth(tokens.access_token),
            transport=sandbox.transport(),
        ) as client:
            identity = await client.get_identity()
        assert identity.email == "owner@sandbox-trading.example"
        assert [b.account_id for b in identity.businesses] == ["SbxT9k", "SbxB2m"]
        with pytest.raises(AuthError, match="refused the sign-in code") as replay:
            await oauth.exchange_code(http, app, code=code, redirect_uri=REDIRECT)
        assert code not in str(replay.value)


@pytest.mark.asyncio
async def test_expired_code_refused_by_the_sandbox() -> None:
    clock = FakeClock()
    sandbox = Sandbox(SandboxConfig(orders=1, clock=clock))
    info = sandbox.info(BASE)
    app = oauth.FreshBooksApp(
        client_id=info["freshbooks_client_id"],
        client_secret=info["freshbooks_client_secret"],
        auth_url=info["freshbooks_auth_url"],
        api_url=info["freshbooks_api_url"],
    )
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        code = await _consented_code(http, pending)
        clock.now += 301  # codes live five minutes
        with pytest.raises(AuthError):
            await oauth.exchange_code(http, app, code=code, redirect_uri=REDIRECT)


@pytest.mark.asyncio
async def test_refresh_rotates_and_a_spent_refresh_token_is_revoked(
    sandbox: Sandbox, app: oauth.FreshBooksApp
) -> None:
    pending = oauth.PendingAuthorization(app=app, redirect_uri=REDIRECT)
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        first = await oauth.exchange_code(
            http, app, code=await _consented_code(http, pending), redirect_uri=REDIRECT
        )
        second = await oauth.refresh_tokens(
            http, app, refresh_token=first.refresh_token, redirect_uri=REDIRECT
        )
        assert second.refresh_token != first.refresh_token
        with pytest.raises(AuthRevokedError, match="Sign in to FreshBooks again") as spent:
            await oauth.refresh_tokens(http, app, refresh_token=first.refresh_token, redirect_uri=REDIRECT)
        assert first.refresh_token not in str(spent.value)


@pytest.mark.asyncio
async def test_wrong_client_secret_is_a_configuration_error(
    sandbox: Sandbox, app: oauth.FreshBooksApp
) -> None:
    wrong = oauth.FreshBooksApp(
        client_id=app.client_id, client_secret="not-the-secret", auth_url=app.auth_url, api_url=app.api_url
    )
    async with httpx.AsyncClient(transport=sandbox.transport()) as http:
        with pytest.raises(ConfigurationError) as caught:
            await oauth.exchange_code(http, wrong, code="whatever", redirect_uri=REDIRECT)
    assert "not-the-secret" not in str(caught.value) and "not-the-secret" not in repr(wrong)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name",
    ["java/auth_token_response.json", "python/auth_token_response.json", "node/APIClient__01_POST_200.json"],
)
async def test_reference_token_answers_parse(app: oauth.FreshBooksApp, name: str) -> None:
    from datetime import UTC, datetime, timedelta

    from fb_wire import fixture

    wire = fixture(name)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=wire))
    async with httpx.AsyncClient(transport=transport) as http:
        first = await oauth.exchange_code(http, app, code="c0de", redirect_uri=REDIRECT)
        again = await oauth.refresh_tokens(http, app, refresh_token="r", redirect_uri=REDIRECT)
    assert first == again
    assert (first.access_token, first.refresh_token, first.scope) == (
        wire["access_token"], wire["refresh_token"], wire["scope"])
    expected = datetime.fromtimestamp(wire["created_at"], UTC) + timedelta(seconds=wire["expires_in"])
    assert first.expires_at == expected
