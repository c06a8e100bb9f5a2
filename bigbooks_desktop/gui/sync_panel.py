"""The window's account of the sync: what it does and when it runs next, a progress bar, and the last run.

Fed every `SyncStatusView` the coordinator sends; once no sync runs the bar says how the last one ended (Done,
Stopped, Could not finish, Paused), never "Starting..." or a count that stopped moving.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QLabel, QProgressBar, QWidget

from bigbooks_desktop.core.views import RunStatus
from bigbooks_desktop.gui.sync_text import describe_status, progress_text, short_time, status_line
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

__all__ = ["SyncPanel"]


class SyncPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.line = QLabel()
        self.line.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.progress.setMinimumWidth(360)
        layout = QGridLayout(self)          # what it does and when next, beside the bar; the last run below
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(16)
        layout.setVerticalSpacing(6)
        layout.addWidget(self.line, 0, 0)
        layout.addWidget(self.progress, 0, 1)
        layout.addWidget(self.summary, 1, 0, 1, 2)
        layout.setColumnStretch(0, 1)
        layout.setColumnStretch(1, 1)
        self._bar(0, "Idle")

    def _bar(self, value: int, text: str, maximum: int = 1) -> None:
        self.progress.setRange(0, maximum)
        self.progress.setValue(value)
        self.progress.setFormat(text)

    def show_starting(self) -> None:
        self._bar(0, "Starting...")

    def show_stopping(self) -> None:
        self.progress.setFormat("Stopping after the orders under way...")

    def show_status(self, status: SyncStatusView) -> str:
        """Show `status`; returns the status bar's short message."""
        self.line.setText(status_line(status))
        self.summary.setText(describe_status(status))
        if status.state is SyncState.SYNCING:
            progress = status.progress
            if progress is not None and progress.total:
                self._bar(progress.done, progress_text(progress), progress.total)
            else:
                self._bar(0, progress_text(progress))
            return "Syncing..."
        if status.state is SyncState.WAITING:
            self._bar(0, "Waiting for another sync of this profile to finish")
            return "Waiting..."
        return self._show_outcome(status)

    def _show_outcome(self, status: SyncStatusView) -> str:
        summary = status.last_summary
        if status.runs == 0:
            self._bar(0, "Idle")
            return "Ready"
        finished = status.last_finished_at
        when = f" · {short_time(finished)}" if finished is not None else ""
        if status.state is SyncState.PAUSED or status.sign_in_needed:
            self._bar(0, f"Paused: sign-in needed{when}")
            return "Sync paused: sign in again"
        if status.last_error or summary is None:
            self._bar(0, f"Could not finish{when}")
            return "Sync could not finish"
        if summary.status is RunStatus.INTERRUPTED:
            self._bar(0, "Stopped")
            return "Sync stopped"
        self._bar(1, f"Done{when}")
        return "Sync finished"
