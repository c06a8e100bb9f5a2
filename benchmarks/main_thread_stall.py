"""How long the GUI thread stalls during a big sync: a 5 ms Qt timer on the qasync loop records the gaps
between its ticks while the service syncs a sandbox store (served on another thread over loopback sockets).

Run on demand (not part of pytest):  .venv/bin/python benchmarks/main_thread_stall.py [--orders N]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from datetime import date

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=400)
    parser.add_argument("--time-scale", type=float, default=100.0)
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="bigbooks-stall-")
    os.environ["BIGBOOKS_HOME"] = home
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"   # throw-away sandbox credentials in a throw-away folder

    import qasync
    from PySide6.QtCore import QTimer

    from bigbooks_desktop.gui.app import make_application
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    app = make_application()
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    result: dict[str, float] = {}
    with SandboxThread(SandboxConfig(orders=args.orders, seed=7, time_scale=args.time_scale)) as sandbox:
        async def run() -> None:
            service = BigBooksService(allow_file_store=True)
            await service.connect_sandbox(sandbox.info["admin_url"])
            gaps.clear()
            last[0] = time.perf_counter()
            started = time.perf_counter()
            summary = await service.sync_once(since=date(2000, 1, 1))
            result["seconds"] = time.perf_counter() - started
            result["invoices"] = summary.counts.invoices_created
            await service.aclose()

        with loop:
            loop.run_until_complete(run())
    gaps.sort()
    ms = [g * 1000 for g in gaps]
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"store: {args.orders} orders (time scale {args.time_scale:g}); sync {result['seconds']:.1f} s, "
          f"{int(result['invoices'])} invoices created")
    print(f"timer ticks: {len(ms)}; gap between 5 ms ticks: median {ms[len(ms) // 2]:.1f} ms, "
          f"p99 {ms[int(len(ms) * 0.99)]:.1f} ms, longest {ms[-1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
