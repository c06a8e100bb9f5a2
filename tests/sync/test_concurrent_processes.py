"""Two syncs of one profile at once, as real processes: several `bigbooks sync` started together (a window plus
cron, two terminals). One holds the profile's lock at a time, the others wait saying for whom, and the books
come out exactly once: no payment, client, invoice or credit note twice, nothing missed, nothing in the inbox
as a bug. Reuses the kill -9 test's sandbox process and checks."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_kill9 import (  # noqa: F401 - the fixtures are used by name
    SINCE,
    _bigbooks,
    _check_exactly_once,
    _unexplained_differences,
    env,
    sandbox,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sockets,
    pytest.mark.skipif(sys.platform == "win32", reason="the sandbox fixture stops its process with SIGTERM"),
]

PROCESSES = 4


def test_syncs_of_one_profile_started_together_write_everything_exactly_once(
    env: dict[str, str], sandbox: dict[str, Any], bigbooks_home: Path  # noqa: F811 - pytest fixtures
) -> None:
    connected = subprocess.run(  # noqa: S603 - fixed arguments
        _bigbooks("connect", "sandbox", sandbox["admin_url"]), env=env, capture_output=True, timeout=60)
    assert connected.returncode == 0, connected.stderr.decode()
    procs = [subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        _bigbooks("sync", "--once", "--since", SINCE), env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    errors = []
    for proc in procs:
        _out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        errors.append(err)
    waited = [e for e in errors if "waiting for bigbooks sync (process" in e]
    assert len(waited) >= PROCESSES - 2, errors      # the others saw who held the profile and waited for it

    import httpx

    state = httpx.get(f"{sandbox['admin_url']}/state", timeout=30).json()
    _check_exactly_once(state, bigbooks_home)
    assert asyncio.run(_unexplained_differences()) == []

    from bigbooks_desktop.store import error_queue
    from bigbooks_desktop.store.db import close_database, open_database

    open_database()
    try:
        rows = error_queue.list_errors(status=error_queue.ACTIVE_STATUSES, limit=1000)
    finally:
        close_database()
    assert not [e for e in rows if "bug" in e.kind.value or "UNIQUE" in e.message], [e.message for e in rows]
