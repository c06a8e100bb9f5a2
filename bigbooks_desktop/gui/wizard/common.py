"""Pieces the set-up pages and the settings window share: a message line that shows errors in place (instead of
a dialog over a form the user is filling in), buttons with mnemonics and tooltips, headings and hints drawn
with the palette's roles (so the light and dark themes both read), and the browser opener."""

from __future__ import annotations

import html
from collections.abc import Callable
from enum import Enum

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QVBoxLayout, QWidget

from bigbooks_desktop.core.errors import BigBooksError
from bigbooks_desktop.gui.ops import ErrorPresenter

__all__ = ["COLUMN_WIDTH", "InlineErrors", "MessageLine", "UrlOpener", "column", "heading", "hint", "make_button",
           "open_in_browser", "selectable"]

COLUMN_WIDTH = 760      # forms read best in a column of about this width, however wide the window

# Opens an address in the user's browser; tests pass a scripted browser.
UrlOpener = Callable[[str], object]


def open_in_browser(url: str) -> None:
    QDesktopServices.openUrl(QUrl(url))


def make_button(text: str, tip: str, *, shortcut: str | None = None, default: bool = False) -> QPushButton:
    """A push button with a mnemonic in `text` (&), a tooltip naming its shortcut when it has one."""
    button = QPushButton(text)
    if shortcut:
        button.setShortcut(QKeySequence(shortcut))
        keys = button.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        tip = f"{tip} ({keys})"
    button.setToolTip(tip)
    button.setAutoDefault(default)
    button.setDefault(default)
    return button


def column(parent: QWidget, *, width: int = COLUMN_WIDTH) -> QVBoxLayout:
    """The layout of a column at most `width` wide, on the left of `parent` (a page or a tab)."""
    inner = QWidget()
    inner.setMaximumWidth(width)
    body = QVBoxLayout(inner)
    body.setContentsMargins(0, 0, 0, 0)
    outer = QHBoxLayout(parent)
    outer.addWidget(inner, 1)
    outer.addStretch(0)
    return body


def heading(text: str, *, scale: float = 1.25) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setBold(True)
    label.setFont(font)
    label.setWordWrap(True)
    return label


def hint(text: str) -> QLabel:
    """Explanatory text, a step quieter than the form (the palette's placeholder colour, light or dark)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setOpenExternalLinks(False)
    return label


def selectable(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                  Qt.TextInteractionFlag.TextSelectableByKeyboard)
    return label


class _Tone(Enum):
    ERROR = QStyle.StandardPixmap.SP_MessageBoxWarning
    OK = QStyle.StandardPixmap.SP_DialogApplyButton
    INFO = QStyle.StandardPixmap.SP_MessageBoxInformation


class MessageLine(QWidget):
    """An icon and a sentence under a form: what went wrong and what to do, that it worked, or what happens now.
    Hidden while empty. Tests read `text()` and `tone`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.icon = QLabel()
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.label.setOpenExternalLinks(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.addWidget(self.icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.label, 1)
        self.tone: str = ""
        self.hide()

    def _show(self, tone: _Tone, html: str) -> None:
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self.icon.setPixmap(self.style().standardIcon(tone.value).pixmap(size, size))
        self.label.setText(html)
        self.tone = tone.name.lower()
        self.show()

    def show_error(self, error: BigBooksError) -> None:
        self._show(_Tone.ERROR, f"<b>{_escape(error.title)}</b><br>{_escape(error.message)}")

    def show_ok(self, text: str) -> None:
        self._show(_Tone.OK, text)

    def show_info(self, text: str) -> None:
        self._show(_Tone.INFO, text)

    def clear(self) -> None:
        self.label.clear()
        self.tone = ""
        self.hide()

    def text(self) -> str:
        return self.label.text()


class InlineErrors(ErrorPresenter):
    """Routes the errors of `run_op` to a `MessageLine` beside the form, instead of a dialog."""

    def __init__(self, line: MessageLine) -> None:
        super().__init__(line)
        self.line = line

    def show(self, error: BigBooksError) -> None:
        self.shown.append(error)
        self.line.show_error(error)


def _escape(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")
