"""`bigbooks --self-test`: is this installation whole? (The window's part is gui/self_test.py.)

The self-test is what a packaged (frozen) app runs after it is built, and what support asks a merchant to run:

- Qt starts on its offscreen platform (`--display`: on the real screen instead; a QT_QPA_PLATFORM already set
  is kept, e.g. `xcb` under Xvfb);
- a temporary data folder (BIGBOOKS_HOME) holds the test's database, preferences and log, so the merchant's own
  profile is never read or written; it is removed afterwards (`--keep` keeps it);
- the keyring backend is resolved and named; with no usable keychain the opt-in token file is used for this
  test only (inside the temporary folder); tokens written to a real keychain are removed at the end;
- the main window is built and every main screen shown, before and after signing in;
- a small in-process sandbox store (BigCommerce + FreshBooks over loopback) is synced through the window's
  own Sync now, and the invoices are checked in the sandbox's books and in the run history;
- `--screenshot PATH` saves the main window (1280x800, the dashboard after the sync) as a PNG.

It prints one `ok:` line per check and `self-test passed` (exit 0), or `self-test FAILED: <reason>` (exit 1).
This module holds no Qt: it prepares the folder, the keychain and the sandbox, and hands the window's checks to
`bigbooks_desktop.gui.self_test`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from bigbooks_desktop import APP_NAME, __version__

__all__ = ["main", "run_self_test"]

SANDBOX_ORDERS = 12         # a small store: the sync takes a few seconds


@contextlib.contextmanager
def _environment(**values: str | None) -> Iterator[None]:
    """Set (or, with None, remove) environment variables for the test and put the old values back after."""
    old = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _platform(display: bool) -> str | None:
    """The QT_QPA_PLATFORM to use: the one set, else offscreen unless the real display was asked for."""
    chosen = os.environ.get("QT_QPA_PLATFORM")
    if chosen:
        return chosen
    return None if display else "offscreen"


def _keyring_backend() -> tuple[str, bool]:
    """(the backend keyring resolved, with the others it could use; whether it is a usable keychain)."""
    import keyring
    import keyring.backend

    from bigbooks_desktop.connectors.credentials import CredentialVault

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    viable = sorted({f"{type(b).__module__}.{type(b).__name__}" for b in keyring.backend.get_all_keyring()})
    usable = CredentialVault.keychain_available()
    return f"{name} (viable: {', '.join(viable) or 'none'})", usable


def run_self_test(*, display: bool = False, keep: bool = False, orders: int = SANDBOX_ORDERS,
                  screenshot: Path | None = None, say: Callable[[str], None] = print) -> None:
    """Every check in turn; SelfTestError (or the exception met) on the first failure."""
    started = time.perf_counter()
    say(f"{APP_NAME} {__version__} self-test ({'frozen' if getattr(sys, 'frozen', False) else 'from source'}, "
        f"Python {sys.version.split()[0]}, {sys.platform})")
    home = Path(tempfile.mkdtemp(prefix="bigbooks-self-test-"))
    try:
        platform = _platform(display)
        with _environment(BIGBOOKS_HOME=str(home), QT_QPA_PLATFORM=platform,
                          BIGBOOKS_ALLOW_FILE_SECRETS=None):
            say(f"temporary data folder {home}")
            backend, usable = _keyring_backend()
            if usable:
                say(f"keyring backend: {backend}; the test's tokens go to this keychain and are removed after")
            else:
                say(f"keyring backend: {backend}: no usable keychain, so the test's tokens go to the opt-in "
                    "file store in the temporary folder (this test only)")
            _sandbox_and_window(say, file_store=not usable, orders=orders, screenshot=screenshot)
    finally:
        _close_log_files(home)
        if keep:
            say(f"kept the temporary data folder {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    say(f"all checks passed in {time.perf_counter() - started:.1f} s")


def _close_log_files(home: Path) -> None:
    """Log handlers writing into the temporary folder are closed before it is removed (Windows locks them)."""
    import logging

    for logger in [logging.getLogger(), *[logging.getLogger(n) for n in logging.root.manager.loggerDict]]:
        for handler in list(getattr(logger, "handlers", [])):
            target = getattr(handler, "baseFilename", "")
            if target and Path(target).is_relative_to(home):
                logger.removeHandler(handler)
                handler.close()


def _sandbox_and_window(say: Callable[[str], None], *, file_store: bool, orders: int,
                        screenshot: Path | None) -> None:
    """Serve a small sandbox store in the process and run the window's checks against it."""
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences
    from bigbooks_desktop.gui import self_test as window_checks
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    window_checks.start_qt(say)
    # the sandbox's orders go back years: sync from the beginning, as the test fixtures do
    save_preferences(load_preferences().model_copy(update={"backfill_start": date(2000, 1, 1)}))

    @contextlib.contextmanager
    def serve() -> Iterator[tuple[str, Callable[[], int]]]:
        with SandboxThread(SandboxConfig(orders=orders, seed=13, time_scale=200)) as sandbox:
            say(f"sandbox store served on {sandbox.base_url} ({orders} orders)")
            yield sandbox.info["admin_url"], lambda: len(sandbox.sandbox.freshbooks.dump().get("invoices", []))

    window_checks.check_window(say, serve=serve, file_store=file_store, screenshot=screenshot)


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(
        prog="bigbooks --self-test",
        description=f"Check that this installation of {APP_NAME} works: start Qt, build every main screen, "
                    "sign in to a built-in sandbox store and sync it, in a temporary data folder.")
    parser.add_argument("--display", action="store_true",
                        help="use the real display instead of Qt's offscreen platform")
    parser.add_argument("--screenshot", type=Path, metavar="PATH", help="save the main window as a PNG")
    parser.add_argument("--orders", type=int, default=SANDBOX_ORDERS, help="orders in the sandbox store")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    args = parser.parse_args(list(argv))

    def say(line: str) -> None:
        print(f"ok: {line}" if not line.startswith(APP_NAME) else line, flush=True)

    from bigbooks_desktop.gui import self_test as window_checks

    restore = window_checks.quiet_offscreen_notes()
    try:
        run_self_test(display=args.display, keep=args.keep, orders=args.orders, screenshot=args.screenshot,
                      say=say)
    except window_checks.SelfTestError as exc:
        print(f"self-test FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    except Exception as exc:
        traceback.print_exc()
        print(f"self-test FAILED: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        restore()
    print("self-test passed", flush=True)
    return 0


