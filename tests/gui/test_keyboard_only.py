"""The error inbox with the keyboard alone, in the real main window on a sandbox served over loopback: Ctrl+3
to the inbox, Tab to the list of problems, the arrow keys to the order waiting on a missing email, Enter to its
fix form, the address typed, Enter to save and retry, and the order invoiced in the sandbox's FreshBooks. Only
key presses on the focused widget drive the window; the test reads widget state and sets up data through the
sandbox's admin API. And Tab walks the inbox's detail pane in reading order, every control, with no trap."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from bigbooks_desktop.gui.ops import ErrorPresenter

pytestmark = [pytest.mark.gui, pytest.mark.sockets]

EMAIL = "ann.buyer@example.com"


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:  # record instead of opening a dialog
        self.shown.append(error)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> QWidget:
    """One key press on whatever has the focus, as the keyboard would send it; returns the new focus."""
    QTest.keyClick(focused(), key, modifier)
    return focused()


async def until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Let the loop run until `condition` holds (widget state no event announces), at most `seconds`."""
    async def poll() -> None:
        while not condition():  # noqa: ASYNC110 - widget state, which no event announces
            await asyncio.sleep(0.02)

    try:
        await asyncio.wait_for(poll(), seconds)
    except TimeoutError:
        raise AssertionError(f"waited {seconds} s for {what}") from None


async def close_with_the_keyboard(window: Any) -> None:
    """Ctrl+W, on the running loop, once the reload a sync's end started is over (the test's wait, not the
    user's): the window stops its change timer, so no reload of it runs on later, outside the loop."""
    await window.refresh()
    QTest.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


@pytest.fixture
def keep_running(qapp: QApplication) -> Iterator[None]:
    """The app goes on when its window closes (as `run_gui` sets it: the loop outlives the window)."""
    before = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(before)


@pytest.fixture
def no_email_order(sandbox_service: Any, qloop: asyncio.AbstractEventLoop) -> int:
    """A guest's paid order with no email anywhere, made through the sandbox's admin API, synced once: it waits
    in the inbox for its email."""
    admin = sandbox_service.sandbox_info["admin_url"]
    made = httpx.post(admin + "/orders", json={"customer_id": 0, "billing_address": {"email": ""}}, timeout=10)
    made.raise_for_status()
    qloop.run_until_complete(sandbox_service.sync_now())
    return int(made.json()["id"])


@pytest.fixture
def window(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any, no_email_order: int,
           keep_running: None) -> Iterator[Any]:
    from bigbooks_desktop.gui.main_window import MainWindow

    presenter = RecordingPresenter()
    made = MainWindow(sandbox_service, presenter=presenter)
    qtbot.addWidget(made)
    made.resize(1280, 800)
    made.show()
    made.activateWindow()                 # the window has the keyboard, as a window the user just opened
    qloop.run_until_complete(asyncio.wait([made.refresh()], timeout=60))
    yield made
    assert presenter.shown == []
    made.close()


def _invoices(sandbox_service: Any) -> dict[str, Any]:
    state = httpx.get(sandbox_service.sandbox_info["admin_url"] + "/state", timeout=10).json()
    return {i["invoice_number"]: i for i in state["freshbooks"]["invoices"]}


def test_a_missing_email_fixed_and_invoiced_with_the_keyboard_alone(
        window: Any, sandbox_service: Any, no_email_order: int, qloop: asyncio.AbstractEventLoop,
        save_screenshot: Any) -> None:
    from bigbooks_desktop.core.inbox_views import FixKind
    from bigbooks_desktop.gui.window_pages import Screen

    inbox = window.tabs.inbox
    number = f"BC-{no_email_order}"
    assert number not in _invoices(sandbox_service)

    async def steps() -> None:
        await until(lambda: QApplication.focusWidget() is not None, "the window to take the keyboard")
        assert focused().window() is window
        press(Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.current_screen() is Screen.INBOX
        assert focused() is inbox.tree      # Ctrl+3 puts the keys in the inbox's list at once

        for _ in range(20):                 # (and Tab stays there)
            if focused() is inbox.tree:
                break
            press(Qt.Key.Key_Tab)
        assert focused() is inbox.tree, f"Tab never reached the inbox's list (stuck on {focused()!r})"

        press(Qt.Key.Key_Home)               # then down the list to the order waiting on its email
        for _ in range(inbox.model.rowCount() * 4 + 4):
            item = inbox.model.item_of(inbox.tree.currentIndex())
            if item is not None and item.order_id == no_email_order:
                break
            press(Qt.Key.Key_Down)
        item = inbox.model.item_of(inbox.tree.currentIndex())
        assert item is not None and item.order_id == no_email_order
        await until(lambda: inbox.fix is not None and inbox.fix.item.order_id == no_email_order,
                    "the order's detail")
        assert inbox.fix.fix is FixKind.EMAIL

        field = press(Qt.Key.Key_Return)     # Enter opens the fix: the cursor in the email field
        assert field is inbox.email_form.email
        QTest.keyClicks(field, "ann at example")
        QTest.keyClick(field, Qt.Key.Key_Return)     # Enter in the field: save and retry, refused here
        assert inbox.pending is not None
        await asyncio.wait([inbox.pending], timeout=120)
        await until(lambda: QApplication.focusWidget() is not None, "the focus to come back")
        assert focused() is field, "after a refused address the cursor is back in the field, to correct it"
        assert "not an email address" in inbox.email_form.message.text()

        QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(field, EMAIL)
        assert inbox.email_form.email.text() == EMAIL
        save_screenshot(window, "keyboard-inbox-email-typed")
        QTest.keyClick(field, Qt.Key.Key_Return)     # Enter again: saved, and the order synced again
        await asyncio.wait([inbox.pending], timeout=120)
        await until(lambda: not inbox.model.item_index(item.id).isValid(), "the order to leave the inbox")
        await until(lambda: QApplication.focusWidget() is not None, "the focus to come back")
        assert focused() is inbox.left.currentWidget() and focused() in (inbox.tree, inbox.empty), \
            "after the fix the keyboard goes on from the list (or the sentence saying it is empty)"
        save_screenshot(window, "keyboard-inbox-fixed")
        await close_with_the_keyboard(window)

    qloop.run_until_complete(asyncio.wait_for(steps(), 240))
    invoice = _invoices(sandbox_service).get(number)
    assert invoice is not None, f"no invoice {number} in the sandbox's FreshBooks"
    assert inbox.fix is None or inbox.fix.item.order_id != no_email_order


def _position(widget: QWidget, pane: QWidget) -> tuple[int, int]:
    point = widget.mapTo(pane, QPoint(0, 0))
    return point.y(), point.x()


def test_tab_walks_the_inbox_detail_in_reading_order_without_a_trap(
        window: Any, no_email_order: int, qloop: asyncio.AbstractEventLoop) -> None:
    """From the list, Tab visits every control of the detail pane top to bottom, left to right, then leaves the
    pane; Shift+Tab walks back the same way to the list."""
    from bigbooks_desktop.gui.window_pages import Screen

    inbox = window.tabs.inbox
    pane = inbox.detail

    async def steps() -> None:
        await until(lambda: QApplication.focusWidget() is not None, "the window to take the keyboard")
        press(Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        assert window.tabs.current_screen() is Screen.INBOX
        for _ in range(20):
            if focused() is inbox.tree:
                break
            press(Qt.Key.Key_Tab)
        assert focused() is inbox.tree
        await until(lambda: inbox.fix is not None, "a problem's detail")

        expected = [w for w in pane.findChildren(QWidget)
                    if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus
                    and w.focusProxy() is None]
        assert inbox.email_form.email in expected and inbox.retry_button in expected
        walk: list[QWidget] = []
        for _ in range(len(expected) + 10):
            widget = press(Qt.Key.Key_Tab)
            if not pane.isAncestorOf(widget):
                if walk:
                    break               # left the pane after its last control
                continue                # the scroll area around the pane, on the way in
            assert widget not in walk, f"Tab came back to {widget!r}: a loop inside the pane"
            walk.append(widget)
        else:
            raise AssertionError("Tab never left the detail pane: a keyboard trap")
        assert set(walk) == set(expected), (
            f"missed {[w.accessibleName() or type(w).__name__ for w in expected if w not in walk]}")
        positions = [_position(w, pane) for w in walk]
        assert positions == sorted(positions), f"not in reading order: {[w.accessibleName() for w in walk]}"

        back: list[QWidget] = []
        widget = press(Qt.Key.Key_Backtab)  # from outside the pane, back into it at its last control
        for _ in range(len(expected) + 10):
            if widget is inbox.tree:
                break
            if pane.isAncestorOf(widget):
                back.append(widget)
            widget = press(Qt.Key.Key_Backtab)
        assert widget is inbox.tree, "Shift+Tab did not lead back to the list"
        assert back == walk[::-1]
        await close_with_the_keyboard(window)

    qloop.run_until_complete(asyncio.wait_for(steps(), 120))


@pytest.fixture
def sku_window(qtbot: Any, qloop: asyncio.AbstractEventLoop, keep_running: None) -> Iterator[Any]:
    """The main window on a 40-order sandbox (seed 7: orders sell MUG-141 and APR-152, SKUs FreshBooks does not
    know) whose profile sends unknown SKUs to the inbox, synced once."""
    from bigbooks_desktop import accounts
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.gui.main_window import MainWindow
    from bigbooks_desktop.mapping.profile import default_profile
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=40, seed=7, time_scale=200)) as sandbox:
        service = BigBooksService(allow_file_store=True,
                                  profile=default_profile().model_copy(update={"unknown_sku_policy": "inbox"}))
        qloop.run_until_complete(service.connect_sandbox(sandbox.info["admin_url"]))
        service.sandbox_info = sandbox.info
        qloop.run_until_complete(service.sync_now())
        presenter = RecordingPresenter()
        made = MainWindow(service, presenter=presenter)
        qtbot.addWidget(made)
        made.resize(1280, 800)
        made.show()
        made.activateWindow()
        qloop.run_until_complete(asyncio.wait([made.refresh()], timeout=60))
        yield made
        assert presenter.shown == []
        made.close()
        qloop.run_until_complete(service.close_sync())
        qloop.run_until_complete(service.aclose())
        accounts.forget_shared_auth()


async def _to_group(inbox: Any, key: str) -> int:
    """Arrow keys down the list (from the top) to the first order of a cause; returns its order id."""
    press(Qt.Key.Key_Home)
    for _ in range(inbox.model.rowCount() * 6 + 6):
        item = inbox.model.item_of(inbox.tree.currentIndex())
        group = inbox.selected_group()
        if item is not None and group is not None and group.key == key:
            break
        press(Qt.Key.Key_Down)
    item = inbox.model.item_of(inbox.tree.currentIndex())
    assert item is not None, f"no order of {key} reached with the arrow keys"
    await until(lambda: inbox.fix is not None and inbox.fix.item.id == item.id, "the order's detail")
    return int(item.order_id)


def test_unknown_skus_mapped_and_created_with_the_keyboard_alone(
        sku_window: Any, qloop: asyncio.AbstractEventLoop) -> None:
    """Map a SKU: F2, type to search, Enter to the list, Enter to save and retry. Create an item: F2, Alt+C
    for "Create a new FreshBooks item named", Tab to the name, type it, Enter."""
    window, inbox = sku_window, sku_window.tabs.inbox
    form = inbox.sku_form
    orders: list[int] = []

    async def steps() -> None:
        await until(lambda: QApplication.focusWidget() is not None, "the window to take the keyboard")
        press(Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
        for _ in range(20):
            if focused() is inbox.tree:
                break
            press(Qt.Key.Key_Tab)
        assert focused() is inbox.tree

        orders.append(await _to_group(inbox, "unknown_sku:MUG-141"))
        await until(lambda: form.items_model.rowCount() > 0, "FreshBooks' items")
        assert press(Qt.Key.Key_F2) is form.search
        QTest.keyClicks(form.search, "mug")
        assert press(Qt.Key.Key_Return) is form.items
        assert form.chosen_item() is not None and "mug" in form.chosen_item().name.lower()
        QTest.keyClick(form.items, Qt.Key.Key_Return)
        await asyncio.wait([inbox.pending], timeout=120)
        await until(lambda: not inbox.model.group_index("unknown_sku:MUG-141").isValid(),
                    "the mapped SKU's orders to leave the inbox")
        await until(lambda: QApplication.focusWidget() is not None, "the focus to come back")
        assert focused() is inbox.tree

        orders.append(await _to_group(inbox, "unknown_sku:APR-152"))
        assert press(Qt.Key.Key_F2) is form.search
        assert press(Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier) is form.create_new
        await until(form.create_new.isChecked, "the mnemonic's click (Qt animates it for 100 ms)")
        assert press(Qt.Key.Key_Tab) is form.name
        QTest.keyClick(form.name, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(form.name, "Apron, linen")
        QTest.keyClick(form.name, Qt.Key.Key_Return)
        await asyncio.wait([inbox.pending], timeout=120)
        await until(lambda: not inbox.model.group_index("unknown_sku:APR-152").isValid(),
                    "the created SKU's order to leave the inbox")
        await close_with_the_keyboard(window)

    qloop.run_until_complete(asyncio.wait_for(steps(), 240))
    state = httpx.get(window.service.sandbox_info["admin_url"] + "/state", timeout=10).json()
    numbers = {i["invoice_number"] for i in state["freshbooks"]["invoices"]}
    assert {f"BC-{order}" for order in orders} <= numbers
    assert any(i.get("name") == "Apron, linen" for i in state["freshbooks"]["items"])
