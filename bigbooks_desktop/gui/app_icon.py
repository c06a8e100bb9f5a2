"""The app's icon, drawn from the palette (the highlight colour behind a "B") so it follows the system theme,
with a small badge for the tray's states: syncing, attention needed."""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

__all__ = ["Badge", "app_icon"]


class Badge(StrEnum):
    NONE = "none"
    SYNCING = "syncing"
    ATTENTION = "attention"


def _pixmap(size: int, palette: QPalette, badge: Badge) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(palette.color(QPalette.ColorRole.Highlight))
    painter.drawRoundedRect(QRectF(0, 0, size, size), size * 0.22, size * 0.22)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.62))
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "B")
    if badge is not Badge.NONE:       # a round badge in the window's colours, its glyph saying which state
        radius = size * 0.24
        badge_rect = QRectF(size - 2 * radius, size - 2 * radius, 2 * radius, 2 * radius)
        painter.setPen(palette.color(QPalette.ColorRole.WindowText))
        painter.setBrush(palette.color(QPalette.ColorRole.Window))
        painter.drawEllipse(badge_rect.adjusted(0.5, 0.5, -0.5, -0.5))
        font.setPixelSize(max(6, int(radius * 1.5)))
        painter.setFont(font)
        painter.drawText(badge_rect, Qt.AlignmentFlag.AlignCenter, "!" if badge is Badge.ATTENTION else "↻")
    painter.end()
    return pixmap


def app_icon(badge: Badge = Badge.NONE) -> QIcon:
    """The icon at the sizes window managers and trays ask for."""
    palette = QGuiApplication.palette()
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128):
        icon.addPixmap(_pixmap(size, palette, badge))
    return icon
