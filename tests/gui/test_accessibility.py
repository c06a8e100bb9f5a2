"""What a screen reader reads, screen by screen: every control of the main window's screens (dashboard, orders,
the error inbox with its fix forms, runs with history and reconciliation), the Settings window's tabs, the
first-run wizard's pages, "Sync from a date" and the inbox's dialogs has an accessible name, and every input and
table a description, as Qt's accessibility layer (`QAccessible.queryAccessibleInterface`) reports them: the
same text an AT-SPI, UI Automation or VoiceOver client is handed. Nothing is exempted but Qt's own inner parts
(each named below with why)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollBar,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QToolButton,
    QWidget,
)

from bigbooks_desktop.gui.ops import ErrorPresenter

pytestmark = [pytest.mark.gui]

# What the user types or picks in, and tables: these need a description as well as a name.
INPUTS: tuple[type[QWidget], ...] = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit,
                                     QAbstractItemView, QCheckBox, QRadioButton, QAbstractSlider)
# Controls, focusable or not: these need a name.
CONTROLS: tuple[type[QWidget], ...] = (*INPUTS, QAbstractButton, QTabBar, QTabWidget)
# ...and a description ("every control has an accessible name and description"): what it does or holds.
DESCRIBED: tuple[type[QWidget], ...] = (*INPUTS, QAbstractButton)
_MNEMONIC = re.compile(r"(?<!&)&(?!&)\w")       # "&Email:" (not "&&", a literal ampersand)
_ENTITY = re.compile(r"&#?\w+;")                 # "&gt;" in a rich-text label


class RecordingPresenter(ErrorPresenter):
    def show(self, error: Any) -> None:  # record instead of opening a dialog
        self.shown.append(error)


def _inner_part(widget: QWidget) -> str | None:
    """Why `widget` is Qt's own inner part, which Qt names itself or which the reader reaches through its owner;
    None for the application's controls."""
    parent = widget.parentWidget()
    if isinstance(widget, QToolButton) and isinstance(parent, QTabBar):
        return "a tab bar's scroll arrows: Qt names them (Scroll Left/Right) and they take no focus"
    if isinstance(widget, QLineEdit) and isinstance(parent, QAbstractSpinBox):
        return "a spin box's or date edit's own editor: the reader announces the spin box, which is named"
    if isinstance(widget, QToolButton) and isinstance(parent, QLineEdit):
        return "a line edit's clear button: Qt's, without focus; Escape or select-all clears by keyboard"
    if isinstance(parent, QAbstractItemView) and widget.objectName() == "qt_tableview_cornerbutton":
        return "a table's select-all corner button: Qt's, without focus; Ctrl+A in the table does the same"
    if isinstance(widget, (QHeaderView, QScrollBar)):
        return "a table's header or a scroll bar: part of the named table; headers are read per cell"
    if isinstance(parent, QAbstractScrollArea) and widget is parent.viewport():
        return "a scroll area's viewport: the scroll area (or table) around it is the control"
    ancestor = parent
    while ancestor is not None:
        if isinstance(ancestor, QCalendarWidget):
            return "a date edit's calendar pop-up: Qt's own widget, named by Qt"
        if isinstance(ancestor, QComboBox):
            return "a combo box's pop-up list: the reader reaches it through the named combo box"
        ancestor = ancestor.parentWidget()
    return None


def _attribute_name(widget: QWidget) -> str:
    """The Python attribute an ancestor keeps `widget` in (`email`, `retry_button`...), to find it in the code."""
    ancestor = widget.parentWidget()
    while ancestor is not None:
        for name, value in vars(ancestor).items() if hasattr(ancestor, "__dict__") else ():
            if value is widget:
                return f"{type(ancestor).__name__}.{name}"
        ancestor = ancestor.parentWidget()
    return "?"


def where(widget: QWidget) -> str:
    """Class, object name, text and parent chain of `widget`, so a failure says which one it is."""
    chain = []
    node: QWidget | None = widget
    while node is not None:
        label = type(node).__name__ + (f"#{node.objectName()}" if node.objectName() else "")
        chain.append(label)
        node = node.parentWidget()
    text = widget.text() if isinstance(widget, (QAbstractButton, QLineEdit)) else ""
    return f"{chain[0]} [{_attribute_name(widget)}] {text!r} in {' < '.join(chain[1:])}"


def reader_text(widget: QWidget) -> tuple[str, str]:
    """The name and description the accessibility layer hands a screen reader."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid(), where(widget)
    return (interface.text(QAccessible.Text.Name).strip(), interface.text(QAccessible.Text.Description).strip())


def _own_name(widget: QWidget, name: str) -> bool:
    """A field's name, not its value. Qt on Linux names a combo box by the item it shows ("All currencies"),
    whatever its accessible name (that reaches Windows and macOS only), and hands AT-SPI the field's label as
    a "labelled by" relation, which only a buddy label makes: so a combo box needs a buddy label, and another
    field a name other than what it shows."""
    if isinstance(widget, QComboBox):
        interface = QAccessible.queryAccessibleInterface(widget)
        return bool(interface.relations(QAccessible.RelationFlag.Label))
    shown = widget.text() if isinstance(widget, (QLineEdit, QAbstractSpinBox)) else None
    return shown is None or bool(widget.accessibleName()) or name != shown.strip()


def audit(root: QWidget, screen: str) -> list[str]:
    """Every visible control under `root` (focusable, or a control class) without a name (or named only by its
    value), every control without a description, every tab without a name or description, and every label
    whose mnemonic (&x) leads nowhere (no buddy)."""
    problems = []
    for widget in root.findChildren(QWidget):
        if not widget.isVisible() or _inner_part(widget) is not None:
            continue
        if isinstance(widget, QLabel) and _MNEMONIC.search(_ENTITY.sub("", widget.text())) \
                and widget.buddy() is None:
            problems.append(f"{screen}: a mnemonic with no buddy: {where(widget)} {widget.text()!r}")
        focusable = widget.focusPolicy() != Qt.FocusPolicy.NoFocus
        if not focusable and not isinstance(widget, CONTROLS):
            continue
        name, description = reader_text(widget)
        if os.environ.get("A11Y_DUMP"):      # A11Y_DUMP=1 pytest -s: what a reader hears, control by control
            print(f"{screen}: {where(widget)} -> {name!r} / {description[:60]!r}")
        if not name or not _own_name(widget, name):
            problems.append(f"{screen}: no accessible name{'' if not name else ' (only its value ' + repr(name) + ')'}"
                            f": {where(widget)}")
        if isinstance(widget, DESCRIBED) and not description:
            problems.append(f"{screen}: no accessible description (or tooltip): {where(widget)}")
        if isinstance(widget, QTabBar):
            problems += [f"{screen}: tab {i} ({tab!r}) without a name or description: {where(widget)}"
                         for i, tab in enumerate(tab_texts(widget)) if not all(tab)]
    return problems


def tab_texts(bar: QTabBar) -> list[tuple[str, str]]:
    """The name and description a reader gives each tab of `bar` (its children in the accessibility tree)."""
    interface = QAccessible.queryAccessibleInterface(bar)
    assert interface is not None
    tabs = [interface.child(i) for i in range(interface.childCount())]
    return [(t.text(QAccessible.Text.Name), t.text(QAccessible.Text.Description)) for t in tabs
            if t is not None and t.role() == QAccessible.Role.PageTab]


def _settle(loop: asyncio.AbstractEventLoop, future: Any) -> None:
    done, _ = loop.run_until_complete(asyncio.wait([future], timeout=120))
    assert done, "the operation did not end within 120 s"


@pytest.fixture
def window(qtbot: Any, qapp: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> Iterator[Any]:
    """The main window after one sync of a store that has an order with no email (so the inbox has a fix form).
    Each test closes it on the running loop (`on_loop`), so no reload its change timer starts runs later outside
    the loop; the app goes on after it closes, as `run_gui` sets it."""
    from bigbooks_desktop.gui.main_window import MainWindow

    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    admin = sandbox_service.sandbox_info["admin_url"]
    httpx.post(admin + "/orders", json={"customer_id": 0, "billing_address": {"email": ""}}, timeout=10) \
        .raise_for_status()
    qloop.run_until_complete(sandbox_service.sync_now())
    presenter = RecordingPresenter()
    made = MainWindow(sandbox_service, presenter=presenter)
    qtbot.addWidget(made)
    made.resize(1280, 800)
    made.show()
    _settle(qloop, made.refresh())
    yield made
    made.close()
    qapp.setQuitOnLastWindowClosed(quits)
    assert presenter.shown == []


def on_loop(loop: asyncio.AbstractEventLoop, window: QWidget, steps: Callable[[], Awaitable[None]]) -> None:
    """Run a test's steps on the running qasync loop, as the app runs everything (a reload the window's change
    timer starts begins on a running loop, not in the pass of Qt events after `run_until_complete`), then close
    the window there, which stops that timer."""
    async def then_close() -> None:
        await steps()
        window.close()

    loop.run_until_complete(asyncio.wait_for(then_close(), 180))


@pytest.mark.sockets
def test_every_screen_of_the_window_is_named_and_described(
        window: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    from bigbooks_desktop.gui.window_pages import Screen

    problems = audit(window, "window header")

    async def steps() -> None:
        nonlocal problems
        for screen in Screen:
            window.tabs.show_screen(screen)
            problems += audit(window.tabs.currentWidget(), screen.name)
        inbox = window.tabs.inbox
        assert any(g.key == "missing_email" for g in inbox.groups.groups)
        window.tabs.show_screen(Screen.INBOX)
        await inbox.select_group("missing_email")
        assert inbox.form_stack.currentWidget() is inbox.email_form
        problems += audit(inbox, "INBOX with the email fix")
        save_screenshot(window, "a11y-inbox")
        window.tabs.show_screen(Screen.ORDERS)
        save_screenshot(window, "a11y-orders")
        runs = window.tabs.runs
        window.tabs.show_screen(Screen.RUNS)
        for index in range(runs.tabs.count()):
            runs.tabs.setCurrentIndex(index)
            problems += audit(runs, f"RUNS {runs.tabs.tabText(index)}")
        save_screenshot(window, "a11y-runs-reconciliation")
        window.tabs.show_screen(Screen.DASHBOARD)
        save_screenshot(window, "a11y-dashboard")

    on_loop(qloop, window, steps)
    assert problems == [], "\n".join(problems)


@pytest.mark.sockets
def test_settings_and_sync_from_date_are_named_and_described(
        window: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    from bigbooks_desktop.gui.pages.settings import SettingsDialog, SettingsTab

    problems: list[str] = []

    async def steps() -> None:
        nonlocal problems
        dialog = window.open_settings()
        assert isinstance(dialog, SettingsDialog)
        dialog.resize(1280, 800)
        await dialog.loading
        problems += audit(dialog, "Settings")
        for tab in SettingsTab:
            dialog.show_tab(tab)
            problems += audit(dialog, f"Settings {tab.name}")
            save_screenshot(dialog, f"a11y-settings-{tab.slug}")
        dialog.close()                     # the window reloads (as after any settings)
        await window.refresh()
        backfill = window.ask_sync_from_date()
        problems += audit(backfill, "Sync from a date")
        save_screenshot(backfill, "a11y-sync-from-date")
        backfill.reject()

    on_loop(qloop, window, steps)
    assert problems == [], "\n".join(problems)


@pytest.mark.sockets
def test_the_runs_dialogs_are_named_and_described(window: Any, qloop: asyncio.AbstractEventLoop) -> None:
    runs = window.tabs.runs
    problems: list[str] = []

    async def steps() -> None:
        nonlocal problems
        dry_run = runs.open_dry_run()
        await dry_run.pending
        problems += audit(dry_run, "Dry run dialog")
        dry_run.reject()
        undo = runs.open_undo(runs.model.row(0))
        await undo.pending
        problems += audit(undo, "Undo dialog")
        undo.reject()
        await runs.refresh()

    on_loop(qloop, window, steps)
    assert problems == [], "\n".join(problems)


def test_the_inbox_forms_and_dialogs_are_named_and_described(qtbot: Any) -> None:
    """Each fix form as the detail pane holds it (the window's inbox shows the email form filled, above), the
    Ignore and raw payload dialogs."""
    from bigbooks_desktop.gui.pages.inbox_fix_forms import (
        EmailFixForm,
        IgnoreDialog,
        InvoicePickForm,
        NoFixForm,
        RawPayloadDialog,
        SkuFixForm,
        TaxFixForm,
    )

    problems = []
    for form in (EmailFixForm(), SkuFixForm(), TaxFixForm(), InvoicePickForm(), NoFixForm()):
        qtbot.addWidget(form)
        form.show()
        problems += audit(form, type(form).__name__)
    ignore = IgnoreDialog("Order 100: no email")
    qtbot.addWidget(ignore)
    ignore.show()
    problems += audit(ignore, "Ignore dialog")
    raw = RawPayloadDialog("Raw payload", '{"id": 100}')
    qtbot.addWidget(raw)
    raw.show()
    problems += audit(raw, "Raw payload dialog")
    assert problems == [], "\n".join(problems)


def test_the_window_before_set_up_and_its_notices_are_named_and_described(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, save_screenshot: Any) -> None:
    """Nothing connected: the welcome banner's Set up button, the connection cards, the empty screens; and
    an in-window notice with its button."""
    from bigbooks_desktop.gui.main_window import MainWindow
    from bigbooks_desktop.gui.sync_text import Notice, NoticeKind
    from bigbooks_desktop.service import BigBooksService

    service = BigBooksService()
    presenter = RecordingPresenter()
    made = MainWindow(service, presenter=presenter)
    qtbot.addWidget(made)
    made.resize(1280, 800)
    made.show()
    _settle(qloop, made.refresh())
    assert made.welcome.isVisible()
    problems = audit(made, "window before set-up")
    made.notice_bar.show_notice(Notice(NoticeKind.FAILURES, "3 orders need attention", "See the inbox."),
                                made.inbox_tab_action)
    problems += audit(made, "window with a notice")
    save_screenshot(made, "a11y-window-notice")
    made.close()
    qloop.run_until_complete(service.aclose())
    assert problems == [], "\n".join(problems)
    assert presenter.shown == []


@pytest.fixture
def fresh_service(qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from bigbooks_desktop import accounts
    from bigbooks_desktop.service import BigBooksService

    for name in ("BIGBOOKS_FRESHBOOKS_CLIENT_ID", "BIGBOOKS_FRESHBOOKS_CLIENT_SECRET",
                 "BIGBOOKS_FRESHBOOKS_AUTH_URL", "BIGBOOKS_FRESHBOOKS_API_URL", "BIGBOOKS_BC_CLIENT_ID",
                 "BIGBOOKS_BC_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    accounts.forget_shared_auth()
    service = BigBooksService()
    yield service
    qloop.run_until_complete(service.aclose())
    accounts.forget_shared_auth()


def test_every_wizard_page_is_named_and_described(
        fresh_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, save_screenshot: Any) -> None:
    from bigbooks_desktop.gui.wizard import FirstRunWizard, WizardPage

    wizard = FirstRunWizard(fresh_service)
    qtbot.addWidget(wizard)
    wizard.resize(1280, 800)
    wizard.show()
    _settle(qloop, wizard.loading)
    problems: list[str] = []
    for page in WizardPage:
        wizard.go_to(page)
        problems += audit(wizard, f"wizard {page.slug}")
        save_screenshot(wizard, f"a11y-wizard-{page.slug}")
    wizard.close()
    assert problems == [], "\n".join(problems)


def test_the_wizard_without_a_keychain_is_named_and_described(
        fresh_service: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any) -> None:
    import keyring
    import keyring.backends.fail

    from bigbooks_desktop.gui.wizard import FirstRunWizard, WizardPage

    keyring.set_keyring(keyring.backends.fail.Keyring())
    wizard = FirstRunWizard(fresh_service)
    qtbot.addWidget(wizard)
    wizard.resize(1280, 800)
    wizard.show()
    _settle(qloop, wizard.loading)
    wizard.go_to(WizardPage.KEYCHAIN)
    assert wizard.currentId() == WizardPage.KEYCHAIN
    problems = audit(wizard, "wizard keychain")
    wizard.close()
    assert problems == [], "\n".join(problems)


def test_the_audit_catches_what_a_reader_would_miss(qtbot: Any) -> None:
    """The audit itself: an unnamed line edit, an undescribed table, a combo box named only by the item it shows,
    a button without a tooltip and a mnemonic with no buddy fail (8 problems: the first three lack a name and a
    description); named, described ones pass."""
    from PySide6.QtWidgets import QPushButton, QTableView, QVBoxLayout

    from bigbooks_desktop.gui.a11y import describe

    root = QWidget()
    layout = QVBoxLayout(root)
    bare, table, combo, button = QLineEdit(), QTableView(), QComboBox(), QPushButton("&Save")
    combo.addItem("All currencies")
    label = QLabel("&Email:")
    named = describe(QLineEdit(), "Email", "The customer's email")
    for widget in (label, bare, table, combo, button, named):
        layout.addWidget(widget)
    qtbot.addWidget(root)
    root.show()
    problems = audit(root, "sample")
    assert len(problems) == 8, "\n".join(problems)
    assert sum("QLineEdit" in p for p in problems) == 2 and sum("QTableView" in p for p in problems) == 2
    assert any("only its value 'All currencies'" in p for p in problems)
    assert any("QPushButton" in p and "description" in p for p in problems)
    assert any("no buddy" in p for p in problems)
    label.setBuddy(bare)
    describe(bare, "Name", "Who")
    describe(table, "Rows", "Some rows")
    describe(combo, "Currency", "Show one currency only")
    assert len(audit(root, "sample")) == 2, "a combo box's accessible name does not reach a Linux reader"
    currency = QLabel("Currency:")
    currency.setBuddy(combo)
    layout.addWidget(currency)
    assert len(audit(root, "sample")) == 1
    button.setToolTip("Save the form")
    assert audit(root, "sample") == []
