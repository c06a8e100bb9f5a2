"""`bigbooks demo --screenshots DIR`, as a user (or CI) runs it: a 1280x800 PNG of every screen, offscreen."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.gui, pytest.mark.sockets, pytest.mark.slow]

EXPECTED = [
    "main-welcome", "first-run-welcome", "first-run-bigcommerce", "first-run-freshbooks", "first-run-backfill",
    "first-run-start", "main-syncing-dashboard", "main-syncing-inbox", "dashboard", "orders-invoices",
    "order-detail", "inbox", "inbox-fix-email", "inbox-fix-sku", "runs", "runs-undo-preview", "runs-dry-run",
    "reconciliation", "mapping-editor", "mapping-preview",
    "inbox-fixed", "settings-accounts", "settings-schedule", "settings-sync-policies", "settings-data-folder",
    "settings-diagnostics", "settings-about", "tray-menu", "main-waiting", "main-auto-sync", "main-dark",
]


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def test_every_screen_is_saved_at_1280_by_800(tmp_path: Path) -> None:
    env = {**os.environ, "BIGBOOKS_HOME": str(tmp_path / "home"), "QT_QPA_PLATFORM": "offscreen"}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    out = tmp_path / "shots"
    done = subprocess.run(  # noqa: S603 - our own interpreter and module, fixed arguments
        [sys.executable, "-m", "bigbooks_desktop", "demo", "--screenshots", str(out), "--orders", "40",
         "--time-scale", "200"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    saved = sorted(p.stem for p in out.glob("*.png"))
    assert saved == sorted(EXPECTED)
    assert [line for line in done.stdout.splitlines() if line.endswith(".png")] == [
        str(out / f"{name}.png") for name in EXPECTED]                    # in the order a user meets them
    for name in EXPECTED:
        assert _png_size(out / f"{name}.png") == (1280, 800), name
    assert "propagateSizeHints" not in done.stderr
