"""`bigbooks demo`: the app's main job on the built-in sandbox store, in a window or headless.

A throwaway profile (its own data folder) is wiped and signed in to an in-process sandbox through the same
code paths a real store uses. With a display the app window opens on it; without one the same demo runs
headless and prints what it did.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from bigbooks_desktop.commands import Subparsers

__all__ = ["demo_profile_dir", "has_display", "register"]


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="try the app on the built-in sandbox store (no accounts needed)",
        description="Start a local sandbox store, sign in to it, and sync it: in a window when there is a "
                    "display, headless otherwise.",
    )
    parser.add_argument("--orders", type=int, default=120, help="orders in the sandbox store (120)")
    parser.add_argument("--seed", type=int, default=7, help="store generator seed (7)")
    parser.add_argument("--faults", default="", type=_fault_spec,
                        help="sandbox fault spec, e.g. '*:503=0.05' (none; grammar: bigbooks sandbox --help)")
    parser.add_argument("--time-scale", type=float, default=10.0,
                        help="speed up the sandbox's BigCommerce rate-limit window (150 requests per 30 s) "
                             "by this factor (10; 1 = real-world pacing)")
    parser.add_argument("--headless", action="store_true", help="never open a window")
    parser.add_argument("--keep", action="store_true",
                        help="keep the previous demo profile instead of wiping it")
    parser.add_argument("--json", action="store_true", help="headless: print the summary as JSON on stdout")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="save a 1280x800 PNG of every screen (set-up, main window, settings, tray menu) on "
                             "the demo store to DIR, then exit; without a display it renders offscreen")
    parser.set_defaults(handler=run_demo)


def _fault_spec(text: str) -> str:
    """A fault spec checked as it is read: a bad one exits 2 naming the bad rule, not with a traceback."""
    from bigbooks_desktop.sandbox.faults import FaultPlan, FaultSpecError  # stdlib-only module

    try:
        FaultPlan.parse(text)
    except FaultSpecError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def has_display() -> bool:
    """Whether a window can be shown: always on Windows/macOS; on Linux, an X11/Wayland session."""
    if os.environ.get("QT_QPA_PLATFORM", "") in ("offscreen", "minimal"):
        return False
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def demo_profile_dir() -> Path:
    """The demo's own data folder, beside the real profile so the demo never touches real links or tokens."""
    from bigbooks_desktop.core import paths

    return paths.data_dir() / "demo-profile"


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run_demo(args: argparse.Namespace) -> int:
    from bigbooks_desktop.sandbox.config import SandboxConfig
    from bigbooks_desktop.sandbox.server import SandboxThread

    profile = demo_profile_dir()
    if profile.exists() and not args.keep:
        shutil.rmtree(profile)
    profile.mkdir(parents=True, exist_ok=True)
    os.environ["BIGBOOKS_HOME"] = str(profile)
    # The sandbox's credentials are throwaway; without a keychain the demo keeps them in a 0600 file inside
    # the demo profile (never the real profile's secrets).
    os.environ["BIGBOOKS_ALLOW_FILE_SECRETS"] = "1"
    _backfill_whole_store()

    # The screenshots' store: FreshBooks knows nearly every SKU already, so the few it does not wait in the
    # inbox (gui.demo_screenshots syncs with the "inbox" unknown-SKU policy) and the SKU fix can be pictured.
    known = 0.97 if args.screenshots is not None else 0.75
    config = SandboxConfig(orders=args.orders, seed=args.seed, faults=args.faults, time_scale=args.time_scale,
                           books_known_share=known)
    _say(f"Starting the sandbox store ({args.orders} orders, seed {args.seed}; BigCommerce rate limit "
         f"{config.bc_quota} requests per {config.window_seconds():g} s, "
         f"time-scaled x{args.time_scale:g})...")
    with SandboxThread(config) as sandbox:
        admin_url = sandbox.info["admin_url"]
        _say(f"Sandbox running at {sandbox.base_url} (admin: {admin_url}); demo profile: {profile}")
        if args.screenshots is not None:
            return _screenshots(args.screenshots, admin_url)
        if has_display() and not args.headless:
            from bigbooks_desktop.gui.app import run_gui

            return run_gui(demo_admin_url=admin_url)
        return asyncio.run(_headless(admin_url, json_out=args.json))


def _screenshots(folder: Path, admin_url: str) -> int:
    """Every screen as a PNG (gui.demo_screenshots); offscreen when there is no display."""
    if not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from bigbooks_desktop.gui.demo_screenshots import save_screenshots

    folder.mkdir(parents=True, exist_ok=True)
    saved = save_screenshots(folder, admin_url=admin_url, hold_profile=_hold_profile)
    for path in saved:
        print(path)
    _say(f"{len(saved)} screenshots in {folder}")
    return 0


@contextlib.contextmanager
def _hold_profile(what: str) -> Iterator[object]:
    """Hold the demo profile's sync lock as another process would (the waiting screen)."""
    from bigbooks_desktop.core.paths import database_path
    from bigbooks_desktop.sync.profile_lock import ProfileLock

    lock = ProfileLock(database_path(), what=what)
    if not lock.try_acquire():
        raise RuntimeError("the demo profile is busy")
    try:
        yield lock
    finally:
        lock.release()


def _backfill_whole_store() -> None:
    """The demo store's history lies in the past: its first sync backfills all of it (a real first run
    starts from the date the merchant picks)."""
    from bigbooks_desktop.commands.demo_report import BACKFILL_FROM
    from bigbooks_desktop.core.preferences import load_preferences, save_preferences

    save_preferences(load_preferences().model_copy(update={"backfill_start": BACKFILL_FROM}))


async def _headless(admin_url: str, *, json_out: bool) -> int:
    from bigbooks_desktop.commands.demo_report import run_headless_demo

    return await run_headless_demo(admin_url, json_out=json_out)
