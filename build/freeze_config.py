"""What the frozen app needs named and what it leaves out: read by bigbooks.spec, checked by tests/test_self_test.py.

Plain Python (no PyInstaller import), so CI checks the lists without building anything.

- `hidden_imports()`: modules imported by name at run time, which PyInstaller's import scan cannot see:
  every verb of `cli.COMMAND_MODULES` (cli.build_parser imports `bigbooks_desktop.commands.<name>`), the optional
  dialogs (gui.optional_dialogs looks them up with importlib.util.find_spec), and uvicorn's implementations the
  sandbox server names as strings (sandbox.server: loop="asyncio", http="h11", ws="none"; uvicorn.config imports
  them with uvicorn.importer.import_from_string). keyring's backends come from its entry points
  (`collect_entry_point("keyring.backends")` in the spec).
- `EXCLUDES`: other Qt bindings and the Qt modules the app never imports (it imports QtCore, QtGui, QtWidgets,
  QtNetwork and QtCharts: `grep -rhn 'from PySide6' bigbooks_desktop | sort -u`), plus test tools.
- `keep_binary()` / `keep_data()`: drop Qt plugins and translations the app cannot use (see each list).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

__all__ = ["EXCLUDES", "QT_MODULES_USED", "hidden_imports", "keep_binary", "keep_data", "windows_version_file"]

QT_MODULES_USED = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtCharts")

# Modules the app imports by name (strings), beyond the verbs.
DYNAMIC_IMPORTS = (
    "bigbooks_desktop.gui.wizard",              # gui.optional_dialogs: find_spec + import when present
    "bigbooks_desktop.gui.pages.settings",
    "bigbooks_desktop.commands.self_test",      # cli.main: `--self-test` (the window's part: gui.self_test)
    "bigbooks_desktop.gui.self_test",           # cli.main: `--startup-time`
    "uvicorn.loops.asyncio",                    # sandbox.server's uvicorn.Config(loop="asyncio", ...)
    "uvicorn.protocols.http.h11_impl",          # http="h11"
    "uvicorn.lifespan.on",                      # lifespan="auto" picks LifespanOn
    "uvicorn.lifespan.off",
)

_QT_UNUSED = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
    "QtBluetooth", "QtConcurrent", "QtDataVisualization", "QtDesigner", "QtGraphs", "QtGraphsWidgets", "QtHelp",
    "QtHttpServer", "QtLocation", "QtMultimedia", "QtMultimediaWidgets", "QtNetworkAuth", "QtNfc", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtQml", "QtQuick", "QtQuick3D", "QtQuickControls2", "QtQuickTest",
    "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors", "QtSerialBus", "QtSerialPort", "QtSpatialAudio",
    "QtSql", "QtStateMachine", "QtSvgWidgets", "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel",
    "QtWebEngineCore", "QtWebEngineQuick", "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
    "QtCanvasPainter",
    # pulled in by the hooks as QtCharts' neighbours, never imported from Python (QtCharts imports without them;
    # their Qt libraries stay, libQt6Charts needs them)
    "QtOpenGL", "QtOpenGLWidgets", "QtDBus",
)
EXCLUDES = (
    "PyQt5", "PyQt6", "PySide2", "shiboken2", "tkinter", "_tkinter",
    *(f"PySide6.{name}" for name in _QT_UNUSED),
    # test and development tools, should anything pull them in
    "pytest", "_pytest", "pytestqt", "hypothesis", "mypy", "IPython", "setuptools", "pip",
    "yaml",          # uvicorn.config imports it if present (YAML log configs); the app never uses it
    # httpx's command line (httpx._main: rich, pygments, markdown-it) and pydoc's topics: never run here
    "rich", "pygments", "markdown_it", "mdurl", "pydoc_data",
)

# Qt plugin folders (under PySide6/Qt/plugins/) the app needs: the platforms, the styles and platform themes (a
# native look), image formats for the icons, xcb GL integration and Wayland shells on Linux, input methods.
_PLUGIN_DIRS_KEPT = {
    "platforms", "platformthemes", "styles", "imageformats", "iconengines", "tls", "xcbglintegrations",
    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-shell-integration",
    "platforminputcontexts",
}   # left out: generic (evdev/tuio input for kiosks), networkinformation and tls (the app's only QtNetwork use is
    # QLocalServer/QLocalSocket, gui/single_instance.py: HTTP goes through httpx), and the unused rest
_IMAGE_FORMATS_KEPT = ("qico", "qjpeg", "qgif", "qsvg")        # .ico for Windows, the common ones; no tiff/webp/...
_PLATFORMS_DROPPED = ("qvnc", "qlinuxfb", "qminimalegl", "qeglfs", "qvkkhrdisplay")   # no kiosk/framebuffer use
# Single plugins left out: the virtual keyboard's input context (needs QtQuick); GTK's platform theme on Linux:
# the GTK libraries are not bundled (PyInstaller cannot find them on a build machine without a desktop, and
# mixing a bundled half of GTK with the system's is worse), so the plugin could not load anyway; the xdg desktop
# portal theme stays.
_PLUGINS_DROPPED = ("qtvirtualkeyboardplugin", "libqgtk3")
# Linux libraries taken from the system, not bundled: those of the AppImage exclude list that PyInstaller collects
# here (the list linuxdeployqt applies: probonopd/linuxdeployqt tools/linuxdeployqt/excludelist.h; libraries
# every desktop has, and that break when a bundled copy meets the system's: a bundled libstdc++ older than the
# system's stops Mesa's GL drivers from loading, a bundled fontconfig misreads the system's configuration);
# the rest of what only GTK's platform theme needed (left out above); and what only GIO needed (only the
# networkinformation glib plugin used it). The frozen app's system needs are in README ("Building and installing").
_LINUX_LIBS_DROPPED = (
    # from the exclude list
    "libcom_err", "libexpat", "libfontconfig", "libfreetype", "libfribidi", "libgcc_s", "libgdk_pixbuf-2.0",
    "libgio-2.0", "libglib-2.0", "libgobject-2.0", "libgpg-error", "libharfbuzz", "libpango-1.0",
    "libpangocairo-1.0", "libpangoft2-1.0", "libstdc++", "libthai", "libuuid", "libX11", "libxcb", "libz",
    # the base system of every systemd distribution (Debian priority "required": libsystemd0, libgcrypt20,
    # liblzma5, libzstd1, liblz4-1), pulled in through D-Bus; a bundled copy only duplicates the system's
    "libsystemd", "libgcrypt", "liblzma", "libzstd", "liblz4",
    # only GTK's theme plugin and GIO needed these
    "libatk-1.0", "libcairo", "libcairo-gobject", "libpixman-1", "libdatrie", "libgraphite2", "libjpeg",
    "libmount", "libblkid", "libselinux",
)
# Libraries no kept module or plugin needs; pulled in by plugins the app does not use.
_LIBS_DROPPED = ("Qt6Pdf", "Qt6Quick", "Qt6Qml", "Qt6QmlModels", "Qt6QmlMeta", "Qt6QmlWorkerScript",
                 "Qt6VirtualKeyboard", "Qt6Multimedia", "Qt6WebEngine", "Qt6Designer", "Qt6Sql", "Qt6Test",
                 "Qt6Positioning", "Qt6Location", "Qt6Sensors", "Qt6Quick3D", "Qt6ShaderTools", "Qt63D",
                 "Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport")


def hidden_imports() -> list[str]:
    from bigbooks_desktop.cli import COMMAND_MODULES

    return [*(f"bigbooks_desktop.commands.{name}" for name in COMMAND_MODULES), *DYNAMIC_IMPORTS]


def _parts(dest: str) -> list[str]:
    return dest.replace("\\", "/").split("/")


# rapidfuzz ships each of its C++ modules twice, for AVX2 and for SSE2, and falls back to the SSE2 one when the
# AVX2 one cannot be imported (rapidfuzz/fuzz.py, distance/metrics.py: contextlib.suppress(ImportError)); the
# mapping editor ranks a few dozen names, so the AVX2 copies (5 MB) are left out.
_RAPIDFUZZ_AVX2 = "_avx2."


def keep_binary(dest: str) -> bool:
    """False for a Qt plugin or library the app cannot use (`dest`: its path inside the app folder)."""
    parts = _parts(dest)
    name = parts[-1]
    if parts[0] == "rapidfuzz" and _RAPIDFUZZ_AVX2 in name:
        return False
    if "plugins" in parts:
        folder = parts[parts.index("plugins") + 1] if parts.index("plugins") + 1 < len(parts) - 1 else ""
        if folder and folder not in _PLUGIN_DIRS_KEPT:
            return False
        if folder == "imageformats" and not any(kept in name for kept in _IMAGE_FORMATS_KEPT):
            return False
        if folder == "platforms" and any(dropped in name for dropped in _PLATFORMS_DROPPED):
            return False
        if any(dropped in name for dropped in _PLUGINS_DROPPED):
            return False
    if len(parts) == 1 and name.split(".so")[0] in _LINUX_LIBS_DROPPED:
        return False
    stem = name.removeprefix("lib").split(".")[0]
    return not any(stem.startswith(lib) for lib in _LIBS_DROPPED)


def keep_data(dest: str) -> bool:
    """False for Qt's translations (the app speaks English only: a translated OK button in an English dialog
    helps no one; 5.8 MB) and Qt's QML files."""
    parts = _parts(dest)
    if "translations" in parts and "PySide6" in parts:
        return False
    return "qml" not in parts


def windows_version_file(path: Path, *, name: str, version: str, description: str) -> Path:
    """Write PyInstaller's version resource (the text form of VSVersionInfo) for BigBooks.exe to `path`."""
    numbers = [int(part) for part in version.split(".")[:4] if part.isdigit()]
    numbers += [0] * (4 - len(numbers))
    tuple_text = "(" + ", ".join(str(n) for n in numbers) + ")"
    text = f"""# Generated by build/freeze_config.py: the version resource of BigBooks.exe.
VSVersionInfo(
  ffi=FixedFileInfo(filevers={tuple_text}, prodvers={tuple_text}, mask=0x3f, flags=0x0, OS=0x40004,
                    fileType=0x1, subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', '{name}'),
      StringStruct('FileDescription', '{description}'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('InternalName', 'BigBooks'),
      StringStruct('LegalCopyright', 'The {name} authors'),
      StringStruct('OriginalFilename', 'BigBooks.exe'),
      StringStruct('ProductName', '{name}'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
