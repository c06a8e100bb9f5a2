"""Serving the sandbox over real loopback sockets: the blocking `run_sandbox` and the test `SandboxThread`."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any

import uvicorn

from bigbooks_desktop.sandbox.app import Sandbox
from bigbooks_desktop.sandbox.config import SandboxConfig
from bigbooks_desktop.sandbox.transport import DroppedConnectionLogFilter

__all__ = ["SandboxThread", "bind_loopback", "run_sandbox"]


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening socket on a loopback address (port 0 = a free port). Other addresses are refused."""
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the sandbox serves on loopback only, not {host}")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets whose proto says TCP (base_events._set_nodelay),
    # and the accepted connections inherit the listener's proto. With proto 0, uvicorn's two writes per answer
    # (headers, then body) meet Nagle and the client's delayed ACK: about 40 ms per request over loopback.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _quiet_dropped_connections() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, DroppedConnectionLogFilter) for f in logger.filters):
        logger.addFilter(DroppedConnectionLogFilter())


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising SIGINT/SIGTERM after shutdown: a signal is a clean stop here."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        with super().capture_signals():
            try:
                yield
            finally:
                self._captured_signals.clear()


def _make_server(sandbox: Sandbox, *, log_config: Any) -> _Server:
    config = uvicorn.Config(
        sandbox.asgi_app, log_level="warning", access_log=False, lifespan="off", proxy_headers=False,
        loop="asyncio", http="h11", ws="none", log_config=log_config,
    )
    _quiet_dropped_connections()
    return _Server(config)


def run_sandbox(config: SandboxConfig, *, port: int = 0, host: str = "127.0.0.1",
                ready: Callable[[dict[str, Any]], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; `ready(info)` runs once the server accepts connections."""
    sock = bind_loopback(host, port)
    sandbox = Sandbox(config)
    info = sandbox.info(_base_url(sock))
    server = _make_server(sandbox, log_config=uvicorn.config.LOGGING_CONFIG)

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        # uvicorn exposes start-up only as the `started` flag, so poll it.
        while not server.started and not task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        if server.started and ready is not None:
            ready(info)
        await task

    try:
        asyncio.run(serve())
    finally:
        sock.close()


class SandboxThread:
    """Context manager serving a Sandbox on a background thread over real loopback sockets (for tests).

    ``with SandboxThread(SandboxConfig(orders=5)) as served: httpx.get(served.info["admin_url"])``
    """

    def __init__(self, config: SandboxConfig | None = None, *, sandbox: Sandbox | None = None,
                 port: int = 0, start_timeout: float = 10.0) -> None:
        self.sandbox = sandbox if sandbox is not None else Sandbox(config or SandboxConfig())
        self._port = port
        self._start_timeout = start_timeout
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self.base_url = ""
        self.info: dict[str, Any] = {}

    def __enter__(self) -> SandboxThread:
        self._sock = bind_loopback("127.0.0.1", self._port)
        self.base_url = _base_url(self._sock)
        self.info = self.sandbox.info(self.base_url)
        self._server = _make_server(self.sandbox, log_config=None)
        server, sock = self._server, self._sock
        self._thread = threading.Thread(target=lambda: asyncio.run(server.serve(sockets=[sock])),
                                        name="sandbox-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self._start_timeout
        while not server.started:
            if not self._thread.is_alive():
                raise RuntimeError("sandbox server thread stopped during start-up")
            if time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise TimeoutError("sandbox server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._sock is not None:
            self._sock.close()
