"""How injected connection faults reach a client: an in-process httpx transport and the real-socket drops.

Two faults cut the connection instead of answering:

* **reset** (before the request is handled, nothing committed). Over a socket the server aborts the TCP
  connection with SO_LINGER 0, so the peer gets an RST and httpx raises `httpx.ReadError`
  ("Connection reset by peer"). In process, `SandboxTransport` raises the same `httpx.ReadError`.
* **lost** (after the request was handled and its writes committed). Over a socket the server sends the
  status line and headers with a Content-Length larger than what follows, then closes, so httpx raises
  `httpx.RemoteProtocolError` ("peer closed connection without sending complete message body"). For
  answers that cannot carry a body (204, 304, HEAD) it closes without sending anything, which httpx also
  reports as `httpx.RemoteProtocolError` ("Server disconnected without sending a response."). In process,
  `SandboxTransport` raises the same `httpx.RemoteProtocolError`.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import httpx

__all__ = [
    "ConnectionResetFault",
    "DroppedConnection",
    "DroppedConnectionLogFilter",
    "ResponseLostFault",
    "SandboxTransport",
    "drop_after_handling",
    "reset_before_handling",
]

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
Receive = Callable[[], Awaitable[Message]]


class DroppedConnection(Exception):
    """Raised inside the sandbox app to say: the connection is gone; no (complete) response."""


class ConnectionResetFault(DroppedConnection):
    """The connection was reset before the request was handled."""


class ResponseLostFault(DroppedConnection):
    """The request was handled, then the connection dropped before the response arrived."""

    def __init__(self, *, expected_bytes: int, received_bytes: int = 0) -> None:
        super().__init__(f"response lost after handling ({received_bytes} of {expected_bytes} bytes sent)")
        self.expected_bytes = expected_bytes
        self.received_bytes = received_bytes


class SandboxTransport(httpx.AsyncBaseTransport):
    """`httpx.ASGITransport` to the sandbox app, turning dropped connections into httpx's own errors."""

    def __init__(self, app: Any, *, client: tuple[str, int] = ("127.0.0.1", 52000)) -> None:
        self._inner = httpx.ASGITransport(app=app, raise_app_exceptions=True, client=client)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._inner.handle_async_request(request)
        except ConnectionResetFault:
            raise httpx.ReadError("[Errno 104] Connection reset by peer", request=request) from None
        except ResponseLostFault as lost:
            if lost.expected_bytes == 0:
                message = "Server disconnected without sending a response."
            else:
                message = ("peer closed connection without sending complete message body "
                           f"(received {lost.received_bytes} bytes, expected {lost.expected_bytes})")
            raise httpx.RemoteProtocolError(message, request=request) from None

    async def aclose(self) -> None:
        await self._inner.aclose()


class DroppedConnectionLogFilter(logging.Filter):
    """Keeps uvicorn's "Exception in ASGI application" quiet for connections we dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedConnection)


def _server_transport(send: Send) -> asyncio.Transport | None:
    """uvicorn's connection transport behind its `send` callable, or None (in process, other servers)."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    return transport if isinstance(transport, asyncio.Transport) else None


async def reset_before_handling(receive: Receive, send: Send) -> None:
    """Drop the connection with an RST before any response; in process, raise ConnectionResetFault.

    The request body is read first (not handled): an RST that lands while the client is still writing
    is swallowed by httpcore's write-error handling and then reads as a clean EOF, a different error.
    """
    transport = _server_transport(send)
    if transport is None:
        raise ConnectionResetFault("connection reset before the request was handled")
    while True:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    # Let connection_lost run, so the server marks the cycle disconnected and does not try to answer.
    for _ in range(3):
        await asyncio.sleep(0)


async def drop_after_handling(send: Send, messages: list[Message], *, method: str) -> None:
    """Send the headers of a handled response with a too-large Content-Length, then drop the connection.

    `messages` are the ASGI messages the app produced. Over uvicorn, raising after `http.response.start`
    makes it close the connection; in process the raise reaches `SandboxTransport`.
    """
    start = next((m for m in messages if m["type"] == "http.response.start"), None)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    status = int(start["status"]) if start else 500
    bodyless = method.upper() == "HEAD" or status in (204, 304) or status < 200
    transport = _server_transport(send)
    if transport is None:
        if start is None or bodyless:
            raise ResponseLostFault(expected_bytes=0)
        raise ResponseLostFault(expected_bytes=len(body) + 1, received_bytes=len(body) // 2)
    if start is None or bodyless:
        transport.close()  # nothing to half-send: close before the status line
        for _ in range(3):
            await asyncio.sleep(0)
        return
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    headers.append((b"content-length", str(len(body) + 1).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    partial = body[: len(body) // 2]
    if partial:
        await send({"type": "http.response.body", "body": partial, "more_body": True})
    raise ResponseLostFault(expected_bytes=len(body) + 1, received_bytes=len(partial))
