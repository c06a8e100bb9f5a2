"""The error inbox: problems grouped by cause on the left ("12 orders: no email"), on the right what happened and
what to do in plain words, the fix as a form, and Retry, Retry all like this, Ignore (with a reason) and the raw
payload. Enter, F2 or a double-click opens the fix; the same actions sit in the context menu."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from bigbooks_desktop.core.inbox_views import (
    FixKind,
    InboxCauseView,
    InboxFixView,
    InboxGroupsView,
    row_label,
)
from bigbooks_desktop.core.views import InboxView
from bigbooks_desktop.gui.a11y import describe
from bigbooks_desktop.gui.formatting import cell_text
from bigbooks_desktop.gui.models.inbox_groups import GroupColumn, InboxGroupsModel, status_words
from bigbooks_desktop.gui.ops import ErrorPresenter, Reload, run_op
from bigbooks_desktop.gui.pages.inbox_actions import InboxActions
from bigbooks_desktop.gui.pages.inbox_fix_forms import (
    EmailFixForm,
    FixForm,
    InvoicePickForm,
    NoFixForm,
    SkuFixForm,
    TaxFixForm,
)
from bigbooks_desktop.gui.pages.inbox_record_forms import ConflictFixForm, SharedSkuForm
from bigbooks_desktop.gui.table_page import RESIZE_PRECISION
from bigbooks_desktop.gui.wizard.common import InlineErrors, MessageLine, heading, hint, make_button, selectable

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["InboxPage"]

_EMPTY = ("Nothing needs your attention. Orders that cannot be invoiced (no email, a SKU FreshBooks does not "
          "know...) wait here with what to do.")


class InboxPage(InboxActions, QWidget):
    count_changed = Signal(int)            # active problems, for the navigation badge
    open_order = Signal(int)               # "show this order" (the orders page)

    def __init__(self, service: BigBooksService, *, presenter: ErrorPresenter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.presenter = presenter or ErrorPresenter(self)
        self._reload = Reload(self, self._load, self.presenter)
        self.groups = InboxGroupsView(groups=(), total=0)
        self.fix: InboxFixView | None = None
        self._wanted: int | None = None          # the item whose detail was asked for last
        self.pending: asyncio.Future[object] | None = None   # the last action (tests await it)
        self.dialog: QWidget | None = None       # the open Ignore / raw payload dialog
        self._build()

    # -- layout ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.model = InboxGroupsModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.setAccessibleName("Problems by cause")
        self.tree.setAccessibleDescription("Each group is one cause with its number of orders; Enter or F2 opens "
                                           "the fix of the selected order")
        self.tree.setToolTip("Problems grouped by cause. Enter or F2: fix; right-click: more")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(GroupColumn.PROBLEM, QHeaderView.ResizeMode.Stretch)
        for column in (GroupColumn.STATUS, GroupColumn.ATTEMPTS, GroupColumn.UPDATED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(RESIZE_PRECISION)
        self.tree.installEventFilter(self)
        self.tree.doubleClicked.connect(lambda _i: self.open_fix())
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self.tree.selectionModel().currentRowChanged.connect(self._current_changed)

        self.empty = QLabel(_EMPTY)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty.setMargin(24)
        self.empty.setFocusPolicy(Qt.FocusPolicy.StrongFocus)   # the keyboard can rest here: a reader says it
        self.left = QStackedWidget()
        self.left.addWidget(self.empty)
        self.left.addWidget(self.tree)
        self.left.setMinimumWidth(440)

        self.title = heading("", scale=1.2)
        self.title.setAccessibleName("Problem")
        self.facts = hint("")
        self.happened = selectable()
        self.happened.setAccessibleName("What happened")
        self.to_do = selectable()
        self.to_do.setAccessibleName("What to do")
        self.email_form = EmailFixForm()
        self.sku_form = SkuFixForm()
        self.tax_form = TaxFixForm()
        self.invoice_form = InvoicePickForm()
        self.no_fix_form = NoFixForm()
        self.conflict_form = ConflictFixForm()
        self.shared_sku_form = SharedSkuForm()
        self.forms: dict[FixKind, FixForm] = {
            FixKind.EMAIL: self.email_form, FixKind.SKU_ITEM: self.sku_form, FixKind.TAX: self.tax_form,
            FixKind.PICK_INVOICE: self.invoice_form, FixKind.NONE: self.no_fix_form,
            FixKind.CHOOSE_VALUES: self.conflict_form, FixKind.FOLLOW_PRODUCT: self.shared_sku_form}
        self.form_stack = QStackedWidget()
        for form in self.forms.values():
            self.form_stack.addWidget(form)
        self.email_form.save_requested.connect(self._save_email)
        self.sku_form.map_requested.connect(self._map_sku)
        self.sku_form.create_requested.connect(self._create_item)
        self.sku_form.refresh_requested.connect(lambda: self._load_items(refresh=True))
        self.tax_form.map_requested.connect(self._map_tax)
        self.invoice_form.pick_requested.connect(self._pick_invoice)
        self.conflict_form.choose_requested.connect(self._choose_values)
        self.shared_sku_form.follow_requested.connect(self._follow_product)

        self.retry_button = make_button("&Retry", "Sync this order again now", shortcut="Ctrl+R")
        self.retry_all_button = make_button("Retry &all like this", "Sync every order with this cause again",
                                            shortcut="Ctrl+Shift+R")
        self.ignore_button = make_button("&Ignore...", "Leave this problem alone, saying why", shortcut="Ctrl+I")
        self.raw_button = make_button("View ra&w payload...", "The data the sync failed on, as JSON")
        for button in (self.retry_button, self.retry_all_button, self.ignore_button, self.raw_button):
            button.setAccessibleName(button.text().replace("&", "").rstrip("."))
        self.retry_button.clicked.connect(self.retry)
        self.retry_all_button.clicked.connect(self.retry_all_like_this)
        self.ignore_button.clicked.connect(self.ask_ignore)
        self.raw_button.clicked.connect(self.show_raw)
        self.result = MessageLine()
        self.history = selectable()
        self.history.setAccessibleName("What was done")
        self.history.setTextFormat(Qt.TextFormat.PlainText)

        detail = QWidget()
        body = QVBoxLayout(detail)
        body.addWidget(self.title)
        body.addWidget(self.facts)
        body.addSpacing(6)
        body.addWidget(heading("What happened", scale=1.0))
        body.addWidget(self.happened)
        body.addWidget(heading("What to do", scale=1.0))
        body.addWidget(self.to_do)
        body.addSpacing(6)
        body.addWidget(heading("Fix", scale=1.0))
        body.addWidget(self.form_stack)
        body.addWidget(self.result)
        actions = QHBoxLayout()
        for button in (self.retry_button, self.retry_all_button, self.ignore_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.raw_button)
        body.addLayout(actions)
        body.addSpacing(6)
        body.addWidget(heading("What was done", scale=1.0))
        body.addWidget(self.history)
        body.addStretch(1)
        self.detail = detail
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)
        scroll.setMinimumWidth(520)
        describe(scroll, "Problem detail", "What happened to the selected order, what to do, its fix form and "
                 "what was done; Tab moves through it, Shift+Tab back to the list")
        self.placeholder = hint("Select a problem on the left to see what happened and how to fix it.")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.right = QStackedWidget()
        self.right.addWidget(self.placeholder)
        self.right.addWidget(scroll)

        splitter = QSplitter()
        splitter.addWidget(self.left)
        splitter.addWidget(self.right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([500, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self._set_actions_enabled(False)

    # -- loading ---------------------------------------------------------------------------------------

    def refresh(self) -> asyncio.Future[None]:
        """Reload the groups (and the selected row's detail); a reload asked for during one runs once more."""
        return self._reload.request()

    async def _load(self) -> None:
        self._show_groups(await self.service.inbox_groups())
        if self.selected_item() is not None:
            await self._load_fix(self.selected_item_id())

    def _show_groups(self, groups: InboxGroupsView) -> None:
        keep_item = self.selected_item_id()
        selected = self.selected_group()
        keep_group = selected.key if selected is not None else None
        self.groups = groups
        self.tree.selectionModel().blockSignals(True)
        self.model.set_groups(groups)
        for row in range(len(groups.groups)):         # a group's "12 orders: no email" spans the row
            self.tree.setFirstColumnSpanned(row, QModelIndex(), True)
        self.tree.expandAll()
        self.tree.selectionModel().blockSignals(False)
        self.left.setCurrentIndex(1 if groups.groups else 0)
        index = self.model.item_index(keep_item) if keep_item is not None else QModelIndex()
        if not index.isValid() and keep_group is not None:
            group = self.model.group_index(keep_group)
            index = self.model.index(0, 0, group) if group.isValid() else QModelIndex()
        if not index.isValid() and groups.groups:
            index = self.model.index(0, 0, self.model.index(0, 0))
        if index.isValid():
            self.tree.selectionModel().blockSignals(True)
            self.tree.setCurrentIndex(index)
            self.tree.selectionModel().blockSignals(False)
        else:
            self._show_fix(None)
        self.count_changed.emit(groups.total)

    def selected_item(self) -> InboxView | None:
        return self.model.item_of(self.tree.currentIndex())

    def selected_item_id(self) -> int | None:
        item = self.selected_item()
        return item.id if item is not None else None

    def selected_group(self) -> InboxCauseView | None:
        return self.model.group_of(self.tree.currentIndex())

    def select_item(self, item_id: int) -> asyncio.Future[None]:
        """Select a row and load its detail (tests, pictures, other pages)."""
        index = self.model.item_index(item_id)
        self.tree.setCurrentIndex(index)
        return self._detail_future()

    def select_group(self, key: str) -> asyncio.Future[None]:
        """Select the first row of a cause group."""
        group = self.model.group_index(key)
        self.tree.setCurrentIndex(self.model.index(0, 0, group) if group.isValid() else group)
        return self._detail_future()

    def _detail_future(self) -> asyncio.Future[None]:
        future = self._detail
        if future is None:
            done: asyncio.Future[None] = asyncio.get_event_loop().create_future()
            done.set_result(None)
            return done
        return future

    _detail: asyncio.Future[None] | None = None

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        item = self.model.item_of(current)
        if item is None:
            group = self.model.group_of(current)
            self._show_fix(None, group)
            self._detail = None
            return
        self._detail = run_op(self, self._load_fix(item.id), presenter=self.presenter)

    async def _load_fix(self, item_id: int | None) -> None:
        if item_id is None:
            return
        self._wanted = item_id
        fix = await self.service.inbox_fix(item_id)
        if fix == self.fix:
            return          # a reload (every run's end) that changed nothing here: no relayout, form kept as typed
        if self._wanted == item_id:
            self._show_fix(fix)
            if fix.fix is FixKind.SKU_ITEM:
                await self._items(refresh=False)
            elif fix.fix is FixKind.TAX:
                self.tax_form.set_taxes(await self.service.freshbooks_taxes())

    async def _items(self, *, refresh: bool) -> None:
        self.sku_form.set_items(await self.service.freshbooks_items(refresh=refresh))

    def _load_items(self, *, refresh: bool) -> None:
        self.pending = run_op(self, self._items(refresh=refresh), presenter=InlineErrors(self.sku_form.message))

    # -- the detail ------------------------------------------------------------------------------------

    def _show_fix(self, fix: InboxFixView | None, group: InboxCauseView | None = None) -> None:
        same_order = fix is not None and self.fix is not None and fix.item.id == self.fix.item.id
        self.fix = fix
        if not same_order:              # a reload of the same order keeps what the last action said
            self.result.clear()
        if fix is None:
            self.right.setCurrentIndex(0)
            self.placeholder.setText(f"{group.summary}. Select one of its orders to fix it." if group is not None
                                     else "Select a problem on the left to see what happened and how to fix it.")
            self._set_actions_enabled(False)
            self.retry_all_button.setEnabled(group is not None)
            return
        self.right.setCurrentIndex(1)
        item = fix.item
        self.title.setText(f"{row_label(item.order_id, item.subject, item.id)}: {fix.label}")
        since = cell_text(item.created_at)
        self.facts.setText(f"Stage: {item.stage.value} · {status_words(item)} · tried {item.attempts} time"
                           f"{'' if item.attempts == 1 else 's'} · first seen {since}")
        self.happened.setText(fix.what_happened)
        self.to_do.setText(fix.what_to_do)
        form = self.forms[fix.fix]
        form.fill(fix)
        for other in self.forms.values():      # the stack is as tall as the shown form, not the tallest
            other.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum if other is form
                                else QSizePolicy.Policy.Ignored)
        self.form_stack.setCurrentWidget(form)
        self.form_stack.adjustSize()
        same = next((g.count for g in self.groups.groups if g.key == fix.cause_key), 1)
        self.retry_all_button.setText(f"Retry &all like this ({same})")
        self.retry_all_button.setAccessibleName(f"Retry all like this, {same} "
                                                f"{'orders' if item.order_id is not None else 'problems'}")
        lines = [f"{cell_text(h.at)}  {h.actor}: {h.text}" for h in fix.history]
        if fix.ignored_reason:
            lines.append(f"Ignored because: {fix.ignored_reason}")
        self.history.setText("\n".join(lines) if lines else "Nothing yet.")
        self._set_actions_enabled(item.status.value in ("open", "retrying", "waiting"))
        self.raw_button.setEnabled(True)

    def _set_actions_enabled(self, enabled: bool) -> None:
        for button in (self.retry_button, self.retry_all_button, self.ignore_button, self.raw_button):
            button.setEnabled(enabled)

    def open_fix(self) -> None:
        """Enter, F2, double-click: focus the fix form's first field (a group row opens its first order)."""
        if self.selected_item() is None and self.selected_group() is not None:
            self.tree.setCurrentIndex(self.model.index(0, 0, self.tree.currentIndex()))
        if self.fix is not None:
            self.forms[self.fix.fix].first_field().setFocus(Qt.FocusReason.ShortcutFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tree and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
            self.open_fix()
            return True
        return super().eventFilter(watched, event)

    def context_menu(self) -> QMenu:
        """The actions on the selected row (built for the menu and for tests)."""
        menu = QMenu(self)
        has_item = self.fix is not None and self.retry_button.isEnabled()
        entries: list[tuple[str, str | None, Callable[[], object], bool]] = [
            ("Fix...", "F2", self.open_fix, self.fix is not None),
            ("Retry", "Ctrl+R", self.retry, has_item),
            ("Retry all like this", "Ctrl+Shift+R", self.retry_all_like_this,
             has_item or self.selected_group() is not None),
            ("Ignore...", "Ctrl+I", self.ask_ignore, has_item),
            ("View raw payload...", None, self.show_raw, self.fix is not None),
        ]
        for text, keys, slot, enabled in entries:
            action = QAction(text, menu)
            if keys:
                action.setShortcut(QKeySequence(keys))
            action.setEnabled(enabled)
            action.triggered.connect(lambda _checked=False, run=slot: run())
            menu.addAction(action)
        if self.fix is not None and self.fix.item.order_id is not None:
            menu.addSeparator()
            order_id = self.fix.item.order_id
            show = QAction(f"Show order {order_id}", menu)
            show.triggered.connect(lambda _checked=False: self.open_order.emit(order_id))
            menu.addAction(show)
        return menu

    def _context_menu(self, point: QPoint) -> None:
        index = self.tree.indexAt(point)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self.context_menu().popup(self.tree.viewport().mapToGlobal(point))

    # -- pictures --------------------------------------------------------------------------------------

    async def pictures(self, shoot: Callable[[str], object]) -> None:
        """`inbox` (the groups with an order selected), `inbox-fix-email`, and `inbox-fix-sku` when an order
        waits on an unknown SKU (a store synced with the "inbox" unknown-SKU policy), `inbox-fix-conflict` when an
        item or client changed in both places (catalog or customer sync on)."""
        await self.refresh()
        keys = [g.key for g in self.groups.groups]
        email = next((k for k in keys if k == "missing_email"), None)
        if email is not None:
            await self.select_group(email)
        elif keys:
            await self.select_group(keys[0])
        shoot("inbox")
        if email is not None:
            self.open_fix()
            self.email_form.email.setText("")
            shoot("inbox-fix-email")
        sku = next((k for k in keys if k.startswith("unknown_sku:")), None)
        if sku is not None:
            await self.select_group(sku)
            await self._detail_future()
            self.open_fix()
            shoot("inbox-fix-sku")
        conflict = next((k for k in keys if k.startswith("field_conflict:")), None)
        if conflict is not None:          # a store synced with catalog or customer sync on
            await self.select_group(conflict)
            await self._detail_future()
            self.open_fix()
            shoot("inbox-fix-conflict")

