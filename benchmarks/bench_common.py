"""What the benchmarks that run the sandbox in its own process share: a throw-away data folder, the machine and
its load, another process's CPU, `bigbooks sandbox` started and stopped, and rewriting one benchmark's section
of RESULTS.md between its markers (keeping every other section)."""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def isolate(prefix: str) -> Path:
    """A throw-away data folder and the opt-in file secret store, so a benchmark never touches real state."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["BIGBOOKS_HOME"] = str(home)
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    return home


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def cpu_of(pid: int) -> float:
    """User + system CPU seconds of another process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}")


@contextmanager
def sandbox_process(*options: str) -> Iterator[tuple[dict[str, Any], int]]:
    """`bigbooks sandbox --port 0 OPTIONS` in its own process (as tests/sync/test_kill9.py starts it): its
    start-up line (admin_url...) and its pid; stopped with SIGTERM (then SIGKILL) at the end."""
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bigbooks_desktop", "sandbox", "--port", "0", *options],
        cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox printed nothing")
        yield json.loads(line), proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def engine_caller() -> str:
    """The innermost two engine frames under sync/ (else the outermost bigbooks frame) of the request being sent,
    innermost first: for the request tracers that say which code sent each call. A request sent from a task
    (asyncio.gather) shows only the task's own frames: its outermost one is named."""
    frame = sys._getframe(2)
    found: list[str] = []
    outermost = ""
    while frame is not None and len(found) < 2:
        name = frame.f_code.co_filename
        if "/bigbooks_desktop/sync/" in name:
            found.append(f"{Path(name).stem}.{frame.f_code.co_name}")
        elif "/bigbooks_desktop/" in name:
            outermost = f"{Path(name).parent.name}/{Path(name).stem}.{frame.f_code.co_name}"
        frame = frame.f_back  # type: ignore[assignment]
    return " < ".join(found) or f"{outermost} (in a task)"
