"""Benchmark: the orders and invoices side by side on a 100,000-order local copy (offscreen).

Measures the time until the first rows are shown, the longest GUI-thread stall (a 5 ms heartbeat QTimer) while
scrolling the orders table to the bottom a page at a time and sorting by two columns, and the peak memory of
the process (ru_maxrss: resident set, the copy's rows held by both tables included; tracemalloc would slow the
run it measures). Rows go in through the store's own `save_order_copy` into a temporary profile.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/orders_view.py [--orders 100000]
"""

# The run polls Qt state with short sleeps (the heartbeat must keep ticking; no signal says "painted").
# ruff: noqa: ASYNC110

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")


def fill(count: int) -> float:
    from bigbooks_desktop.store.db import transaction
    from bigbooks_desktop.store.order_copies import OrderCopy, OrderCopyState, save_order_copy

    rng = random.Random(7)
    names = ["Ann Lee", "José Smith", "Liam Tanaka", "Søren Brown", "Jane Doe", "Nguyễn Văn", "Ingrid Holm"]
    start = time.perf_counter()
    base = datetime(2024, 1, 1, tzinfo=UTC)
    states = [OrderCopyState.SYNCED] * 8 + [OrderCopyState.NEEDS_ATTENTION, OrderCopyState.NOT_INVOICED]
    for first in range(0, count, 5000):
        with transaction():
            for n in range(first, min(count, first + 5000)):
                total = Decimal(rng.randint(500, 500_000)) / 100
                state = rng.choice(states)
                invoiced = state is OrderCopyState.SYNCED
                save_order_copy(OrderCopy(
                    order_id=100 + n, date_created=base + timedelta(minutes=5 * n),
                    date_modified=base + timedelta(minutes=5 * n + 1), status_id=10, status="Completed",
                    customer=rng.choice(names), email=f"customer{n % 5000}@example.com",
                    currency=rng.choice(["USD", "USD", "EUR", "CAD"]), total=total, tax=total / 11,
                    refunded=Decimal(0), invoice_id=900_000 + n if invoiced else None,
                    invoice_number=f"BC-{100 + n}" if invoiced else None,
                    invoice_amount=total if invoiced else None, invoice_tax=total / 11 if invoiced else None,
                    state=state, note="" if invoiced else "Order has no email address.", outcome="synced"))
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="bigbooks-orders-bench-"))
    os.environ["BIGBOOKS_HOME"] = str(home)

    import qasync
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from bigbooks_desktop.gui.pages.orders import OrdersPage
    from bigbooks_desktop.service import BigBooksService

    app = QApplication.instance() or QApplication(sys.argv)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector(app)       # as the app runs (gui/app.py): short GC on the GUI thread
    service = BigBooksService(database=home / "bigbooks.sqlite3")
    fill_seconds = fill(args.orders)

    stalls: list[float] = []
    last = [time.perf_counter()]
    phase = ["open"]
    worst: dict[str, float] = {}

    def beat() -> None:
        now = time.perf_counter()
        gap = now - last[0]
        last[0] = now
        stalls.append(gap)
        worst[phase[0]] = max(worst.get(phase[0], 0.0), gap)

    heartbeat = QTimer()
    heartbeat.setInterval(5)
    heartbeat.timeout.connect(beat)

    async def run() -> dict[str, float]:
        heartbeat.start()
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        page = OrdersPage(service)
        page.resize(1280, 760)
        page.show()
        page.refresh()
        while page.orders.rowCount() == 0 or page.orders_box.currentWidget() is not page.orders_view:
            await asyncio.sleep(0.001)
        first_rows = time.perf_counter() - started
        await asyncio.sleep(0.2)
        phase[0] = "scroll"
        scrolled = time.perf_counter()
        bar = page.orders_view.verticalScrollBar()
        while page.orders.rowCount() < page.orders.total:
            before = page.orders.rowCount()
            bar.setValue(bar.maximum())                 # the view asks fetchMore at the bottom
            while page.orders.rowCount() == before:
                await asyncio.sleep(0.002)
        scroll_seconds = time.perf_counter() - scrolled
        loaded = page.orders.rowCount()
        phase[0] = "sort"
        sorted_at = time.perf_counter()
        for column in (6, 3):                           # Total, then Customer
            page.orders_view.horizontalHeader().setSortIndicator(column, page.orders_view.horizontalHeader()
                                                                 .sortIndicatorOrder())
            while not page.orders.loaded or page.orders.rowCount() == 0:
                await asyncio.sleep(0.002)
            bar.setValue(bar.maximum())
            await asyncio.sleep(0.3)
        sort_seconds = time.perf_counter() - sorted_at
        heartbeat.stop()
        collector.stop()
        page.close()
        return {"first_rows": first_rows, "scroll": scroll_seconds, "sort": sort_seconds,
                "rows": float(loaded)}

    with loop:
        result = loop.run_until_complete(run())
        loop.run_until_complete(service.aclose())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {platform.system()} {platform.release()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}")
    print(f"orders in the local copy: {args.orders:,} (inserted in {fill_seconds:.1f} s)")
    print(f"time to first rows shown: {result['first_rows'] * 1000:.0f} ms (target <= 1000 ms)")
    print(f"scrolled to the bottom ({int(result['rows']):,} rows loaded) in {result['scroll']:.1f} s; "
          f"longest GUI-thread stall while scrolling: {worst.get('scroll', 0) * 1000:.1f} ms")
    print(f"sorting by Total then Customer: {result['sort']:.1f} s; "
          f"longest stall: {worst.get('sort', 0) * 1000:.1f} ms")
    print(f"longest stall while opening: {worst.get('open', 0) * 1000:.1f} ms; "
          f"overall: {max(stalls) * 1000:.1f} ms (target <= 50 ms, 5 ms heartbeat)")
    print(f"peak memory (ru_maxrss, whole process): {peak_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
