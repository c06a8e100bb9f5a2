"""Python's cyclic garbage collection kept on the GUI thread, where Qt objects may be destroyed, and kept short.

Automatic collection runs in whichever thread happens to allocate: a keychain call on a worker thread, or
the demo's sandbox thread. If a cycle holding a Qt object is collected there, Qt destroys the object off its
thread ("QObject::~QObject: Timers cannot be stopped from another thread") and can crash later. So while
the GUI runs, automatic collection is off and a timer on the GUI thread collects each generation once its
count passes the usual threshold (the pattern pyqtgraph and others use).

Kept short, because a collection stops the window: a full collection walks every object alive, and a big
sync holds its store and what it learns on its worker thread (80 ms of frozen window per full collection with
1,000 orders, far more with 10,000), while its HTTP requests leave cyclic garbage at a high rate. So:
- `freeze_startup()` takes what start-up made (modules, Qt wrappers, the window) out of the walk (`gc.freeze`);
- as a sync starts, what is alive (the screens' data loaded since start-up) is frozen without a collection
  (which would walk it all: 57 ms with a big store's screens loaded);
- while a sync runs, young collections run every 40 ms instead of 500 (each walks what was allocated since the
  last one, and the worker allocates fast), so request garbage mostly dies young; and there is no full
  collection at all: each middle collection (generations 0 and 1, a few thousand objects) is followed by a
  freeze, so what survives it (the sync's live data) never reaches the old generation and is never walked
  again (full collections every 1.3 s, each walking what the sync made since the last, still cost up to 59 ms
  on a 10,000-order sync);
- the sync's data is freed by reference counting when it ends (it holds no cycles); what was frozen and became
  cyclic garbage later (requests in flight at a freeze, the run's clients) stays frozen until
  `THAW_AFTER_OBJECTS` such objects have gathered; then, once no sync has run for `THAW_WHEN_QUIET_S`, one
  full collection frees it all and start-up's objects are frozen again: a longer pause (about as long as the
  one at start-up, 40-60 ms here), once, well after a big sync rather than in the moment the window redraws
  what the sync did.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from bigbooks_desktop.service.coordination import SyncStatusView

__all__ = ["MainThreadGarbageCollector"]

THAW_AFTER_OBJECTS = 150_000    # frozen objects beyond start-up's before one full collection frees the garbage
THAW_WHEN_QUIET_S = 30.0        # ...put off until no sync has run for this long


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500, busy_interval_ms: int = 40,
                 sync_status: Callable[[], SyncStatusView] | None = None,
                 thaw_after_objects: int = THAW_AFTER_OBJECTS, thaw_when_quiet_s: float = THAW_WHEN_QUIET_S) -> None:
        super().__init__(parent)
        self._thaw_after = thaw_after_objects
        self._thaw_quiet = thaw_when_quiet_s
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        self._idle_interval = interval_ms
        self._busy_interval = min(busy_interval_ms, interval_ms)
        self._sync_status = sync_status
        self._during_sync = False
        self._quiet_since: float | None = None      # when the last sync ended (the thaw waits for quiet)
        self._startup_frozen = 0
        self.thawed = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def freeze_startup(self) -> None:
        """Collect once, then move every object alive now out of the collector's sight (modules, Qt wrappers,
        the window): later full collections walk only what was made after start-up."""
        gc.collect()
        gc.freeze()
        self._startup_frozen = gc.get_freeze_count()

    def check(self) -> None:
        """Collect the oldest generation whose allocation count passed its threshold (GUI thread only), with
        the sync-time rules of the module docstring."""
        busy = self._sync_status is not None and self._sync_status().busy
        self._timer.setInterval(self._busy_interval if busy else self._idle_interval)
        counts = gc.get_count()
        if busy:
            if not self._during_sync:
                self._during_sync = True
                gc.freeze()     # the window's data as the sync starts: no collection ever walks it again
                return
            if counts[1] > self._threshold[1]:
                gc.collect(1)   # the young generations only...
                gc.freeze()     # ...and what survived (the sync's live data) never reaches the old one
            elif counts[0] > self._threshold[0]:
                gc.collect(0)
            return
        if self._during_sync:
            self._during_sync = False
            self._quiet_since = time.monotonic()
        if self._quiet_since is not None and time.monotonic() - self._quiet_since >= self._thaw_quiet:
            self._quiet_since = None
            if gc.get_freeze_count() - self._startup_frozen > self._thaw_after:
                self.thawed += 1
                gc.unfreeze()
                gc.collect()                  # what frozen syncs left in cycles, freed at last (one longer pause)
                gc.freeze()
                return
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Collect everything here, on the GUI thread, and give collection back to Python."""
        self._timer.stop()
        gc.unfreeze()
        gc.collect()
        if self._was_enabled:
            gc.enable()
