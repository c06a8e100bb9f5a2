"""How long the GUI thread stalls while the window syncs a big store: a 5 ms heartbeat QTimer on the qasync loop
records the gaps between its ticks while the main window runs a sync through the sync coordinator (each run on
its worker thread), redrawing its progress on every event, as the app does.

The sandbox store is served by a separate `bigbooks sandbox` process over loopback sockets (as the real services
are elsewhere): generating and serving 10,000 orders in this process would compete with the GUI thread for the
GIL and measure the sandbox, not the app.

Run on demand (not part of pytest; about 3-5 minutes for 10,000 orders on 2 CPUs):
    .venv/bin/python benchmarks/main_thread_stall.py [--orders 10000] [--time-scale 200]
"""

from __future__ import annotations

import argparse
import asyncio
import faulthandler
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
TARGET_MS = 50.0
TAIL_SECONDS = 5.0           # the heartbeat goes on this long after the sync (what the window does after it)


def _start_sandbox(args: argparse.Namespace, env: dict[str, str]) -> tuple[subprocess.Popen[str], dict[str, str]]:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bigbooks_desktop", "sandbox", "--port", "0", "--orders", str(args.orders),
         "--seed", str(args.seed), "--time-scale", str(args.time_scale), "--bc-quota", str(args.quota)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        raise SystemExit("the sandbox process printed nothing")
    return proc, json.loads(line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--time-scale", type=float, default=200.0,
                        help="speeds up the sandbox's rate-limit window (150 requests per 30 s / this)")
    parser.add_argument("--quota", type=int, default=150)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--stacks", type=Path, metavar="FILE",
                        help="when the GUI thread misses its tick by --stack-after ms, write every thread's stack "
                             "to FILE (faulthandler's watchdog runs in C, without the GIL): what held it. A "
                             "diagnostic only: the watchdog reads other threads' frames unsynchronised and can "
                             "crash the process (a segfault in dump_frame) when a thread ends as it dumps")
    parser.add_argument("--stack-after", type=float, default=40.0)
    parser.add_argument("--after", type=float, default=0.0, metavar="S",
                        help="keep the heartbeat this many seconds more after the sync and its reload, and report "
                             "that time apart (the garbage collector's one full collection comes 30 s after a "
                             "big sync: --after 40 measures it)")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bigbooks-stall-")
    os.environ["BIGBOOKS_HOME"] = home
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"   # throw-away sandbox credentials in a throw-away folder
    Path(home, "preferences.json").write_text(json.dumps({"backfill_start": "2000-01-01",
                                                          "concurrency": args.concurrency}))

    started = time.perf_counter()
    sandbox, info = _start_sandbox(args, dict(os.environ))
    print(f"sandbox process up with {args.orders} orders in {time.perf_counter() - started:.0f} s", flush=True)

    import qasync
    from PySide6.QtCore import QTimer

    from bigbooks_desktop.gui.app import keep_the_gui_thread_responsive, make_application
    from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector
    from bigbooks_desktop.gui.main_window import MainWindow
    from bigbooks_desktop.service import BigBooksService
    from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    keep_the_gui_thread_responsive()                        # as run_gui does
    collectors: list[MainThreadGarbageCollector] = []
    gaps: list[tuple[float, float]] = []                   # (gap, when) in seconds
    last = [time.perf_counter()]

    stacks = args.stacks.open("w") if args.stacks else None

    def tick() -> None:
        now = time.perf_counter()
        gaps.append((now - last[0], now))
        last[0] = now
        if stacks is not None:        # re-armed every tick: fires only when the next tick is this late
            faulthandler.dump_traceback_later(args.stack_after / 1000, file=stacks)

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    result: dict[str, float] = {}
    events = [0]

    async def run() -> None:
        service = BigBooksService(allow_file_store=True)
        window = MainWindow(service, tray_available=False)
        window.resize(1280, 800)
        window.show()
        # as run_gui does: collection on the GUI thread, start-up frozen, full collections after syncs
        collector = MainThreadGarbageCollector(app, sync_status=lambda: window.status)
        collector.freeze_startup()
        collectors.append(collector)
        await service.connect_sandbox(info["admin_url"])
        await window.refresh()

        def count(status: SyncStatusView) -> None:
            if status.state is SyncState.SYNCING:
                events[0] += 1

        service.subscribe(count)
        timer.start()
        gaps.clear()
        last[0] = time.perf_counter()
        begin = time.perf_counter()
        summary = await window.sync_now()
        result["seconds"] = time.perf_counter() - begin
        await asyncio.sleep(TAIL_SECONDS)         # the window's reload at the run's end
        result["end"] = time.perf_counter()
        if args.after > 0:           # on, past the collector's quiet wait: its one full collection after a sync
            await asyncio.sleep(args.after)
        result["thawed"] = float(sum(c.thawed for c in collectors))
        timer.stop()
        faulthandler.cancel_dump_traceback_later()
        result["invoices"] = summary.counts.invoices_created
        result["inbox"] = summary.inbox_active
        result["seen"] = summary.counts.orders_seen
        window.close()
        await service.close_sync()
        await service.aclose()

    try:
        with loop:
            loop.run_until_complete(run())
    finally:
        for collector in collectors:
            collector.stop()
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=30)
    after = [(g, when) for g, when in gaps if when > result.get("end", float("inf"))]
    gaps = [(g, when) for g, when in gaps if when <= result.get("end", float("inf"))]
    ms = sorted(g * 1000 for g, _when in gaps)
    worst = sorted(gaps, reverse=True)[:5]
    over = sum(1 for g in ms if g > TARGET_MS)
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{date.today().isoformat()}")
    print(f"store: {args.orders} orders (seed {args.seed}, time scale {args.time_scale:g}, quota {args.quota}, "
          f"concurrency {args.concurrency}); the window's sync took {result['seconds']:.1f} s: "
          f"{int(result['seen'])} orders read, {int(result['invoices'])} invoices created, "
          f"{int(result['inbox'])} in the inbox; {events[0]} progress events drawn")
    print(f"heartbeat ticks: {len(ms)}; gap between 5 ms ticks: median {ms[len(ms) // 2]:.1f} ms, "
          f"p99 {ms[int(len(ms) * 0.99)]:.1f} ms, p99.9 {ms[int(len(ms) * 0.999)]:.1f} ms, "
          f"longest {ms[-1]:.1f} ms; {over} gaps over {TARGET_MS:g} ms")
    print("longest gaps at (s into the sync): " + ", ".join(
        f"{g * 1000:.0f} ms @ {when - gaps[0][1]:.0f} s" for g, when in worst))
    if after:
        longest = max(after)
        print(f"the {args.after:g} s after (the window idle): {len(after)} ticks, longest gap "
              f"{longest[0] * 1000:.1f} ms at {longest[1] - result['end']:.0f} s; full collections freeing what "
              f"the sync left frozen: {int(result['thawed'])}")
    return 0 if ms[-1] <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
