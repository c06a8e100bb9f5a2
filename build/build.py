"""Build the packaged app for this OS: `python build/build.py` (run it with the project's venv Python).

1. installs PyInstaller (and the app) into this Python if missing: `pip install -e .[build]` (pinned there);
2. freezes the app with bigbooks.spec into dist/BigBooks/ (work files in build/pyinstaller/; both git-ignored);
3. runs the frozen app's `--self-test` offscreen (and, with --xvfb on Linux, under xvfb-run on a real X server);
4. makes the installer: Windows dist/installer/BigBooks-<v>-setup.exe (Inno Setup, when iscc is installed),
   macOS dist/BigBooks-<v>.dmg (hdiutil), Linux dist/BigBooks-<v>-linux-<arch>.tar.gz (with install.sh), and an
   AppImage too when appimagetool is on PATH (it is not installable from a package registry, so not by default);
5. prints the app folder's size and its biggest contributors.

Options: --skip-build (test and package the existing dist/), --no-installer, --xvfb, --screenshot PATH.
Exit code: 0, or 1 with the failing step named.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
APP_DIR = DIST / "BigBooks"
SPEC = ROOT / "bigbooks.spec"


class BuildError(Exception):
    pass


def step(title: str) -> None:
    print(f"\n== {title}", flush=True)


def run(command: list[str], *, env: dict[str, str] | None = None, cwd: Path = ROOT) -> None:
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, check=False)  # noqa: S603 (the build's own commands)
    if result.returncode != 0:
        raise BuildError(f"{Path(command[0]).name} exited with {result.returncode}")


def version() -> str:
    sys.path.insert(0, str(ROOT))
    from bigbooks_desktop import __version__

    return __version__


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is not None and importlib.util.find_spec("PySide6") is not None:
        return
    step("installing PyInstaller and the app into this Python (pip install -e .[build])")
    run([sys.executable, "-m", "pip", "install", "-e", f"{ROOT}[build]"])


def ensure_icons() -> None:
    if not (ROOT / "resources" / "bigbooks.ico").exists():
        step("drawing the icons (build/make_icons.py)")
        run([sys.executable, str(ROOT / "build" / "make_icons.py")])


def freeze() -> None:
    step("freezing with PyInstaller (bigbooks.spec)")
    started = time.monotonic()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)])
    print(f"froze in {time.monotonic() - started:.0f} s")


def frozen_executable() -> Path:
    """The executable that prints to a terminal: the console twin on Windows, the bundle's binary on macOS."""
    if sys.platform == "win32":
        return APP_DIR / "BigBooks-console.exe"
    if sys.platform == "darwin":
        return DIST / "BigBooks.app" / "Contents" / "MacOS" / "BigBooks"
    return APP_DIR / "BigBooks"


def self_test(*, xvfb: bool, screenshot: Path | None) -> None:
    exe = frozen_executable()
    if not exe.exists():
        raise BuildError(f"{exe} was not built")
    step("the frozen app's self-test, offscreen")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    extra = ["--screenshot", str(screenshot)] if screenshot else []
    run([str(exe), "--self-test", *extra], env=env)
    if xvfb:
        if not shutil.which("xvfb-run"):
            raise BuildError("--xvfb needs xvfb-run (apt-get install xvfb xauth)")
        step("the frozen app's self-test under Xvfb (Qt's xcb platform)")
        env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
        run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", str(exe), "--self-test", "--display"], env=env)


def installer_windows(ver: str) -> Path | None:
    iscc = shutil.which("iscc") or next((str(p) for p in (
        Path(os.environ.get("ProgramFiles(x86)", r"C:\Program Files (x86)")) / "Inno Setup 6" / "ISCC.exe",
        Path(os.environ.get("ProgramFiles", r"C:\Program Files")) / "Inno Setup 6" / "ISCC.exe") if p.exists()),
        None)
    if iscc is None:
        print("Inno Setup's iscc is not installed: no installer made (choco install innosetup)")
        return None
    out = DIST / "installer"
    run([iscc, f"/DAppVersion={ver}", f"/DSourceDir={APP_DIR}", f"/DOutputDir={out}",
         str(ROOT / "build" / "windows" / "bigbooks.iss")])
    return out / f"BigBooks-{ver}-setup.exe"


def installer_macos(ver: str) -> Path:
    staging = WORK / "dmg"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    shutil.copytree(DIST / "BigBooks.app", staging / "BigBooks.app", symlinks=True)
    (staging / "Applications").symlink_to("/Applications")
    dmg = DIST / f"BigBooks-{ver}.dmg"
    dmg.unlink(missing_ok=True)
    run(["hdiutil", "create", "-volname", f"BigBooks Desktop {ver}", "-srcfolder", str(staging), "-ov",
         "-format", "UDZO", str(dmg)])
    return dmg


def installer_linux(ver: str) -> list[Path]:
    arch = platform.machine() or "x86_64"
    tarball = DIST / f"BigBooks-{ver}-linux-{arch}.tar.gz"
    top = f"BigBooks-{ver}"
    with tarfile.open(tarball, "w:gz") as tar:
        tar.add(APP_DIR, arcname=f"{top}/BigBooks")
        tar.add(ROOT / "build" / "linux" / "install.sh", arcname=f"{top}/install.sh")
        tar.add(ROOT / "build" / "linux" / "bigbooks.desktop", arcname=f"{top}/bigbooks.desktop")
    made = [tarball]
    appimagetool = shutil.which("appimagetool")
    if appimagetool is None:
        print("appimagetool is not installed (it is a download from GitHub, in no package registry): "
              "no AppImage made; the tarball is the Linux package")
        return made
    appdir = WORK / "BigBooks.AppDir"
    shutil.rmtree(appdir, ignore_errors=True)
    shutil.copytree(APP_DIR, appdir / "usr" / "lib" / "BigBooks", symlinks=True)
    shutil.copy(ROOT / "build" / "linux" / "bigbooks.desktop", appdir / "bigbooks.desktop")
    shutil.copy(ROOT / "resources" / "icon-256.png", appdir / "bigbooks.png")
    apprun = appdir / "AppRun"
    apprun.write_text('#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/usr/lib/BigBooks/BigBooks" "$@"\n')
    apprun.chmod(0o755)
    image = DIST / f"BigBooks-{ver}-{arch}.AppImage"
    run([appimagetool, str(appdir), str(image)], env={**os.environ, "ARCH": arch})
    made.append(image)
    return made


def make_installer(ver: str) -> list[Path]:
    step("making the installer")
    if sys.platform == "win32":
        made = installer_windows(ver)
        return [made] if made else []
    if sys.platform == "darwin":
        return [installer_macos(ver)]
    return installer_linux(ver)


def report_size(top: int = 15) -> None:
    step(f"size of {APP_DIR.relative_to(ROOT)}")
    files = [p for p in APP_DIR.rglob("*") if p.is_file() and not p.is_symlink()]
    total = sum(p.stat().st_size for p in files)
    print(f"{total / 1e6:.1f} MB ({total / 2**20:.1f} MiB) in {len(files)} files")
    print("biggest files:")
    for path in sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:top]:
        print(f"  {path.stat().st_size / 1e6:6.1f} MB  {path.relative_to(APP_DIR)}")
    groups: Counter[str] = Counter()
    internal = APP_DIR / "_internal"
    for path in files:
        relative = path.relative_to(internal) if path.is_relative_to(internal) else path.relative_to(APP_DIR)
        parts = relative.parts
        key = "/".join(parts[:3]) if parts[:2] == ("PySide6", "Qt") else parts[0] if len(parts) > 1 \
            else "(libraries and files at the top)"
        groups[key] += path.stat().st_size
    print("by folder:")
    for key, size in groups.most_common(top):
        print(f"  {size / 1e6:6.1f} MB  {key}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--skip-build", action="store_true", help="test and package the existing dist/BigBooks")
    parser.add_argument("--no-installer", action="store_true", help="do not make the installer")
    parser.add_argument("--xvfb", action="store_true", help="also run the self-test under xvfb-run (Linux)")
    parser.add_argument("--screenshot", type=Path, help="the self-test saves the main window there")
    args = parser.parse_args(argv)
    try:
        ver = version()
        print(f"BigBooks Desktop {ver}: building for {sys.platform} ({platform.machine()}) with Python "
              f"{sys.version.split()[0]} at {sys.executable}")
        if not args.skip_build:
            ensure_pyinstaller()
            ensure_icons()
            freeze()
        self_test(xvfb=args.xvfb, screenshot=args.screenshot)
        made = [] if args.no_installer else make_installer(ver)
        report_size()
        for path in made:
            print(f"installer: {path.relative_to(ROOT)} ({path.stat().st_size / 1e6:.1f} MB)")
    except BuildError as exc:
        print(f"build FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
