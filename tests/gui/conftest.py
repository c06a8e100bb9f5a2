"""GUI fixtures: a qasync loop per test, and a signed-in sandbox served over real loopback sockets."""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_API", "pyside6")  # before qasync is imported: it picks its binding from this

import qasync
from PySide6.QtWidgets import QApplication

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[asyncio.AbstractEventLoop]:
    """A qasync loop, with garbage collected on the GUI thread as the app does (see gui/garbage.py)."""
    from bigbooks_desktop.gui.garbage import MainThreadGarbageCollector

    collector = MainThreadGarbageCollector()
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield loop
    loop.run_until_complete(asyncio.sleep(0))
    # what a test left running (a page's reload, a preview) ends here, not destroyed pending with the loop
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    asyncio.set_event_loop(None)
    loop.close()
    collector.stop()


@pytest.fixture
def sandbox_service(qloop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A BigBooksService signed in to a sandbox served on 127.0.0.1 (real sockets, on the qasync loop)."""
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread
    from bigbooks_desktop.service import BigBooksService

    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))
    with SandboxThread(SandboxConfig(orders=30, seed=3, time_scale=200)) as sandbox:
        service = BigBooksService(allow_file_store=True)
        qloop.run_until_complete(service.connect_sandbox(sandbox.info["admin_url"]))
        service.sandbox_info = sandbox.info
        yield service
        qloop.run_until_complete(service.aclose())


@pytest.fixture
def save_screenshot() -> Any:
    """Saves a widget's picture under screenshots/ so people can look at every screen the tests build."""

    def save(widget: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        assert widget.grab().save(str(path)), f"could not write {path}"
        return path

    return save


@pytest.fixture(autouse=True)
def _collect_qt_garbage_on_this_thread() -> Iterator[None]:
    """After each GUI test, collect its garbage here on the GUI thread, before a later test's worker or
    sandbox thread could trigger a collection that destroys Qt objects off their thread."""
    yield
    gc.collect()


@pytest.fixture(autouse=True)
def _listener_errors_fail_the_test(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """The service logs (and survives) a sync status listener that raised, so the sync never hangs; in a test
    such a failure of the window's listener is a bug."""
    yield
    failed = [r for r in caplog.records if r.getMessage() == "a sync status listener failed"]
    assert not failed, failed[0].exc_text or failed[0].getMessage()


@pytest.fixture
def mapping_page(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox_service: Any) -> Iterator[Any]:
    """The mapping editor on `sandbox_service`, shown at 1280x720 with its profile and first preview loaded;
    unsaved edits are discarded when the test closes it."""
    from mapping_helpers import preview_settled, settle, wait_until
    from PySide6.QtWidgets import QMessageBox

    from bigbooks_desktop.gui.ops import ErrorPresenter
    from bigbooks_desktop.gui.pages.mapping_editor import MappingEditorPage

    made = MappingEditorPage(sandbox_service, presenter=ErrorPresenter())
    made.ask_unsaved = lambda: QMessageBox.StandardButton.Discard
    qtbot.addWidget(made)
    made.resize(1280, 720)
    made.show()
    settle(qloop, made.refresh())
    wait_until(qloop, preview_settled(made))     # the first preview, made after the profile is shown
    yield made
    # a preview still reading from the sandbox would keep its server from stopping: let it finish first
    made._preview_timer.stop()
    if made.preview_future is not None and not made.preview_future.done():
        qloop.run_until_complete(asyncio.wait([made.preview_future], timeout=60))
