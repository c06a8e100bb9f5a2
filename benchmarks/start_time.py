"""How long the packaged app takes from launch to its main window shown, cold and warm.

    .venv/bin/python benchmarks/start_time.py                       # dist/BigBooks/BigBooks, offscreen, 1 cold + 5 warm
    .venv/bin/python benchmarks/start_time.py --xvfb --warm 10      # on a real X server (Xvfb), 10 warm starts
    .venv/bin/python benchmarks/start_time.py --exe ".venv/bin/bigbooks"   # the app from source, for comparison

Each launch runs `<exe> --startup-time`: the real start-up path of `bigbooks gui` (one window per profile, the
database, the main window) on a fresh temporary profile; the app prints the wall-clock time at which the main
window's native window was first exposed, and quits. The figure here is that time minus the time just before
the process was launched, so it includes the frozen app's bootloader unpacking Python.

Cold: the page cache is dropped first (`sync; echo 3 > /proc/sys/vm/drop_caches`, Linux as root); when that is
not permitted the run says so and the "cold" figure is only the first launch. Each figure is printed with the
machine's load average (/proc/loadavg), since another job may share the machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EXE = ROOT / "dist" / "BigBooks" / ("BigBooks-console.exe" if sys.platform == "win32" else "BigBooks")
SHOWN = re.compile(r"startup-time: shown_at=([0-9.]+)")


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def drop_caches() -> bool:
    try:
        subprocess.run(["sync"], check=True)  # noqa: S607 (coreutils' sync, from PATH)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


def launch(exe: list[str], env: dict[str, str], timeout: float) -> float:
    started = time.time()
    result = subprocess.run([*exe, "--startup-time"], env=env, capture_output=True,  # noqa: S603 (the app built)
                            text=True, timeout=timeout, check=False)
    match = SHOWN.search(result.stdout)
    if match is None:
        raise RuntimeError(f"no start-up time printed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    return float(match.group(1)) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--exe", default=str(DEFAULT_EXE), help="the app to launch (default: the frozen app)")
    parser.add_argument("--warm", type=int, default=5, help="warm launches after the cold one")
    parser.add_argument("--xvfb", action="store_true", help="start an Xvfb server and launch on it (xcb)")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    exe = args.exe.split()
    if not Path(exe[0]).exists() and shutil.which(exe[0]) is None:
        print(f"{exe[0]} not found: build it first (python build/build.py)", file=sys.stderr)
        return 2
    env = dict(os.environ)
    server = None
    if args.xvfb:
        display = ":97"
        command = ["Xvfb", display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL,  # noqa: S603 (Debian's xvfb, from PATH)
                                  stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        env.pop("QT_QPA_PLATFORM", None)
        env["DISPLAY"] = display
        platform = "xcb on Xvfb"
    else:
        env["QT_QPA_PLATFORM"] = "offscreen"
        platform = "offscreen"
    try:
        print(f"launching {' '.join(exe)} --startup-time ({platform})")
        dropped = drop_caches()
        cold = launch(exe, env, args.timeout)
        note = "page cache dropped first" if dropped else "the page cache could NOT be dropped (not permitted): " \
                                                          "this is the first launch, not a true cold start"
        print(f"cold: {cold:.2f} s  ({note}; load {loadavg()})")
        warm = []
        for _ in range(args.warm):
            warm.append(launch(exe, env, args.timeout))
            print(f"warm: {warm[-1]:.2f} s  (load {loadavg()})")
        if warm:
            print(f"warm median {statistics.median(warm):.2f} s, best {min(warm):.2f} s, worst {max(warm):.2f} s "
                  f"over {len(warm)} launches (load {loadavg()})")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
