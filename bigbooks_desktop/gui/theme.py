"""Light and dark: the window takes every colour from the palette the system gives Qt (no style sheet names a
colour), so it follows the desktop's light or dark mode by itself. `dark_palette()` is such a palette for
previews where no desktop is there to hand one over (the offscreen platform, screenshots)."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

__all__ = ["dark_palette"]

_DARK = {
    QPalette.ColorRole.Window: "#2b2d30",
    QPalette.ColorRole.WindowText: "#e8e8e8",
    QPalette.ColorRole.Base: "#1e1f22",
    QPalette.ColorRole.AlternateBase: "#26282b",
    QPalette.ColorRole.Text: "#e8e8e8",
    QPalette.ColorRole.Button: "#3a3d41",
    QPalette.ColorRole.ButtonText: "#e8e8e8",
    QPalette.ColorRole.Highlight: "#3574f0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.ToolTipBase: "#3b3f45",
    QPalette.ColorRole.ToolTipText: "#e8e8e8",
    QPalette.ColorRole.PlaceholderText: "#9a9da3",
    QPalette.ColorRole.Mid: "#4a4d52",
    QPalette.ColorRole.Dark: "#191a1c",
    QPalette.ColorRole.Light: "#4e5157",
    QPalette.ColorRole.Midlight: "#45484d",
    QPalette.ColorRole.Shadow: "#000000",
    QPalette.ColorRole.Link: "#6ea8fe",
    QPalette.ColorRole.BrightText: "#ffffff",
}


def dark_palette() -> QPalette:
    """What a desktop in dark mode hands Qt, roughly (disabled text dimmed)."""
    palette = QPalette()
    for role, colour in _DARK.items():
        palette.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7d82"))
    return palette
