"""The error inbox's actions (a mixin of `InboxPage`): saving a fix from its form (errors under the form) and
retrying the order, Retry, Retry all like this, Ignore with a reason and the raw payload; after a retry the
page says what was synced or settled and what still waits, and gives the keyboard focus back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QStackedWidget, QWidget

from bigbooks_desktop.core.errors import BigBooksError
from bigbooks_desktop.core.inbox_views import ConflictChoice, InboxCauseView, InboxFixView, InboxGroupsView
from bigbooks_desktop.core.views import InboxView, SyncSummaryView
from bigbooks_desktop.gui.ops import ErrorPresenter, run_op
from bigbooks_desktop.gui.pages.inbox_fix_forms import (
    EmailFixForm,
    FixForm,
    IgnoreDialog,
    InvoicePickForm,
    RawPayloadDialog,
    SkuFixForm,
    TaxFixForm,
)
from bigbooks_desktop.gui.pages.inbox_record_forms import ConflictFixForm, SharedSkuForm
from bigbooks_desktop.gui.wizard.common import InlineErrors, MessageLine

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["InboxActions"]


class InboxActions:
    """The page's fix, retry, ignore and raw-payload actions; the widgets and loaders are the page's."""

    def _widget(self) -> QWidget:
        assert isinstance(self, QWidget)         # mixed into InboxPage, a QWidget
        return self

    if TYPE_CHECKING:
        service: BigBooksService
        presenter: ErrorPresenter
        groups: InboxGroupsView
        fix: InboxFixView | None
        pending: asyncio.Future[object] | None
        dialog: QWidget | None
        result: MessageLine
        placeholder: QLabel
        title: QLabel
        right: QStackedWidget
        left: QStackedWidget
        form_stack: QStackedWidget
        retry_button: QPushButton
        retry_all_button: QPushButton
        email_form: EmailFixForm
        sku_form: SkuFixForm
        tax_form: TaxFixForm
        invoice_form: InvoicePickForm
        conflict_form: ConflictFixForm
        shared_sku_form: SharedSkuForm

        def _show_fix(self, fix: InboxFixView | None, group: InboxCauseView | None = None) -> None: ...

        def _show_groups(self, groups: InboxGroupsView) -> None: ...

        def selected_item(self) -> InboxView | None: ...

        def selected_item_id(self) -> int | None: ...

        def selected_group(self) -> InboxCauseView | None: ...

        async def _load_fix(self, item_id: int | None) -> None: ...

        async def _load(self) -> None: ...

        def isVisible(self) -> bool: ...

        def isAncestorOf(self, child: QWidget) -> bool: ...

    # -- fixes -----------------------------------------------------------------------------------------

    def _apply(self, form: FixForm, change: Callable[[int], object]) -> None:
        """Save a fix (errors inline, under the form), then retry the order as Retry does."""
        if self.fix is None:
            return
        item_id = self.fix.item.id

        async def work() -> None:
            saved = await change(item_id)  # type: ignore[misc]  # the change is a service coroutine
            if isinstance(saved, InboxFixView):
                self._show_fix(saved)
            await self._retry([item_id])

        self._run(work(), InlineErrors(form.message), busy=[self.form_stack, self.retry_button,
                                                            self.retry_all_button])

    def _run(self, work: Coroutine[object, object, None], presenter: ErrorPresenter, *,
             busy: list[QWidget]) -> None:
        """`run_op` into `pending`; when it ends and the keyboard focus was lost (its field was disabled while
        it ran), give it back: to that field when the fix was refused (to correct it), else to the list (or,
        with nothing left in it, the sentence saying so)."""
        before = QApplication.focusWidget()
        future: asyncio.Future[object] = run_op(self._widget(), work, presenter=presenter, busy=busy)
        self.pending = future

        def refocus(done: asyncio.Future[object]) -> None:
            if not shiboken6.isValid(self) or QApplication.focusWidget() is not None or not self.isVisible():
                return
            failed = done.cancelled() or done.exception() is not None
            target = before if failed and before is not None and shiboken6.isValid(before) \
                and before.isVisible() and before.isEnabled() and self.isAncestorOf(before) \
                else self.left.currentWidget()        # the list, or the sentence saying it is empty
            if target is not None and target.isVisible():
                target.setFocus(Qt.FocusReason.OtherFocusReason)

        future.add_done_callback(refocus)     # after run_op's own callback gave the busy widgets back

    def _save_email(self, email: str) -> None:
        self._apply(self.email_form, lambda i: self.service.set_inbox_email(i, email))

    def _map_sku(self, sku: str, item_id: int) -> None:
        self._apply(self.sku_form, lambda i: self.service.map_inbox_sku(i, sku, item_id))

    def _create_item(self, sku: str, name: str) -> None:
        self._apply(self.sku_form, lambda i: self.service.create_inbox_item(i, sku, name=name))

    def _map_tax(self, name: str) -> None:
        self._apply(self.tax_form, lambda i: self.service.map_inbox_tax(i, name))

    def _pick_invoice(self, invoice_id: int) -> None:
        self._apply(self.invoice_form, lambda i: self.service.pick_inbox_invoice(i, invoice_id))

    def _choose_values(self, choices: dict[str, ConflictChoice]) -> None:
        picked = {name: choice.value for name, choice in choices.items()}
        self._apply(self.conflict_form, lambda i: self.service.choose_inbox_values(i, picked))

    def _follow_product(self, product_id: int) -> None:
        self._apply(self.shared_sku_form, lambda i: self.service.follow_inbox_product(i, product_id))

    # -- actions ---------------------------------------------------------------------------------------

    async def _retry(self, ids: list[int]) -> None:
        self.result.show_info("Syncing...")
        summary = await self.service.retry_inbox_items(ids)
        await self._after_sync(summary, ids)

    async def _after_sync(self, summary: SyncSummaryView, ids: list[int]) -> None:
        asked = [i for g in self.groups.groups for i in g.items if i.id in ids]
        records = bool(asked) and all(i.order_id is None for i in asked)     # items and clients, not orders
        groups = await self.service.inbox_groups()
        still = {i.id for g in groups.groups for i in g.items}
        fixed = [i for i in ids if i not in still]
        self._show_groups(groups)
        if self.selected_item() is not None:
            await self._load_fix(self.selected_item_id())
        if fixed:
            done = "settled: FreshBooks has what you chose" if records else "synced to FreshBooks"
            said = (f"{len(fixed)} of {len(ids)} {done}."
                    + (f" {len(ids) - len(fixed)} still need attention." if len(fixed) < len(ids) else ""))
            self.result.show_ok(said)
            if self.right.currentIndex() == 0:     # the fixed order left and nothing else is selected: say it here
                self.placeholder.setText(f"{said} " + ("Select another problem on the left." if groups.groups
                                                       else "Nothing else needs your attention."))
                self.placeholder.setAccessibleDescription(said)
        elif summary.problem:
            self.result.show_error(BigBooksError(summary.problem, title="The sync did not finish"))
        elif records:
            self.result.show_error(BigBooksError(
                "The sync ran and this still waits: choose in the form above (or fix it in BigCommerce), then "
                "retry; until then the sync leaves it as it is in FreshBooks.", title="Still waiting"))
        else:
            self.result.show_error(BigBooksError("The order failed again; the message above says why.",
                                                 title="Still failing"))

    def retry(self) -> None:
        if self.fix is None:
            return
        self._run(self._retry([self.fix.item.id]), self.presenter, busy=[self.retry_button, self.retry_all_button])

    def retry_all_like_this(self) -> None:
        group = self.selected_group()
        key = self.fix.cause_key if self.fix is not None else group.key if group is not None else None
        if key is None:
            return

        async def work() -> None:
            ids = [i.id for g in self.groups.groups if g.key == key for i in g.items]
            self.result.show_info(f"Syncing {len(ids)} orders...")
            summary = await self.service.retry_inbox_cause(key)
            await self._after_sync(summary, ids)

        self._run(work(), self.presenter, busy=[self.retry_button, self.retry_all_button])

    def ask_ignore(self) -> IgnoreDialog | None:
        """Ask for a reason, then ignore (the dialog is returned and kept in `dialog`)."""
        if self.fix is None:
            return None
        item_id = self.fix.item.id
        dialog = IgnoreDialog(self.title.text(), self._widget())
        self.dialog = dialog

        def ignore() -> None:
            async def work() -> None:
                await self.service.ignore_inbox_with_reason(item_id, dialog.reason.text())
                await self._load()
                self.result.show_ok("Ignored; the reason is kept in the problem's history.")

            self.pending = run_op(self._widget(), work(), presenter=self.presenter)

        dialog.accepted.connect(ignore)
        dialog.open()
        return dialog

    def show_raw(self) -> RawPayloadDialog | None:
        if self.fix is None:
            return None
        dialog = RawPayloadDialog(f"Raw payload: {self.title.text()}", self.fix.raw_json, self._widget())
        self.dialog = dialog
        dialog.open()
        return dialog

