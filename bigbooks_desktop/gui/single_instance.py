"""One window per profile: a second launch on the same data folder asks the first to come to the front, then exits.

The first launch takes a `QLockFile` in the data folder (released by the OS's process table check when its
process is gone, however it ended) and listens on a `QLocalServer` named after the folder. A later launch finds
the lock taken, connects to that server, says "raise", and stops. Two launches at the same moment cannot both
win: the lock decides, and only its holder (re)creates the server.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

__all__ = ["SingleInstance", "server_name"]

log = logging.getLogger(__name__)

_RAISE = b"raise\n"


def server_name(folder: Path) -> str:
    """The local server's name for a data folder (and this user, where the OS has user ids)."""
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = hashlib.sha256(f"{user}:{folder.resolve()}".encode()).hexdigest()[:16]
    return f"bigbooks-{digest}"


class SingleInstance(QObject):
    """`claim()` once at start-up; while this instance holds the profile, `raise_requested` fires whenever
    another launch asks for the window."""

    raise_requested = Signal()

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._lock = QLockFile(str(folder / "window.lock"))
        self._lock.setStaleLockTime(0)        # stale only when its process is gone, never by age
        self._server: QLocalServer | None = None

    def claim(self, *, wait: float = 5.0) -> bool:
        """True: this launch owns the profile's window (and now listens). False: another launch owns it and was
        asked to show its window (it may still be starting: this retries for up to `wait` seconds)."""
        deadline = time.monotonic() + wait
        while True:
            if self._lock.tryLock(0):
                self._listen()
                return True
            if self._ask_to_raise():
                return False
            if time.monotonic() > deadline:
                log.warning("another BigBooks window holds %s but does not answer", self.folder)
                return False
            time.sleep(0.1)

    def _listen(self) -> None:
        QLocalServer.removeServer(self.name)      # a socket file left by a crashed owner (we hold the lock)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("cannot listen for other launches on %s: %s", self.name, server.errorString())
            return
        server.newConnection.connect(self._accept)
        self._server = server

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()) == _RAISE:
                log.info("another launch on this profile asked for the window: bringing it to the front")
                self.raise_requested.emit()

    def _ask_to_raise(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(500):
            return False
        socket.write(_RAISE)
        socket.flush()
        sent = socket.waitForBytesWritten(1000) or socket.bytesToWrite() == 0
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(500)
        return sent

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        self._lock.unlock()
