"""The loopback redirect receiver: 127.0.0.1 only, wrong state refused, https with a runtime certificate."""

from __future__ import annotations

import ssl

import httpx
import pytest

from bigbooks_desktop.connectors.loopback import LoopbackReceiver
from bigbooks_desktop.core.errors import AuthError

pytestmark = [pytest.mark.asyncio, pytest.mark.sockets]


async def test_binds_loopback_only_and_delivers_the_redirect() -> None:
    async with LoopbackReceiver(path="/callback", expected_state="s1") as rx:
        assert rx.bound_host == "127.0.0.1"
        assert rx.redirect_uri == f"http://127.0.0.1:{rx.port}/callback"
        async with httpx.AsyncClient() as http:
            page = await http.get(rx.redirect_uri, params={"code": "c0de-xyz", "state": "s1"})
        assert page.status_code == 200 and "c0de-xyz" not in page.text
        result = await rx.wait(within=2)
        assert result.params == {"code": "c0de-xyz", "state": "s1"}
        assert "c0de-xyz" not in repr(result)


async def test_wrong_state_and_wrong_path_are_refused_and_waiting_goes_on() -> None:
    async with LoopbackReceiver(path="/callback", expected_state="right") as rx:
        async with httpx.AsyncClient() as http:
            bad = await http.get(rx.redirect_uri, params={"code": "evil", "state": "wrong"})
            lost = await http.get(f"http://127.0.0.1:{rx.port}/other", params={"state": "right"})
            assert (bad.status_code, lost.status_code) == (400, 404)
            assert not rx.result_future.done()
            good = await http.get(rx.redirect_uri, params={"code": "real", "state": "right"})
            again = await http.get(rx.redirect_uri, params={"code": "real2", "state": "right"})
        assert (good.status_code, again.status_code) == (200, 409)
        assert (await rx.wait(within=2)).params["code"] == "real"
        assert rx.rejected == 2


async def test_times_out_with_a_plain_message() -> None:
    async with LoopbackReceiver() as rx:
        with pytest.raises(AuthError, match="in time"):
            await rx.wait(within=0.05)


async def test_https_variant_serves_a_self_signed_certificate() -> None:
    async with LoopbackReceiver(path="/callback", tls=True, expected_state="st") as rx:
        assert rx.redirect_uri.startswith("https://localhost:")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the browser would warn once; the test only checks TLS works
        async with httpx.AsyncClient(verify=context) as http:
            page = await http.get(
                f"https://127.0.0.1:{rx.port}/callback", params={"code": "k", "state": "st"}
            )
        assert page.status_code == 200
        assert (await rx.wait(within=2)).params["code"] == "k"
