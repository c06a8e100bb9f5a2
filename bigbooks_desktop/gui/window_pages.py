"""The main window's screens, one tab each: the dashboard, orders beside invoices, the error inbox (with its count
in the tab) and the runs; what an empty screen says while nothing is connected or a sync is under way."""

from __future__ import annotations

import asyncio
from enum import IntEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabWidget, QWidget

from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.pages.dashboard import DashboardPage
from bigbooks_desktop.gui.pages.inbox import InboxPage
from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage
from bigbooks_desktop.gui.pages.orders import OrdersPage
from bigbooks_desktop.gui.pages.runs import RunsPage

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["Screen", "WindowPages"]

Page = DashboardPage | OrdersPage | InboxPage | RunsPage | MappingEditorPage


class Screen(IntEnum):
    """Tab numbers, in the order of their shortcuts (Ctrl+1 ...)."""

    DASHBOARD = 0
    ORDERS = 1
    INBOX = 2
    RUNS = 3
    MAPPING = 4


TITLES = {Screen.DASHBOARD: "Dashboard", Screen.ORDERS: "Orders && invoices", Screen.INBOX: "Error inbox",
          Screen.RUNS: "Runs", Screen.MAPPING: "Mapping"}
TIPS = {Screen.DASHBOARD: "Today, this week and this month; syncs per day; the API budget; recent activity",
        Screen.ORDERS: "Each BigCommerce order beside its FreshBooks invoice, line by line",
        Screen.INBOX: "The orders that need attention, grouped by cause, with the fix for each",
        Screen.RUNS: "Every sync run, undo, dry run and the reconciliation report",
        Screen.MAPPING: "Which order field fills each FreshBooks field, and the rules: the mapping profile"}


class WindowPages(QTabWidget):
    """Every screen of the main window; `refresh()` reloads them all."""

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard = DashboardPage(service, presenter=presenter, follow_runs=False)   # reloaded with the window
        self.orders = OrdersPage(service, presenter=presenter)
        self.inbox = InboxPage(service, presenter=presenter)
        self.runs = RunsPage(service, presenter=presenter, follow_runs=False)
        self.mapping = MappingEditorPage(service, presenter=presenter)
        self.presenter = presenter
        self.inbox_count = 0
        for screen, page in zip(Screen, self.pages(), strict=True):
            shown: QWidget = page
            if page is self.dashboard:     # cards, a chart and the activity: scrolls rather than cut at 1280x800
                shown = QScrollArea()
                shown.setWidget(page)
                shown.setWidgetResizable(True)
                shown.setFrameShape(QFrame.Shape.NoFrame)
            self.addTab(shown, TITLES[screen])                 # "&&": a literal ampersand, not a mnemonic
            self.setTabToolTip(screen, f"{TIPS[screen]} (Ctrl+{screen + 1})")
        self.setDocumentMode(True)
        self.setAccessibleName("Screens")
        self._stale: set[Page] = set()           # screens to reload when next shown
        self.currentChanged.connect(self._shown)
        self.inbox.count_changed.connect(self._show_inbox_count)
        self.inbox.open_order.connect(self.show_order)

    def pages(self) -> tuple[DashboardPage, OrdersPage, InboxPage, RunsPage, MappingEditorPage]:
        return self.dashboard, self.orders, self.inbox, self.runs, self.mapping

    def show_screen(self, screen: Screen) -> None:
        self.setCurrentIndex(screen)

    def focus_screen(self, screen: Screen) -> None:
        """Show the screen and put the keyboard focus on its first control (Ctrl+1..4: the keys go on
        working in the screen chosen, not in the header)."""
        self.show_screen(screen)
        page = self.widget(screen)
        widget = page.nextInFocusChain() if page is not None else None
        while widget is not None and widget is not page:
            if page is not None and page.isAncestorOf(widget) and widget.isVisible() and widget.isEnabled() \
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return
            widget = widget.nextInFocusChain()

    def current_screen(self) -> Screen:
        return Screen(self.currentIndex())

    def show_order(self, order_id: int) -> asyncio.Future[None]:
        """The orders screen with this order (and its invoice) selected."""
        self.show_screen(Screen.ORDERS)
        return run_op(self, self.orders.show_order(order_id), presenter=self.presenter)

    def refresh(self, *, shown_only: bool = False) -> asyncio.Future[list[BaseException | None]]:
        """Reload every screen at once, or (`shown_only`) the one shown and the inbox (its count is in the tab),
        the others marked to reload when next shown; the future ends when all asked have (each shows its own
        errors)."""
        pages: tuple[Page, ...] = self.pages()
        if self.currentWidget() is not self.mapping:
            # the editor reads the store's last orders for its preview: only when it is looked at
            self._stale.add(self.mapping)
            pages = tuple(page for page in pages if page is not self.mapping)
        if shown_only:
            shown = self.pages()[self.currentIndex()]
            pages = (shown,) if shown is self.inbox else (shown, self.inbox)
            self._stale.update(page for page in self.pages() if page not in pages)
        else:
            self._stale.intersection_update({self.mapping})
        return asyncio.gather(*(page.refresh() for page in pages), return_exceptions=True)

    def _shown(self, index: int) -> None:
        page = self.pages()[index]
        if page in self._stale:
            self._stale.discard(page)
            page.refresh()

    def _show_inbox_count(self, count: int) -> None:
        self.inbox_count = count
        self.setTabText(Screen.INBOX, f"Error inbox ({count})" if count else "Error inbox")

    def set_context(self, *, loaded: bool, connected: bool, busy: bool) -> None:
        """What an empty inbox says: never "nothing needs your attention" before a sync in progress ends."""
        if not loaded:
            text = "Loading..."
        elif not connected:
            text = "Nothing to show yet: connect BigCommerce and FreshBooks first (BigBooks > Set up BigBooks)."
        elif busy:
            text = "A sync is under way: orders that need attention show here when it finishes."
        else:
            text = ("Nothing needs your attention: every order synced or was skipped on purpose. Orders that "
                    "cannot be invoiced (no email, a SKU FreshBooks does not know...) wait here with what to do.")
        self.inbox.empty.setText(text)
