"""OAuth end to end against the FreshBooks sandbox: consent, codes, rotation, expiry and scopes."""

from __future__ import annotations

import httpx
import pytest

from .freshbooks_harness import API, AUTH, BASE, REDIRECT, session


@pytest.mark.asyncio
async def test_consent_page_then_approve_echoes_state_and_code_works_once() -> None:
    async with session(signed_in=False) as s:
        params = {
            "client_id": s.config.freshbooks_client_id,
            "response_type": "code",
            "redirect_uri": REDIRECT,
            "scope": "user:profile:read user:invoices:read",
            "state": "abc 123",
        }
        page = await s.http.get(f"{AUTH}/oauth/authorize", params=params)
        assert page.status_code == 200
        assert "Sandbox Trading Co." in page.text and "user:invoices:read" in page.text
        assert 'name="state" value="abc 123"' in page.text

        approved = await s.http.post(f"{AUTH}/oauth/authorize", data={**params, "decision": "approve"})
        assert approved.status_code == 302
        location = httpx.URL(approved.headers["location"])
        assert str(location).startswith(REDIRECT + "?")
        assert location.params["state"] == "abc 123"
        code = location.params["code"]

        first = await s.exchange(code)
        assert first.status_code == 200
        token = first.json()
        assert token["token_type"] == "Bearer"
        assert token["expires_in"] == 12 * 3600
        assert token["created_at"] == int(s.clock())
        assert token["scope"] == "user:profile:read user:invoices:read"

        again = await s.exchange(code)
        assert again.status_code == 400
        assert again.json()["error"] == "invalid_grant"


@pytest.mark.asyncio
async def test_deny_redirects_with_access_denied() -> None:
    async with session(signed_in=False) as s:
        params = {
            "client_id": s.config.freshbooks_client_id,
            "response_type": "code",
            "redirect_uri": "https://localhost:4443/callback",
            "state": "s9",
            "decision": "deny",
        }
        denied = await s.http.post(f"{AUTH}/oauth/authorize", data=params)
        assert denied.status_code == 302
        location = httpx.URL(denied.headers["location"])
        assert location.params["error"] == "access_denied"
        assert location.params["state"] == "s9"
        assert "code" not in location.params


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("client_id", "redirect_uri"),
    [
        ("someone-else", REDIRECT),
        (None, "http://evil.example:8765/callback"),
        (None, "http://127.0.0.1:8765/other"),
        (None, REDIRECT + "?x=1"),
    ],
)
async def test_unknown_client_or_unregistered_redirect_gets_an_error_page_and_no_redirect(
    client_id: str | None, redirect_uri: str
) -> None:
    async with session(signed_in=False) as s:
        params = {
            "client_id": client_id or s.config.freshbooks_client_id,
            "response_type": "code",
            "redirect_uri": redirect_uri,
            "state": "s",
        }
        for response in (
            await s.http.get(f"{AUTH}/oauth/authorize", params=params),
            await s.http.post(f"{AUTH}/oauth/authorize", data={**params, "decision": "approve"}),
        ):
            assert response.status_code == 400
            assert "location" not in response.headers
            assert response.headers["content-type"].startswith("text/html")


@pytest.mark.asyncio
async def test_auto_consent_approves_on_get() -> None:
    async with session(signed_in=False, freshbooks_auto_consent=True) as s:
        response = await s.http.get(
            f"{AUTH}/oauth/authorize",
            params={
                "client_id": s.config.freshbooks_client_id,
                "response_type": "code",
                "redirect_uri": REDIRECT,
                "state": "auto",
            },
        )
        assert response.status_code == 302
        assert httpx.URL(response.headers["location"]).params["state"] == "auto"


@pytest.mark.asyncio
async def test_code_expires_after_five_minutes_and_must_match_redirect_uri() -> None:
    async with session(signed_in=False) as s:
        late = httpx.URL((await s.authorize()).headers["location"]).params["code"]
        s.clock.advance(300)
        assert (await s.exchange(late)).json()["error"] == "invalid_grant"

        fresh = httpx.URL((await s.authorize()).headers["location"]).params["code"]
        s.clock.advance(299)
        wrong = await s.exchange(fresh, redirect_uri="http://127.0.0.1:9999/callback")
        assert wrong.json()["error"] == "invalid_grant"

        ok = httpx.URL((await s.authorize()).headers["location"]).params["code"]
        s.clock.advance(299)
        assert (await s.exchange(ok)).status_code == 200


@pytest.mark.asyncio
async def test_bad_client_secret_is_invalid_client() -> None:
    async with session(signed_in=False) as s:
        code = httpx.URL((await s.authorize()).headers["location"]).params["code"]
        response = await s.http.post(
            f"{API}/auth/oauth/token",
            data={
                "client_id": s.config.freshbooks_client_id,
                "client_secret": "wrong",
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT,
            },
        )
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"


@pytest.mark.asyncio
async def test_refresh_rotates_and_a_used_refresh_token_is_refused() -> None:
    async with session() as s:
        assert s.token is not None
        old_refresh = s.token["refresh_token"]
        first = await s.refresh(old_refresh)
        assert first.status_code == 200
        rotated = first.json()
        assert rotated["refresh_token"] != old_refresh
        assert rotated["access_token"] != s.token["access_token"]

        reuse = await s.refresh(old_refresh)
        assert reuse.status_code == 400
        assert set(reuse.json()) == {"error", "error_description"}
        assert reuse.json()["error"] == "invalid_grant"

        assert (await s.refresh(rotated["refresh_token"])).status_code == 200

        no_redirect = await s.http.post(
            f"{API}/auth/oauth/token",
            json={
                "client_id": s.config.freshbooks_client_id,
                "client_secret": s.config.freshbooks_client_secret,
                "grant_type": "refresh_token",
                "refresh_token": "whatever",
            },
        )
        assert no_redirect.json()["error"] == "invalid_request"


@pytest.mark.asyncio
async def test_access_token_expires_after_the_configured_ttl() -> None:
    async with session(freshbooks_token_ttl=60) as s:
        assert (await s.call("GET", "users/clients"))[0] == 200
        s.clock.advance(60)
        status, body = await s.call("GET", "users/clients")
        assert status == 401
        assert body["response"]["errors"][0]["errno"] == 1003
        me = await s.http.get(f"{API}/auth/api/v1/users/me", headers=s.headers)
        assert me.status_code == 401
        assert me.json()["error"] == "unauthenticated"


@pytest.mark.asyncio
async def test_missing_scope_is_403_listing_provided_and_needed_scopes() -> None:
    async with session(scope="user:clients:read") as s:
        assert (await s.call("GET", "users/clients"))[0] == 200
        status, body = await s.call("POST", "users/clients", {"client": {"email": "x@example.com"}})
        assert status == 403
        message = body["response"]["errors"][0]["message"]
        assert "user:clients:read" in message and "Needed scopes: [user:clients:write]" in message
        status, _ = await s.call("GET", "invoices/invoices")
        assert status == 403
        me = await s.http.get(f"{API}/auth/api/v1/users/me", headers=s.headers)
        assert me.status_code == 200  # user:profile:read is always granted


@pytest.mark.asyncio
async def test_unknown_account_is_refused_and_reset_forgets_tokens() -> None:
    async with session() as s:
        response = await s.http.get(f"{API}/accounting/account/NOPE1/users/clients", headers=s.headers)
        assert response.status_code == 403
        assert response.json()["response"]["errors"][0]["errno"] == 1003
        assert (await s.http.get(BASE + "/users/clients", headers=s.headers)).status_code == 200
        s.sandbox.reset()
        assert (await s.http.get(BASE + "/users/clients", headers=s.headers)).status_code == 401
