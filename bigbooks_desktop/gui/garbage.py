"""Python's cyclic garbage collection kept on the GUI thread, where Qt objects may be destroyed.

Automatic collection runs in whichever thread happens to allocate: a keychain call on a worker thread, or
the demo's sandbox thread. If a cycle holding a Qt object is collected there, Qt destroys the object off its
thread ("QObject::~QObject: Timers cannot be stopped from another thread") and can crash later. So while
the GUI runs, automatic collection is off and a timer on the GUI thread collects each generation once its
count passes the usual threshold (the pattern pyqtgraph and others use).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["MainThreadGarbageCollector"]


class MainThreadGarbageCollector(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 500) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> None:
        """Collect the oldest generation whose allocation count passed its threshold (GUI thread only)."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._threshold[generation]:
                gc.collect(generation)
                return

    def stop(self) -> None:
        """Collect everything here, on the GUI thread, and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
