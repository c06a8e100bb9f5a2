"""One service's sign-in at a glance: the style's "ok" or "warning" icon, the account's name and id, token health.

Colours come from the palette and the icons from the platform's style, so the card reads in light and dark
themes alike.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QStyle

from bigbooks_desktop.core.views import ConnectionView, ServiceName
from bigbooks_desktop.gui.formatting import local_time

__all__ = ["ConnectionCard"]

_NAMES = {ServiceName.BIGCOMMERCE: "BigCommerce", ServiceName.FRESHBOOKS: "FreshBooks"}


class ConnectionCard(QFrame):
    def __init__(self, service: ServiceName) -> None:
        super().__init__()
        self.service = service
        self.connected: bool | None = None         # None until the first status arrives
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        self.icon = QLabel()
        self.icon.setFixedSize(20, 20)
        self.title = QLabel(_NAMES[service])
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.detail = QLabel("Checking...")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QGridLayout(self)          # one line: the window's screens get the height
        layout.setContentsMargins(12, 6, 12, 6)
        layout.setHorizontalSpacing(10)
        layout.addWidget(self.icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.title, 0, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.detail, 0, 2)
        layout.setColumnStretch(2, 1)

    def _set_icon(self, ok: bool) -> None:
        which = QStyle.StandardPixmap.SP_DialogApplyButton if ok else QStyle.StandardPixmap.SP_MessageBoxWarning
        self.icon.setPixmap(self.style().standardIcon(which).pixmap(18, 18))
        self.icon.setToolTip("Signed in" if ok else "Not signed in")

    def show_status(self, status: ConnectionView) -> None:
        self.connected = status.connected
        self._set_icon(status.connected and not status.problem)
        if not status.connected:
            self.detail.setText(status.problem or "Not signed in.")
            self.setToolTip(f"{_NAMES[self.service]}: not signed in")
            return
        extra = status.plan or status.user_email
        parts = (status.account_name or "(unnamed)", status.account_id, extra)
        self.detail.setText(" · ".join(part for part in parts if part))
        tips = [f"{_NAMES[self.service]}: signed in"]
        if status.token_expires_at is not None:
            tips.append(f"access token expires {local_time(status.token_expires_at)}")
        if status.last_refresh_at is not None:
            tips.append(f"last refreshed {local_time(status.last_refresh_at)}")
        if status.problem:
            tips.append(status.problem)
        self.setToolTip("; ".join(tips))
