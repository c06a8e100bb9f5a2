"""A real mouse gesture maps a field: the mapping editor runs in its own process on an Xvfb display (the xcb
platform, a real X server, not offscreen), and xdotool presses the mouse on an order field, moves it across the
screen and lets go over a FreshBooks field, as a person would. Qt sees only X input events: the drag starts,
runs its own loop and drops through the views as in use. The field is then mapped, the step is on the undo
stack, and undo restores the old source.

Needs Xvfb and xdotool (Debian packages `xvfb`, `xdotool`; `build/bootstrap.sh` installs them as root)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.gui,
    pytest.mark.sockets,
    pytest.mark.skipif(shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
                       reason="needs Xvfb and xdotool: sudo apt-get install -y xvfb xdotool (build/bootstrap.sh)"),
]

CHILD = Path(__file__).with_name("real_drag_child.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def display(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb server on a display number it chose itself (-displayfd), 1280x800."""
    read, write = os.pipe()
    server = subprocess.Popen(  # noqa: S603 - a fixed program and arguments
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],  # noqa: S607
        pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as numbers:
        number = numbers.readline().strip()
    assert number, "Xvfb did not start"
    try:
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def _xdotool(env: dict[str, str], *args: str) -> None:
    subprocess.run(["xdotool", *args], env=env, check=True, timeout=30)  # noqa: S603, S607 - fixed program


def test_a_real_mouse_drag_maps_a_field(display: str, tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", QT_API="pyside6", BIGBOOKS_HOME=str(tmp_path / "home"),
               BIGBOOKS_ALLOW_FILE_SECRETS="1", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               PYTHONPATH=str(ROOT))
    env.pop("WAYLAND_DISPLAY", None)
    child = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(CHILD), "shipping_address.company", "client.organization"], env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line, f"the window did not start: {child.stderr.read() if child.stderr else ''}"
        ready = json.loads(line)
        assert ready["before"] == "billing_address.company"
        (x1, y1), (x2, y2) = ready["start"], ready["end"]
        # press on the order field, move past the drag threshold, cross the screen, release on the target
        _xdotool(env, "mousemove", str(x1), str(y1))
        _xdotool(env, "mousedown", "1")
        for step in range(1, 13):
            x = x1 + (x2 - x1) * step // 12
            y = y1 + (y2 - y1) * step // 12
            _xdotool(env, "mousemove", "--sync", str(x), str(y), "sleep", "0.05")
        _xdotool(env, "mousemove", str(x2), str(y2 + 1), "sleep", "0.2")
        _xdotool(env, "mouseup", "1")
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    result = json.loads(out.strip().splitlines()[-1])
    assert child.returncode == 0, f"not mapped by the gesture: {result}\n{err}"
    assert result["after"] == "shipping_address.company"
    assert result["undo_text"] == "Map shipping_address.company to client.organization"
    assert result["current_target"] == "client.organization"
    assert result["undone"] == "billing_address.company"
