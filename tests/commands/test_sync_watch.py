"""`bigbooks sync --watch` runs on the sync coordinator's schedule (as the window's auto-sync does), names itself
to other processes, and stops cleanly on SIGINT/SIGTERM, between orders, with exit 0."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.sockets,
              pytest.mark.skipif(sys.platform == "win32", reason="stopped with a POSIX signal")]


def test_watch_syncs_on_its_schedule_and_stops_on_a_signal(bigbooks_home: Path) -> None:
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    env = {**os.environ, "BIGBOOKS_HOME": str(bigbooks_home), "BIGBOOKS_ALLOW_FILE_SECRETS": "1",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    bigbooks = [sys.executable, "-m", "bigbooks_desktop"]
    with SandboxThread(SandboxConfig(orders=30, seed=7, time_scale=500)) as sandbox:
        connected = subprocess.run([*bigbooks, "connect", "sandbox", sandbox.info["admin_url"]], cwd=ROOT,  # noqa: S603
                                   env=env, capture_output=True, text=True, timeout=60, check=False)
        assert connected.returncode == 0, connected.stderr
        (bigbooks_home / "preferences.json").write_text(json.dumps({"backfill_start": "2000-01-01"}))
        watch = subprocess.Popen([*bigbooks, "sync", "--watch", "--interval", "5", "--json"], cwd=ROOT,  # noqa: S603
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 90
            lines: list[str] = []
            assert watch.stdout is not None
            while time.monotonic() < deadline and not any(line.startswith("}") for line in lines):
                lines.append(watch.stdout.readline())
            first = json.loads("".join(lines))
            assert first["mode"] == "watch" and first["status"] == "finished"
            assert first["counts"]["invoices_created"] > 0
            watch.send_signal(signal.SIGINT)
            _out, err = watch.communicate(timeout=60)
        finally:
            if watch.poll() is None:
                watch.kill()
                watch.communicate()
    assert watch.returncode == 0, err
    assert "--interval is at least 30 seconds" in err
    assert "Traceback" not in err
