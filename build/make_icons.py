"""Draws the app icon into resources/: PNGs at 16-1024 px, `bigbooks.ico` (Windows) and `bigbooks.icns` (macOS).

    .venv/bin/python build/make_icons.py            # rewrite resources/icon-*.png, bigbooks.ico, bigbooks.icns

Drawn with QPainter on Qt's offscreen platform (no display needed, no image library): a blue rounded square with a
white "B" whose bowls are two stacked books' spines (the app keeps the store and the books together), and, from
48 px up, a green round badge with the two arrows of a sync. Small sizes are drawn for their size, not scaled down:
at 16 and 24 px the square fills the whole canvas, the letter is thicker and the badge is left out, so the icon
stays a crisp "B" in a title bar or a tray.

Both containers are written here, because no icon tool is installed on the machines that build the app:
- ICO: the ICONDIR header, one ICONDIRENTRY per size, then each image as PNG (accepted by Windows Vista and later,
  PyInstaller and Inno Setup); sizes 16, 24, 32, 48, 64, 128, 256.
- ICNS: "icns" + the file's length (big-endian), then for each image a 4-character type + the entry's length
  (8-byte header included) + a PNG: icp4 16, icp5 32, icp6 64, ic07 128, ic08 256, ic09 512, ic10 1024 (512@2x),
  ic11 32 (16@2x), ic12 64 (32@2x), ic13 256 (128@2x), ic14 512 (256@2x).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QImageWriter,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parents[1]
RESOURCES = ROOT / "resources"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_TYPES = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512),
              ("ic10", 1024), ("ic11", 32), ("ic12", 64), ("ic13", 256), ("ic14", 512))

BLUE_TOP = QColor("#3b7ddd")
BLUE_BOTTOM = QColor("#1d4fa8")
PAGE = QColor("#ffffff")
PAGE_EDGE = QColor("#d6e2f5")
GREEN = QColor("#22a35a")


def _letter(size: float, small: bool) -> QPainterPath:
    """The "B": a spine (the left bar) and two bowls drawn as books lying on each other, the lower one wider."""
    s = size
    left = s * (0.24 if small else 0.22)
    top = s * 0.17
    bottom = s * (0.83 if small else 0.8)
    stroke = s * (0.2 if small else 0.15)           # the spine's width
    middle = (top + bottom) / 2
    upper_right = s * (0.66 if small else 0.6)
    lower_right = s * (0.76 if small else 0.69)
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.OddEvenFill)
    # outer outline: spine + two rounded bowls
    path.moveTo(left, top)
    r1 = (middle - top) / 2
    path.lineTo(upper_right - r1, top)
    path.arcTo(QRectF(upper_right - 2 * r1, top, 2 * r1, 2 * r1), 90, -180)
    r2 = (bottom - middle) / 2
    path.lineTo(lower_right - r2, middle)
    path.arcTo(QRectF(lower_right - 2 * r2, middle, 2 * r2, 2 * r2), 90, -180)
    path.lineTo(left, bottom)
    path.closeSubpath()
    # the two counters (holes), as pages seen from the side
    gap = stroke * (0.62 if small else 0.55)
    for (y0, y1, right) in ((top, middle, upper_right), (middle, bottom, lower_right)):
        inner_top = y0 + gap
        inner_bottom = y1 - gap * (0.5 if y1 == middle else 1.0)
        if y0 == middle:
            inner_top = y0 + gap * 0.5
        inner_left = left + stroke
        r = (inner_bottom - inner_top) / 2
        inner_right = right - gap
        if inner_right - r <= inner_left or r <= 0:
            continue
        hole = QPainterPath()
        hole.moveTo(inner_left, inner_top)
        hole.lineTo(inner_right - r, inner_top)
        hole.arcTo(QRectF(inner_right - 2 * r, inner_top, 2 * r, 2 * r), 90, -180)
        hole.lineTo(inner_left, inner_bottom)
        hole.closeSubpath()
        path.addPath(hole)
    return path


def _sync_badge(painter: QPainter, centre: QPointF, radius: float) -> None:
    """A green disc with a white ring around it and two arrows chasing each other."""
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(PAGE)
    painter.drawEllipse(centre, radius * 1.12, radius * 1.12)
    painter.setBrush(GREEN)
    painter.drawEllipse(centre, radius, radius)
    arc_r = radius * 0.55
    pen = QPen(PAGE, radius * 0.2, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    box = QRectF(centre.x() - arc_r, centre.y() - arc_r, 2 * arc_r, 2 * arc_r)
    painter.drawArc(box, 30 * 16, 120 * 16)      # upper arc, from 30 to 150 degrees
    painter.drawArc(box, 210 * 16, 120 * 16)     # lower arc, from 210 to 330 degrees
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(PAGE)
    head = radius * 0.34
    import math

    for angle in (150.0, 330.0):                 # arrow heads at the ends of the arcs, pointing on round
        a = math.radians(angle)
        tip_base = QPointF(centre.x() + arc_r * math.cos(a), centre.y() - arc_r * math.sin(a))
        # tangent direction going counter-clockwise (the arcs run counter-clockwise in Qt's angles)
        tangent = QPointF(-math.sin(a), -math.cos(a))
        normal = QPointF(math.cos(a), -math.sin(a))
        tip = tip_base + tangent * head
        arrow = QPainterPath()
        arrow.moveTo(tip)
        arrow.lineTo(tip_base + normal * head * 0.75 - tangent * head * 0.1)
        arrow.lineTo(tip_base - normal * head * 0.75 - tangent * head * 0.1)
        arrow.closeSubpath()
        painter.drawPath(arrow)


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    small = size <= 24
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = 0.0 if small else size * (0.03 if size <= 48 else 0.06)
    body = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    gradient = QLinearGradient(body.topLeft(), body.bottomLeft())
    gradient.setColorAt(0, BLUE_TOP)
    gradient.setColorAt(1, BLUE_BOTTOM)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QBrush(gradient))
    radius = body.width() * (0.18 if small else 0.22)
    painter.drawRoundedRect(body, radius, radius)

    painter.translate(margin, margin)
    letter = _letter(body.width(), small)
    if not small:                                 # the books' page edges: a light line under the letter's right
        painter.setBrush(PAGE_EDGE)
        painter.drawPath(letter.translated(body.width() * 0.012, body.width() * 0.022))
    painter.setBrush(PAGE)
    painter.drawPath(letter)
    painter.translate(-margin, -margin)

    if size >= 64:
        r = body.width() * 0.16
        _sync_badge(painter, QPointF(body.right() - r * 1.2, body.bottom() - r * 1.2), r)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QImageWriter(buffer, QByteArray(b"png"))
    if not writer.write(image):
        raise OSError(f"could not encode a PNG: {writer.errorString()}")
    buffer.close()
    return bytes(data.data())


def ico(images: dict[int, bytes]) -> bytes:
    """An ICO holding each size as a PNG image."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in sorted(images.items()):
        dim = 0 if size >= 256 else size               # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset + len(blobs))
        blobs += blob
    return header + entries + blobs


def icns(images: dict[int, bytes]) -> bytes:
    body = b"".join(kind.encode("ascii") + struct.pack(">I", len(images[size]) + 8) + images[size]
                    for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    RESOURCES.mkdir(exist_ok=True)
    images = {size: png_bytes(draw(size)) for size in PNG_SIZES}
    for size in PNG_SIZES:
        (RESOURCES / f"icon-{size}.png").write_bytes(images[size])
    (RESOURCES / "bigbooks.ico").write_bytes(ico({s: images[s] for s in ICO_SIZES}))
    (RESOURCES / "bigbooks.icns").write_bytes(icns(images))
    print(f"wrote {len(PNG_SIZES)} PNGs, bigbooks.ico and bigbooks.icns to {RESOURCES}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
