"""RefreshingBearerAuth: one refresh for many concurrent requests, save-before-use, and crash recovery."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import pytest_asyncio

from bigbooks_desktop.connectors.credentials import CredentialVault
from bigbooks_desktop.connectors.freshbooks import oauth
from bigbooks_desktop.connectors.freshbooks.tokens import (
    RefreshingBearerAuth,
    VaultTokenStore,
    entry_with_tokens,
    tokens_from_entry,
)
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import AuthRevokedError
from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig

pytestmark = pytest.mark.asyncio

BASE = "http://sandbox.test"
REDIRECT = "http://127.0.0.1:53682/callback"
TOKEN_ROUTE = "POST /freshbooks/api/auth/oauth/token"
ME = f"{BASE}/freshbooks/api/auth/api/v1/users/me"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def aware(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC)


class Crash(BaseException):
    """The process dies here (not an Exception: nothing may catch it)."""


class World:
    """A sandbox, a signed-in vault entry, and a way to build the auth as a fresh process would."""

    def __init__(self) -> None:
        self.clock = FakeClock()
        self.sandbox = Sandbox(SandboxConfig(orders=1, clock=self.clock))
        info = self.sandbox.info(BASE)
        self.app = oauth.FreshBooksApp(
            client_id=info["freshbooks_client_id"],
            client_secret=info["freshbooks_client_secret"],
            auth_url=info["freshbooks_auth_url"],
            api_url=info["freshbooks_api_url"],
        )
        self.vault = CredentialVault()

    async def sign_in(self) -> fb.TokenSet:
        pending = oauth.PendingAuthorization(app=self.app, redirect_uri=REDIRECT)
        async with httpx.AsyncClient(transport=self.sandbox.transport()) as http:
            location = await oauth.submit_consent_form(http, pending.authorize_url)
            tokens = await oauth.exchange_code(
                http, self.app, code=pending.code_from_redirect(location), redirect_uri=REDIRECT
            )
        self.vault.set_json(
            "freshbooks", entry_with_tokens({"client_secret": "x"}, tokens, refreshed_at=self.clock.aware())
        )
        return tokens

    async def refresher(self, refresh_token: str) -> fb.TokenSet:
        async with httpx.AsyncClient(transport=self.sandbox.transport()) as http:
            return await oauth.refresh_tokens(
                http, self.app, refresh_token=refresh_token, redirect_uri=REDIRECT
            )

    def restart(self, *, store: Any = None) -> RefreshingBearerAuth:
        entry = self.vault.get_json("freshbooks")
        assert entry is not None
        return RefreshingBearerAuth(
            tokens=tokens_from_entry(entry),
            refresher=self.refresher,
            store=store or VaultTokenStore(self.vault, clock=self.clock.aware),
            refresh_interrupted=bool(entry.get("refresh_started_at")),
            clock=self.clock.aware,
        )

    def token_calls(self) -> int:
        return self.sandbox.request_counts[TOKEN_ROUTE]

    async def get_me(self, auth: RefreshingBearerAuth, n: int = 1) -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=self.sandbox.transport(), auth=auth) as http:
            return list(await asyncio.gather(*(http.get(ME) for _ in range(n))))


@pytest_asyncio.fixture
async def world() -> World:
    w = World()
    await w.sign_in()
    return w


async def test_twenty_concurrent_requests_with_an_expired_token_cause_one_refresh(world: World) -> None:
    auth = world.restart()
    world.clock.now += 13 * 3600  # past the 12 h lifetime
    before = world.token_calls()
    responses = await world.get_me(auth, 20)
    assert [r.status_code for r in responses] == [200] * 20
    assert world.token_calls() - before == 1 and auth.refresh_count == 1
    stored = world.vault.get_json("freshbooks")
    assert stored is not None and stored["access_token"] == auth.tokens.access_token
    assert stored["refresh_started_at"] is None


async def test_twenty_concurrent_401s_cause_one_refresh(world: World) -> None:
    # The app's clock thinks the token is fresh; the server says it expired: every request meets a 401.
    auth = world.restart()
    server_clock_jump = 13 * 3600
    auth._clock = lambda: datetime.fromtimestamp(world.clock.now - server_clock_jump, UTC)
    world.clock.now += server_clock_jump
    before = world.token_calls()
    responses = await world.get_me(auth, 20)
    assert [r.status_code for r in responses] == [200] * 20
    assert world.token_calls() - before == 1


async def test_rotation_under_concurrent_requests_never_spends_a_refresh_token_twice(world: World) -> None:
    spent: list[str] = []
    refresh_at_the_sandbox = world.refresher

    async def recording(refresh_token: str) -> fb.TokenSet:
        spent.append(refresh_token)
        return await refresh_at_the_sandbox(refresh_token)

    world.refresher = recording  # type: ignore[method-assign]
    auth = world.restart()
    for _ in range(3):  # the app sees the expiry coming: proactive refreshes
        world.clock.now += 13 * 3600
        assert [r.status_code for r in await world.get_me(auth, 20)] == [200] * 20
    lag = 13 * 3600  # the app's clock lags: every request meets a 401 first
    auth._clock = lambda: datetime.fromtimestamp(world.clock.now - lag, UTC)
    for _ in range(3):
        world.clock.now += 13 * 3600
        assert [r.status_code for r in await world.get_me(auth, 20)] == [200] * 20
    assert len(spent) == 6 == auth.refresh_count
    assert len(set(spent)) == len(spent)  # each refresh token went to FreshBooks once, never again
    stored = world.vault.get_json("freshbooks")
    assert stored is not None and stored["refresh_token"] not in spent  # the live one is unspent


async def test_proactive_refresh_shortly_before_expiry(world: World) -> None:
    auth = world.restart()
    world.clock.now += 12 * 3600 - 60  # one minute left, inside the five-minute margin
    old = auth.tokens.access_token
    await world.get_me(auth)
    assert auth.tokens.access_token != old and auth.refresh_count == 1


async def test_new_pair_is_in_the_keychain_before_the_new_access_token_is_used() -> None:
    vault = CredentialVault()
    issued = iter(range(1, 100))
    seen_unsaved: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            n = next(issued)
            return httpx.Response(
                200,
                json={
                    "access_token": f"access-{n:04d}",
                    "refresh_token": f"refresh-{n:04d}",
                    "expires_in": 43200,
                    "created_at": 1_800_000_000,
                },
            )
        token = request.headers["authorization"].removeprefix("Bearer ")
        stored = vault.get_json("freshbooks")
        if stored is None or stored["access_token"] != token:
            seen_unsaved.append(token)
        return httpx.Response(401 if token == "access-0000" else 200, json={})

    transport = httpx.MockTransport(handler)
    start = fb.TokenSet(
        access_token="access-0000", refresh_token="refresh-0000", expires_at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    vault.set_json("freshbooks", entry_with_tokens({}, start, refreshed_at=datetime.now(UTC)))

    async def refresher(refresh_token: str) -> fb.TokenSet:
        async with httpx.AsyncClient(transport=transport) as http:
            app = oauth.FreshBooksApp(
                client_id="id", client_secret="secret-value-1", api_url="http://fb.test"
            )
            return await oauth.refresh_tokens(http, app, refresh_token=refresh_token, redirect_uri=REDIRECT)

    auth = RefreshingBearerAuth(tokens=start, refresher=refresher, store=VaultTokenStore(vault))
    async with httpx.AsyncClient(transport=transport, auth=auth) as http:
        results = await asyncio.gather(*(http.get("http://fb.test/x") for _ in range(10)))
    assert {r.status_code for r in results} == {200}
    assert seen_unsaved == []
    assert auth.refresh_count == 1


async def test_crash_after_the_save_loses_nothing(world: World) -> None:
    class CrashAfterSave(VaultTokenStore):
        async def save_tokens(self, tokens: fb.TokenSet) -> None:
            await super().save_tokens(tokens)
            raise Crash

    auth = world.restart(store=CrashAfterSave(world.vault, clock=world.clock.aware))
    world.clock.now += 13 * 3600
    with pytest.raises(Crash):
        await world.get_me(auth)
    assert world.token_calls() == 2  # the code exchange and one refresh

    restarted = world.restart()  # a new process reads the keychain
    assert not restarted.refresh_interrupted
    responses = await world.get_me(restarted, 5)
    assert [r.status_code for r in responses] == [200] * 5
    assert world.token_calls() == 2  # the saved pair works; no refresh token was spent twice


async def test_crash_between_refresh_and_save_asks_to_sign_in_and_does_not_loop(world: World) -> None:
    class CrashBeforeSave(VaultTokenStore):
        async def save_tokens(self, tokens: fb.TokenSet) -> None:
            raise Crash  # FreshBooks rotated the pair; the new one dies with the process

    auth = world.restart(store=CrashBeforeSave(world.vault, clock=world.clock.aware))
    world.clock.now += 13 * 3600
    with pytest.raises(Crash):
        await world.get_me(auth)
    entry = world.vault.get_json("freshbooks")
    assert entry is not None and entry["refresh_started_at"]  # the marker survived the crash

    restarted = world.restart()
    assert restarted.refresh_interrupted
    calls = world.token_calls()
    with pytest.raises(AuthRevokedError, match="interrupted") as caught:
        await world.get_me(restarted)
    assert "Sign in to FreshBooks again" in caught.value.message
    assert world.token_calls() == calls + 1  # one honest try with the stored refresh token
    for _ in range(3):
        with pytest.raises(AuthRevokedError):
            await world.get_me(restarted)
    assert world.token_calls() == calls + 1  # and no loop

    await world.sign_in()  # what the message asks: signing in again recovers fully
    recovered = world.restart()
    assert not recovered.refresh_interrupted
    assert [r.status_code for r in await world.get_me(recovered, 3)] == [200] * 3
    world.clock.now += 13 * 3600
    assert [r.status_code for r in await world.get_me(recovered, 3)] == [200] * 3
    assert recovered.refresh_count == 1
    entry = world.vault.get_json("freshbooks")
    assert entry is not None and entry["refresh_started_at"] is None


async def test_interrupted_marker_with_a_still_valid_access_token_keeps_working(world: World) -> None:
    entry = world.vault.get_json("freshbooks")
    assert entry is not None
    world.vault.set_json("freshbooks", {**entry, "refresh_started_at": world.clock.aware().isoformat()})
    restarted = world.restart()
    responses = await world.get_me(restarted, 3)
    assert [r.status_code for r in responses] == [200] * 3


async def test_revoked_refresh_raises_auth_revoked(world: World) -> None:
    world.sandbox.freshbooks.oauth.clear()  # the user revoked the app in FreshBooks
    auth = world.restart()
    world.clock.now += 13 * 3600
    with pytest.raises(AuthRevokedError, match="Sign in to FreshBooks again") as caught:
        await world.get_me(auth)
    assert caught.value.service == "FreshBooks"


async def test_repr_and_errors_never_show_tokens(world: World) -> None:
    auth = world.restart()
    tokens = auth.tokens
    assert tokens.access_token not in repr(auth) and tokens.refresh_token not in repr(auth)


async def test_a_second_process_adopts_the_pair_the_first_one_saved(world: World) -> None:
    gui, cli = world.restart(), world.restart()  # two processes of one profile, same saved pair
    world.clock.now += 13 * 3600
    assert [r.status_code for r in await world.get_me(cli)] == [200]
    calls = world.token_calls()
    assert [r.status_code for r in await world.get_me(gui, 3)] == [200] * 3  # its refresh token is spent
    assert world.token_calls() == calls and gui.tokens.access_token == cli.tokens.access_token
