"""Render the app icon from ``resources/icons/tandai.svg`` into the files each OS wants.

    QT_QPA_PLATFORM=offscreen python packaging/make_icons.py

``tandai.png`` (256 px, the window icon), ``tandai.ico`` (Windows executable) and
``tandai.icns`` (the macOS .app). Both containers hold PNG images, which Windows Vista+ and
macOS 10.7+ read, so Qt's SVG renderer is all it takes: no Pillow, no iconutil. Run it after
changing the SVG and commit the results (the build does not need Qt's SVG module to run).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
#: ICNS entry types holding PNG data, with their pixel sizes (ic11–ic14 are the @2x ones).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic13", 256),
    (b"ic09", 512),
    (b"ic14", 512),
    (b"ic10", 1024),
)


def render_png(renderer: QSvgRenderer, size: int) -> bytes:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico(images: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per size, then the PNGs (a size of 256 is written as 0)."""
    sizes = sorted(images)
    offset = 6 + 16 * len(sizes)
    head = struct.pack("<HHH", 0, 1, len(sizes))
    entries, blobs = b"", b""
    for size in sizes:
        blob = images[size]
        side = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return head + entries + blobs


def icns(renderer: QSvgRenderer) -> bytes:
    body = b"".join(
        kind + struct.pack(">I", 8 + len(png)) + png
        for kind, png in ((k, render_png(renderer, s)) for k, s in ICNS_TYPES)
    )
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "tandai.svg"))
    if not renderer.isValid():
        raise SystemExit(f"cannot render {ICONS / 'tandai.svg'}")
    (ICONS / "tandai.png").write_bytes(render_png(renderer, 256))
    (ICONS / "tandai.ico").write_bytes(ico({s: render_png(renderer, s) for s in ICO_SIZES}))
    (ICONS / "tandai.icns").write_bytes(icns(renderer))
    print(f"wrote tandai.png, tandai.ico, tandai.icns in {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
