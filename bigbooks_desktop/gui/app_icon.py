"""The app's icon: the drawn icon files of `resources/` (made by build/make_icons.py; beside the package in a
checkout, in the frozen app's folder when packaged) when present, else drawn here from the palette (the highlight
colour behind a "B"); with a small badge for the tray's states: syncing, attention needed."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

__all__ = ["Badge", "app_icon", "icon_files"]

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


class Badge(StrEnum):
    NONE = "none"
    SYNCING = "syncing"
    ATTENTION = "attention"


def resources_dir() -> Path:
    """`resources/`: in the frozen app's folder (PyInstaller's `sys._MEIPASS`), else beside the package."""
    frozen = getattr(sys, "_MEIPASS", None)
    if isinstance(frozen, str):
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def icon_files() -> dict[int, Path]:
    """The drawn icon's PNGs by size (`icon-<size>.png`); empty when there are none."""
    folder = resources_dir()
    found: dict[int, Path] = {}
    if folder.is_dir():
        for path in folder.glob("icon-*.png"):
            size = path.stem.removeprefix("icon-")
            if size.isdigit():
                found[int(size)] = path
    return found


def _drawn(size: int, palette: QPalette) -> QPixmap:
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
    painter.end()
    return pixmap


def _base(size: int, palette: QPalette, files: dict[int, Path]) -> QPixmap:
    """The icon file of this size (or the nearest larger one, scaled down), else the drawn "B"."""
    for candidate in sorted(files, key=lambda s: (s < size, abs(s - size))):
        pixmap = QPixmap(str(files[candidate]))
        if not pixmap.isNull():
            if candidate != size:
                pixmap = pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                                       Qt.TransformationMode.SmoothTransformation)
            return pixmap
    return _drawn(size, palette)


def _pixmap(size: int, palette: QPalette, badge: Badge, files: dict[int, Path]) -> QPixmap:
    pixmap = _base(size, palette, files)
    if badge is not Badge.NONE:       # a round badge in the window's colours, its glyph saying which state
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = QFont()
        font.setBold(True)
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
    files = icon_files()
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(_pixmap(size, palette, badge, files))
    return icon
