"""Notices inside the window (there may be no tray): an icon, a sentence, a button to what fixes it, dismiss."""

from __future__ import annotations

from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle

from bigbooks_desktop.gui.sync_text import Notice, NoticeKind

__all__ = ["NoticeBar"]


class NoticeBar(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setAutoFillBackground(True)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.action_button = QPushButton()
        self.action_button.clicked.connect(self._act)
        self.action: QAction | None = None
        self.dismiss = QPushButton("Dismiss")
        self.dismiss.setToolTip("Hide this notice")
        self.dismiss.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.action_button)
        layout.addWidget(self.dismiss)
        self.notice: Notice | None = None
        self.hide()

    def show_notice(self, notice: Notice, action: QAction | None) -> None:
        """Show `notice`, with a button that triggers `action` (the place that fixes it) when there is one."""
        self.notice = notice
        which = QStyle.StandardPixmap.SP_MessageBoxInformation if notice.kind is NoticeKind.PROBLEM \
            else QStyle.StandardPixmap.SP_MessageBoxWarning
        self.icon.setPixmap(self.style().standardIcon(which).pixmap(20, 20))
        self.text.setText(f"<b>{notice.title}.</b> {notice.message}")
        self.action = action
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action.text().replace("&", "").rstrip("."))
            self.action_button.setToolTip(action.toolTip())
        self.show()

    def _act(self) -> None:
        if self.action is not None:
            self.action.trigger()
        self.hide()
