"""At most one sync of a profile at a time, across processes: the window, `bigbooks sync`, cron, a second window.

Two syncs of one profile racing each other can each decide a payment is missing and write it (the exactly-once
protocol works per process: an intent another live process is still carrying out looks like one a crash left).
So every writing run holds the profile's lock for its whole length. The lock is an operating-system file lock
(the `filelock` package: `fcntl.flock` on Linux and macOS, `msvcrt.locking` on Windows) on a file beside the
sync database, so it is released by the OS when its process ends, however it ends (kill -9 included): no
stale pid file to clean up. Beside it, `sync.lock.json` says who holds it (process id, what it is, since when)
so a second sync can say plainly who it is waiting for.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from bigbooks_desktop.core.errors import TransientError

__all__ = ["LockHolder", "ProfileBusyError", "ProfileLock"]

_POLL_SECONDS = 0.2


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a profile's sync lock."""

    pid: int
    what: str               # "the BigBooks window", "bigbooks sync --watch"...
    since: datetime
    host: str

    def describe(self) -> str:
        local = self.since.astimezone().strftime("%H:%M:%S %Z").strip()
        where = "" if self.host == socket.gethostname() else f" on {self.host}"
        return f"{self.what} (process {self.pid}{where}, syncing since {local})"


class ProfileBusyError(TransientError):
    """Another process is syncing this profile and this one was not asked to wait."""

    def __init__(self, holder: LockHolder | None) -> None:
        who = holder.describe() if holder is not None else "another BigBooks process"
        super().__init__(f"Another sync of this profile is running: {who}. Wait for it to finish (it "
                         "releases the profile when it stops), or stop it first.",
                         title="Profile busy")
        self.holder = holder


class ProfileLock:
    """The sync lock of the profile whose database is `database` (`<database>.sync.lock`)."""

    def __init__(self, database: Path, *, what: str) -> None:
        self._path = database.with_name(database.name + ".sync.lock")
        self._info = database.with_name("sync.lock.json")
        self._what = what
        self._lock = FileLock(str(self._path), thread_local=False)

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def holder(self) -> LockHolder | None:
        """Who holds the lock, as it wrote down when it took it (None when nobody says)."""
        try:
            data = json.loads(self._info.read_text(encoding="utf-8"))
            return LockHolder(pid=int(data["pid"]), what=str(data["what"]),
                              since=datetime.fromisoformat(data["since"]), host=str(data.get("host", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; True when this process now holds it."""
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        info = {"pid": os.getpid(), "what": self._what, "since": datetime.now(UTC).isoformat(),
                "host": socket.gethostname()}
        self._info.write_text(json.dumps(info), encoding="utf-8")
        return True

    async def acquire(self, *, wait: float | None, on_wait: Callable[[LockHolder | None], None] | None = None
                      ) -> None:
        """Take the lock, waiting up to `wait` seconds (None: not at all; ProfileBusyError when it stays held).
        `on_wait` is told once who holds it, when this has to wait."""
        if self.try_acquire():
            return
        if wait is None or wait <= 0:
            raise ProfileBusyError(self.holder())
        if on_wait is not None:
            on_wait(self.holder())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while loop.time() < deadline:
            await asyncio.sleep(_POLL_SECONDS)
            if self.try_acquire():
                return
        raise ProfileBusyError(self.holder())

    def release(self) -> None:
        if self._lock.is_locked:
            try:
                self._info.unlink(missing_ok=True)
            except OSError:
                pass
            self._lock.release()
