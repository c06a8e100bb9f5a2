"""The RFC 8252 loopback redirect receiver: a one-shot HTTP(S) listener on 127.0.0.1 for the OAuth redirect.

It binds 127.0.0.1 only (never all interfaces), on port 0 by default. `redirect_uri` is what to register
with the service: `http://127.0.0.1:PORT/callback`, or `https://localhost:PORT/callback` with `tls=True`
(FreshBooks insists on https; the receiver then serves a self-signed certificate made at start-up with
the `cryptography` package, which the browser warns about once).

When `expected_state` is set, a request whose `state` differs gets a 400 page and is otherwise ignored:
the wait goes on for the real redirect. Only the first matching request resolves the wait.

`redirects` maps other paths to addresses the browser is sent on to (302). A flow whose callback loads where
the browser cannot stop to accept the self-signed certificate (BigCommerce shows its auth callback in an
iframe) opens its start page through the receiver first: the browser warns once, at the top level, then
goes on to the service already trusting the callback's address.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import os
import secrets
import ssl
import tempfile
from dataclasses import dataclass
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from bigbooks_desktop.core.errors import AuthError, ConfigurationError

__all__ = ["LOOPBACK_HOST", "CallbackResult", "LoopbackReceiver", "self_signed_context"]

LOOPBACK_HOST = "127.0.0.1"

_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>BigBooks Desktop</title></head>"
    "<body style='font-family:sans-serif;margin:3em'><h2>{title}</h2><p>{text}</p></body></html>"
)


@dataclass(frozen=True)
class CallbackResult:
    """The query parameters of the redirect the browser delivered."""

    params: dict[str, str]
    path: str

    def __repr__(self) -> str:  # holds an authorization code: never print it
        return f"CallbackResult(path={self.path!r}, keys={sorted(self.params)})"


def self_signed_context(host: str = "localhost") -> ssl.SSLContext:
    """A server TLS context with a fresh self-signed certificate for `localhost` and 127.0.0.1."""
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError as exc:  # pragma: no cover - cryptography is present in the supported builds
        raise ConfigurationError(
            "An https loopback redirect needs the 'cryptography' package. Use the paste-the-URL sign-in "
            "instead."
        ) from exc
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(host), x509.IPAddress(ipaddress.ip_address(LOOPBACK_HOST))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    # ssl only loads PEM from files: write them to a private temp folder and remove it at once.
    with tempfile.TemporaryDirectory(prefix="bigbooks-tls-") as folder:
        cert_path = os.path.join(folder, "cert.pem")
        key_path = os.path.join(folder, "key.pem")
        with open(cert_path, "wb") as handle:
            handle.write(cert.public_bytes(serialization.Encoding.PEM))
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        context.load_cert_chain(cert_path, key_path)
    return context


class LoopbackReceiver:
    """`async with LoopbackReceiver(path="/callback") as rx: open(rx.redirect_uri...); await rx.wait()`."""

    def __init__(
        self, *, path: str = "/callback", port: int = 0, tls: bool = False, expected_state: str | None = None
    ) -> None:
        self.path = path
        self.requested_port = port
        self.tls = tls
        self.expected_state = expected_state
        self.port = 0
        self.rejected = 0  # requests refused (wrong path or state)
        self.redirects: dict[str, str] = {}  # path -> where the browser is sent on (see the module docstring)
        self._server: asyncio.Server | None = None
        self._result: asyncio.Future[CallbackResult] | None = None

    @property
    def redirect_uri(self) -> str:
        if self.tls:
            return f"https://localhost:{self.port}{self.path}"
        return f"http://{LOOPBACK_HOST}:{self.port}{self.path}"

    def url_for(self, path: str) -> str:
        """This receiver's address for another path (one of `redirects`)."""
        return self.redirect_uri[: -len(self.path)] + path

    @property
    def bound_host(self) -> str:
        assert self._server is not None
        return str(self._server.sockets[0].getsockname()[0])

    async def start(self) -> None:
        self._result = asyncio.get_running_loop().create_future()
        context = self_signed_context() if self.tls else None
        try:
            self._server = await asyncio.start_server(
                self._handle, host=LOOPBACK_HOST, port=self.requested_port, ssl=context
            )
        except OSError as exc:
            raise ConfigurationError(
                f"Could not listen on {LOOPBACK_HOST}:{self.requested_port} for the sign-in redirect "
                f"({exc.strerror}). Choose another port or paste the address instead."
            ) from exc
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), timeout=2)
            self._server = None
        if self._result is not None and not self._result.done():
            self._result.cancel()

    async def __aenter__(self) -> LoopbackReceiver:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def wait(self, *, within: float | None = None) -> CallbackResult:
        """The accepted redirect. Raises `AuthError` when nothing arrives within `within` seconds."""
        assert self._result is not None, "start() first"
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout=within)
        except TimeoutError as exc:
            raise AuthError("No sign-in arrived from the browser in time. Start the sign-in again.") from exc

    @property
    def result_future(self) -> asyncio.Future[CallbackResult]:
        assert self._result is not None, "start() first"
        return self._result

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = await asyncio.wait_for(reader.readline(), timeout=10)
            while True:  # drain headers; we need none of them
                line = await asyncio.wait_for(reader.readline(), timeout=10)
                if line in (b"\r\n", b"\n", b""):
                    break
            request = request_line.decode("latin-1")
            location = self._redirect(request)
            status, title, text = ("302 Found", "Continue", "Continuing...") if location else self._route(request)
            body = _PAGE.format(title=title, text=text).encode()
            moved = f"Location: {location}\r\n" if location else ""
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n{moved}"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n"
                "Cache-Control: no-store\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (TimeoutError, ConnectionError, ssl.SSLError, UnicodeDecodeError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _redirect(self, request_line: str) -> str | None:
        parts = request_line.split()
        if len(parts) < 2 or parts[0] != "GET":
            return None
        return self.redirects.get(urlsplit(parts[1]).path)

    def _route(self, request_line: str) -> tuple[str, str, str]:
        parts = request_line.split()
        if len(parts) < 2 or parts[0] != "GET":
            self.rejected += 1
            return "405 Method Not Allowed", "Not here", "This address only receives the sign-in redirect."
        target = urlsplit(parts[1])
        if target.path != self.path:
            self.rejected += 1
            return "404 Not Found", "Not here", "This address only receives the sign-in redirect."
        params = dict(parse_qsl(target.query, keep_blank_values=True))
        if self.expected_state is not None and not secrets.compare_digest(
            params.get("state", "").encode(), self.expected_state.encode()
        ):
            self.rejected += 1
            return (
                "400 Bad Request",
                "Sign-in not accepted",
                "This sign-in does not belong to the request BigBooks Desktop started. Start it again.",
            )
        assert self._result is not None
        if self._result.done():
            return (
                "409 Conflict",
                "Already done",
                "This sign-in was already received. You can close this tab.",
            )
        self._result.set_result(CallbackResult(params=params, path=target.path))
        if "error" in params:
            return "200 OK", "Sign-in cancelled", "You can close this tab and return to BigBooks Desktop."
        return "200 OK", "Signed in", "You can close this tab and return to BigBooks Desktop."
