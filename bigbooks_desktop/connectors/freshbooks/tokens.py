"""FreshBooks bearer auth that refreshes single-use refresh tokens safely (`RefreshingBearerAuth`).

FreshBooks refresh tokens are single use and rotate: spending one twice locks the app out. The design:

* **One refresh at a time.** Every refresh runs behind one `asyncio.Lock`. A request that needs a refresh
  remembers which access token it saw; once it holds the lock, if the pair already changed, someone else
  refreshed and it simply reuses the new access token. Twenty requests that all meet an expired token or a
  401 cause exactly one call to the token endpoint.
* **Save before use.** The new pair is written to the keychain as ONE JSON entry (one `set_password`, so it
  is replaced whole or not at all) before the new access token is put on any request. A crash at any point
  after that save loses nothing: on restart the saved pair is the live pair.
* **A marker for the one unsafe window.** Just before spending the refresh token, the entry is rewritten
  with `refresh_started_at` set (same pair). The save of the new pair clears it. If the app dies after
  FreshBooks rotated the token but before the save (the only window where the live pair can be lost), the
  restart finds the marker: it keeps using the stored access token while it is still valid, tries the stored
  refresh token exactly once when it must, and if FreshBooks refuses it, raises `AuthRevokedError` saying a
  refresh was interrupted and the user must sign in again. It never loops on a spent token: after a refusal
  the auth stays revoked and makes no more token calls.
* **Another process refreshed first.** Before spending a refresh token the auth re-reads the keychain; if
  the saved pair is newer (the CLI refreshed while the GUI was open), it adopts that pair instead.
* **Proactive refresh** `refresh_margin` before expiry; a 401 triggers one refresh and one retry.
  A refusal of the refresh (invalid_grant) raises `AuthRevokedError` ("sign in to FreshBooks again"), so the
  engine pauses writes with nothing lost.

Two app instances refreshing at the very same moment could still race (the lock is per process); the app
runs one sync engine per profile.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import httpx

from bigbooks_desktop.connectors.freshbooks.errors import SERVICE
from bigbooks_desktop.core import freshbooks as fb
from bigbooks_desktop.core.errors import AuthRevokedError

__all__ = [
    "RefreshingBearerAuth",
    "StaticBearerAuth",
    "TokenStore",
    "VaultTokenStore",
    "entry_with_tokens",
    "tokens_from_entry",
]

Refresher = Callable[[str], Awaitable[fb.TokenSet]]


class TokenStore(Protocol):
    async def load_tokens(self) -> fb.TokenSet | None: ...
    async def mark_refresh_started(self) -> None: ...
    async def save_tokens(self, tokens: fb.TokenSet) -> None: ...


def tokens_from_entry(entry: dict[str, Any]) -> fb.TokenSet:
    return fb.TokenSet(
        access_token=entry["access_token"],
        refresh_token=entry["refresh_token"],
        expires_at=datetime.fromisoformat(entry["expires_at"]),
        scope=entry.get("scope", ""),
    )


def entry_with_tokens(
    entry: dict[str, Any], tokens: fb.TokenSet, *, refreshed_at: datetime
) -> dict[str, Any]:
    return {
        **entry,
        "access_token": tokens.access_token,
        "refresh_token": tokens.refresh_token,
        "expires_at": tokens.expires_at.isoformat(),
        "scope": tokens.scope,
        "refreshed_at": refreshed_at.isoformat(),
        "refresh_started_at": None,
    }


class VaultTokenStore:
    """Keeps the pair inside the vault's "freshbooks" entry, next to the account it belongs to."""

    def __init__(
        self,
        vault: Any,
        *,
        key: str = "freshbooks",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.vault = vault  # a connectors.credentials.CredentialVault (aget_json / aset_json)
        self.key = key
        self.clock = clock

    async def _entry(self) -> dict[str, Any]:
        entry = await self.vault.aget_json(self.key)
        if entry is None:
            raise AuthRevokedError("You signed out of FreshBooks. Sign in again.", service=SERVICE)
        return dict(entry)

    async def load_tokens(self) -> fb.TokenSet | None:
        entry = await self.vault.aget_json(self.key)
        return tokens_from_entry(entry) if entry else None

    async def mark_refresh_started(self) -> None:
        entry = await self._entry()
        entry["refresh_started_at"] = self.clock().isoformat()
        await self.vault.aset_json(self.key, entry)

    async def save_tokens(self, tokens: fb.TokenSet) -> None:
        entry = await self._entry()
        await self.vault.aset_json(self.key, entry_with_tokens(entry, tokens, refreshed_at=self.clock()))


class StaticBearerAuth(httpx.Auth):
    """A fixed bearer token (tests, one-shot checks)."""

    def __init__(self, access_token: str) -> None:
        self._token = access_token

    def __repr__(self) -> str:
        return "StaticBearerAuth(***)"

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


class RefreshingBearerAuth(httpx.Auth):
    """Bearer auth for the FreshBooks client; see the module docstring for the refresh rules."""

    def __init__(
        self,
        *,
        tokens: fb.TokenSet,
        refresher: Refresher,
        store: TokenStore,
        refresh_interrupted: bool = False,
        refresh_margin: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._tokens = tokens
        self._refresher = refresher
        self._store = store
        self._margin = refresh_margin
        self._clock = clock
        self._lock = asyncio.Lock()
        self._revoked: AuthRevokedError | None = None
        self.refresh_interrupted = refresh_interrupted
        self.refresh_count = 0
        self.last_refreshed_at: datetime | None = None

    def __repr__(self) -> str:
        expires = self._tokens.expires_at.isoformat()
        return f"RefreshingBearerAuth(expires_at={expires}, refreshes={self.refresh_count})"

    @property
    def tokens(self) -> fb.TokenSet:
        return self._tokens

    @property
    def expires_at(self) -> datetime:
        return self._tokens.expires_at

    def _due(self, tokens: fb.TokenSet) -> bool:
        return tokens.expires_at - self._margin <= self._clock()

    async def current_token(self) -> str:
        """The access token to use now, refreshed first when it is about to expire."""
        if self._revoked is not None:
            raise self._revoked
        seen = self._tokens
        if self._due(seen):
            seen = await self.refresh(stale=seen)
        return seen.access_token

    async def refresh(self, *, stale: fb.TokenSet) -> fb.TokenSet:
        """Refresh unless another task already replaced `stale`; the new pair is saved before return."""
        async with self._lock:
            if self._revoked is not None:
                raise self._revoked
            if self._tokens.access_token != stale.access_token:
                return self._tokens  # refreshed by another request while we waited
            stored = await self._store.load_tokens()
            if stored is not None and stored.refresh_token != self._tokens.refresh_token:
                # Another process of this profile (the CLI next to the GUI) refreshed and saved first; our
                # refresh token is spent. Adopt the saved pair instead of spending anything.
                self._tokens = stored
                if not self._due(stored):
                    return stored
            await self._store.mark_refresh_started()
            try:
                fresh = await self._refresher(self._tokens.refresh_token)
            except AuthRevokedError as exc:
                if self.refresh_interrupted:
                    exc = AuthRevokedError(
                        "A FreshBooks token refresh was interrupted earlier (the app stopped in the middle "
                        "of it), so the saved sign-in can no longer be renewed. Sign in to FreshBooks again; "
                        "nothing was lost.",
                        service=SERVICE,
                        status=exc.status,
                    )
                self._revoked = exc
                raise exc from None
            await self._store.save_tokens(fresh)  # durable BEFORE anyone uses the new access token
            self._tokens = fresh
            self.refresh_interrupted = False
            self.refresh_count += 1
            self.last_refreshed_at = self._clock()
            return fresh

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self.current_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        sent_with = self._tokens if self._tokens.access_token == token else None
        if sent_with is None:
            fresh_token = self._tokens.access_token  # another request refreshed meanwhile
        else:
            fresh_token = (await self.refresh(stale=sent_with)).access_token
        request.headers["Authorization"] = f"Bearer {fresh_token}"
        yield request

    def sync_auth_flow(self, request: httpx.Request) -> Any:
        raise RuntimeError("RefreshingBearerAuth works with httpx.AsyncClient only")
