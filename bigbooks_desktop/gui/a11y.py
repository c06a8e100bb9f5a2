"""What a screen reader says about a control: its accessible name (what it is) and description (what it does),
given in one call so no control is left with only a look."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

__all__ = ["describe"]

W = TypeVar("W", bound=QWidget)


def describe(widget: W, name: str, description: str, *, tooltip: bool = False) -> W:
    """Name `widget` and describe it for assistive technology (and, with `tooltip`, for the mouse too, unless
    it already has a tooltip of its own); returns the widget, so a constructor can be wrapped."""
    widget.setAccessibleName(name)
    widget.setAccessibleDescription(description)
    if tooltip and not widget.toolTip():
        widget.setToolTip(description)
    return widget
