"""`bigbooks demo --screenshots DIR`: a 1280x800 PNG of every screen, on the demo store, as a user meets them.

    main-welcome           nothing connected yet (the set-up offer)
    first-run-<page>       each page of the set-up wizard, over the window (when this build has the wizard):
                           the own-store pages, then "Try the demo store", its preview, and Start syncing
    main-syncing-<tab>     the dashboard and the inbox while the first sync (started by the wizard) runs
    dashboard              after it (with the notice about the orders that need attention)
    orders-invoices, order-detail
                           orders beside invoices; an order selected, line by line
    inbox, inbox-fix-*     the error inbox grouped by cause; a fix's form (an email; a SKU)
    inbox-fixed            the email typed in the form, saved and retried: the order is invoiced
    runs, runs-undo-preview, runs-dry-run, reconciliation
                           the runs, an undo's preview, a dry run's preview, the reconciliation report
    mapping-editor, mapping-preview
                           the mapping editor (a field's source and steps), and its preview of an invoice
    settings-<tab>         each tab of Settings, over the window (when this build has it)
    tray-menu              the tray icon's menu, where a tray would show it
    main-waiting           waiting while another process (`bigbooks sync --watch` from cron) holds the profile
    main-auto-sync         auto-sync on, with the next run's time
    main-dark              the same window in a dark desktop theme

Dialogs and the tray menu are drawn over the window with the rest dimmed, as they appear on a screen.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QMessageLogContext, QPoint, QRect, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from bigbooks_desktop.core.errors import BigBooksError
from bigbooks_desktop.gui.main_window import MainWindow
from bigbooks_desktop.gui.ops import ErrorPresenter
from bigbooks_desktop.gui.theme import dark_palette
from bigbooks_desktop.gui.window_pages import Screen
from bigbooks_desktop.service.coordination import SyncState, SyncStatusView

if TYPE_CHECKING:
    from bigbooks_desktop.service import BigBooksService

__all__ = ["SIZE", "save_screenshots", "take_screenshots"]

SIZE = (1280, 800)
# Holds the profile as another process would, for the waiting screen (the demo passes the profile lock).
ProfileHolder = Callable[[str], contextlib.AbstractContextManager[object]]


class _Quiet(ErrorPresenter):
    """Errors are collected, not shown as dialogs over the pictures; the command reports them."""

    def show(self, error: BigBooksError) -> None:
        self.shown.append(error)


async def _until(condition: Callable[[], bool], within: float = 120.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("the demo did not get there in time")
        await asyncio.sleep(0.05)


async def _settle(seconds: float = 0.3) -> None:
    """Let layouts, lazy loads and repaints finish before a picture. The loop runs Qt's events while it
    sleeps; `QApplication.processEvents()` here would step other tasks inside this one (qasync re-enters)."""
    await asyncio.sleep(seconds)
    await asyncio.sleep(0)


class _Camera:
    def __init__(self, folder: Path, window: MainWindow) -> None:
        self.folder = folder
        self.window = window
        self.saved: list[Path] = []

    def _save(self, pixmap: QPixmap, name: str) -> Path:
        path = self.folder / f"{name}.png"
        if not pixmap.save(str(path)):
            raise OSError(f"could not write {path}")
        self.saved.append(path)
        return path

    def window_shot(self, name: str) -> Path:
        return self._save(self.window.grab(), name)

    def over_window(self, widget: QWidget, name: str, *, at: QPoint | None = None) -> Path:
        """`widget` drawn over the dimmed window: centred (a dialog) or at `at` (a menu)."""
        canvas = self.window.grab()
        picture = widget.grab()
        painter = QPainter(canvas)
        painter.fillRect(canvas.rect(), QColor(0, 0, 0, 90))      # the dimming every desktop does, any theme
        spot = at if at is not None else QPoint((canvas.width() - picture.width()) // 2,
                                                (canvas.height() - picture.height()) // 2)
        painter.fillRect(QRect(spot + QPoint(3, 4), picture.size()), QColor(0, 0, 0, 60))   # a soft shadow
        painter.drawPixmap(spot, picture)
        painter.end()
        return self._save(canvas, name)


async def _set_up_with_the_wizard(camera: _Camera, admin_url: str) -> bool:
    """Each page of the set-up wizard, the way a new user goes: their own store's pages first (pictured, not
    filled in), then "Try the demo store" (the page signs in to it and previews the first sync), then Start
    syncing, which hands over to the window. False when this build has no wizard (the caller signs in)."""
    try:
        from bigbooks_desktop.gui.wizard import FirstRunWizard, WizardPage
    except ModuleNotFoundError:
        return False
    window = camera.window
    window.service.offer_demo_store(admin_url)
    dialog = window.open_setup()
    if not isinstance(dialog, FirstRunWizard):
        return False
    dialog.resize(860, 640)
    with contextlib.suppress(Exception):              # a failed load shows on the page itself
        await dialog.loading
    for page in (WizardPage.WELCOME, WizardPage.KEYCHAIN, WizardPage.BIGCOMMERCE, WizardPage.FRESHBOOKS):
        dialog.go_to(page)                   # along the path to the page, without the pages' checks
        if dialog.currentId() != page:
            continue                         # not on this path (the keychain choice, when a keychain exists)
        await _settle()
        camera.over_window(dialog, f"first-run-{page.slug}")
    dialog.go_to(WizardPage.BACKFILL, demo=True)     # "Try the demo store": the page signs in, then previews
    backfill = dialog.backfill
    await _until(lambda: backfill.isComplete() and not backfill.chooser.busy())
    await _settle(0.5)
    camera.over_window(dialog, f"first-run-{WizardPage.BACKFILL.slug}")
    dialog.next()
    await _settle()
    camera.over_window(dialog, f"first-run-{WizardPage(dialog.currentId()).slug}")
    dialog.accept()                          # "Start syncing": the window starts the first sync
    return True


async def _settings_tabs(camera: _Camera) -> None:
    try:
        from bigbooks_desktop.gui.pages.settings import SettingsDialog, SettingsTab
    except ModuleNotFoundError:
        return
    dialog = camera.window.open_settings()
    if not isinstance(dialog, SettingsDialog):
        return
    dialog.resize(860, 620)
    with contextlib.suppress(Exception):
        await dialog.loading
    for tab in SettingsTab:
        dialog.show_tab(tab)
        await _settle()
        camera.over_window(dialog, f"settings-{tab.slug}")
    dialog.reject()


def _pictures_while_syncing(camera: _Camera) -> Callable[[], Awaitable[None]]:
    """Take both tabs once the coming sync is 40 % through; the returned function waits for the pictures."""
    window = camera.window
    pending: list[asyncio.Future[None]] = []

    async def during() -> None:
        window.tabs.show_screen(Screen.DASHBOARD)
        await _settle(0.05)
        camera.window_shot("main-syncing-dashboard")
        window.tabs.show_screen(Screen.INBOX)
        camera.window_shot("main-syncing-inbox")
        window.tabs.show_screen(Screen.DASHBOARD)

    def watch(status: SyncStatusView) -> None:
        progress = status.progress
        if not pending and status.state is SyncState.SYNCING and progress is not None and progress.total \
                and progress.done >= progress.total * 0.4:
            pending.append(asyncio.ensure_future(during()))

    unsubscribe = window.service.subscribe(watch)

    async def finished() -> None:
        unsubscribe()
        for task in pending:
            await task

    return finished


async def _waiting(camera: _Camera, hold_profile: ProfileHolder) -> None:
    window = camera.window
    with hold_profile("bigbooks sync --watch (cron)"):
        sync = window.sync_now()
        await _until(lambda: window.status.state is SyncState.WAITING)
        await window.refresh()
        await _settle()
        camera.window_shot("main-waiting")
    await asyncio.wait([sync])


async def _auto_sync(camera: _Camera, service: BigBooksService) -> None:
    window = camera.window
    if window.status.auto_sync_seconds is None:          # set up without the wizard: turn it on as Settings does
        preferences = service.preferences()
        window.preferences = await service.save_preferences(replace(preferences, background_polling=True,
                                                                    problem=None))
        runs = window.status.runs
        window.apply_auto_sync()
        await _until(lambda: window.status.runs > runs and not window.status.busy)
    await _until(lambda: window.status.next_run_at is not None and not window.status.busy)
    await window.refresh()
    await _settle()
    camera.window_shot("main-auto-sync")


def _shooter(camera: _Camera, page: QWidget) -> Callable[[str], object]:
    """A page's `shoot`: the window, or the page's open dialog over it."""
    def shoot(name: str) -> Path:
        dialog = getattr(page, "dialog", None)
        if isinstance(dialog, QWidget) and dialog.isVisible():
            return camera.over_window(dialog, name)
        return camera.window_shot(name)

    return shoot


async def _screens(camera: _Camera) -> None:
    """Each screen's own pictures (the page puts itself in each state), then an inbox fix made in the form."""
    pages = camera.window.tabs
    for screen, page in ((Screen.ORDERS, pages.orders), (Screen.INBOX, pages.inbox), (Screen.RUNS, pages.runs),
                         (Screen.MAPPING, pages.mapping)):
        pages.show_screen(screen)
        await _settle()
        await page.pictures(_shooter(camera, page))
    inbox = pages.inbox
    pages.show_screen(Screen.INBOX)
    if any(g.key == "missing_email" for g in inbox.groups.groups):
        await inbox.select_group("missing_email")
        inbox.open_fix()
        inbox.email_form.email.setText("jo.baker@example.com")
        inbox.email_form.save.click()
        await _until(lambda: inbox.pending is not None and inbox.pending.done())
        await inbox.refresh()
        await _settle()
        camera.window_shot("inbox-fixed")


async def take_screenshots(folder: Path, service: BigBooksService, *, admin_url: str,
                           hold_profile: ProfileHolder) -> list[Path]:
    """Every screen, in the order a new user meets them, into `folder` (which exists); returns the files."""
    # An order selling a SKU FreshBooks does not know waits in the inbox instead of creating the item, so the
    # inbox shows its SKU fix (the profile policy `unknown_sku_policy`; `bigbooks demo --screenshots` serves a
    # store whose FreshBooks account knows nearly every SKU, so only a few orders wait).
    service.profile = service.profile.model_copy(update={"unknown_sku_policy": "inbox"})
    window = MainWindow(service, presenter=_Quiet(), tray_available=False)
    window.resize(*SIZE)
    window.show()
    camera = _Camera(folder, window)
    try:
        await window.refresh()
        await _settle()
        camera.window_shot("main-welcome")
        syncing = _pictures_while_syncing(camera)
        if not await _set_up_with_the_wizard(camera, admin_url):
            await service.connect_sandbox(admin_url)
            await window.refresh()
            await _settle()
            camera.window_shot("main-connected")
            window.sync_now()
        await _until(lambda: window.status.runs >= 1 and not window.status.busy)
        await syncing()
        await window.refresh()
        await _settle()
        camera.window_shot("dashboard")
        await _screens(camera)
        window.tabs.show_screen(Screen.DASHBOARD)
        await window.refresh()

        await _settings_tabs(camera)
        menu = window.tray.menu
        menu.adjustSize()
        camera.over_window(menu, "tray-menu", at=QPoint(SIZE[0] - menu.width() - 12,
                                                       SIZE[1] - menu.height() - 12))
        await _waiting(camera, hold_profile)
        window.notice_bar.hide()
        await _auto_sync(camera, service)

        app = QApplication.instance()
        if isinstance(app, QApplication):
            previous = app.palette()
            app.setPalette(dark_palette())
            await _settle()
            camera.window_shot("main-dark")
            app.setPalette(previous)
    finally:
        window.close()
        await service.close_sync()
        window.deleteLater()
    problems = [f"{e.title}: {e.message}" for e in window.presenter.shown]
    if problems:
        raise RuntimeError("the demo met problems while taking screenshots: " + "; ".join(problems))
    return camera.saved



def save_screenshots(folder: Path, *, admin_url: str, hold_profile: ProfileHolder) -> list[Path]:
    """`take_screenshots` on its own qasync loop with a fresh service of the current profile (the demo's)."""
    import qasync

    from bigbooks_desktop.gui.app import make_application
    from bigbooks_desktop.service import BigBooksService

    def quiet(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if "does not support propagateSizeHints" not in message:      # said for every window offscreen
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = make_application()
    app.setQuitOnLastWindowClosed(False)       # as run_gui: the loop outlives the window (closing awaits the sync)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)

    async def shoot() -> list[Path]:
        service = BigBooksService(allow_file_store=True)
        try:
            return await take_screenshots(folder, service, admin_url=admin_url, hold_profile=hold_profile)
        finally:
            await service.aclose()

    with loop:
        saved: list[Path] = loop.run_until_complete(shoot())
    return saved
