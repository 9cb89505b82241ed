"""Draw the default theme's images: `root/favicon.ico` and `static/card.png`.

`templates/root/favicon.svg` is the icon as written; this script draws the same design,
pixel by pixel, for browsers and crawlers that ask for `/favicon.ico`, and the default
`og:image` card (1200 x 630) that pages shared on social sites show. Plain Python (zlib
and struct), so the theme needs no imaging library; the output is byte-identical on
every run. Run it after changing the design: `python scripts/make_theme_images.py`.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

THEME = Path(__file__).resolve().parent.parent / "templates"

Colour = tuple[int, int, int, int]
Painter = Callable[[float, float], Colour]

PAPER: Colour = (255, 253, 248, 255)  # --bg of style.css
INK: Colour = (29, 27, 24, 255)  # --fg
ACCENT: Colour = (138, 52, 18, 255)  # --accent
HIGHLIGHT: Colour = (252, 239, 199, 255)  # --quote-bg
RULE: Colour = (228, 221, 208, 255)  # --rule
CLEAR: Colour = (0, 0, 0, 0)


def png(width: int, height: int, paint: Painter, samples: int = 4) -> bytes:
    """A PNG (RGBA, 8 bits) of `paint`, which gives the colour at a point of the unit
    square; each pixel averages samples x samples points, for smooth edges."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter type: none
        for x in range(width):
            total = [0, 0, 0, 0]
            for sy in range(samples):
                for sx in range(samples):
                    colour = paint(
                        (x + (sx + 0.5) / samples) / width, (y + (sy + 0.5) / samples) / height
                    )
                    for i in range(4):
                        total[i] += colour[i]
            row += bytes(round(t / samples**2) for t in total)
        rows.append(bytes(row))
    raw = zlib.compress(b"".join(rows), 9)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """An .ico file holding PNG images of the given sizes (as every current browser reads)."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, data in images:
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        blobs += data
        offset += len(data)
    return header + entries + blobs


def _in_quote_mark(x: float, y: float, left: float, top: float, size: float) -> bool:
    """A typographic opening quote mark (two dots with tails) in a box of `size`."""
    for dx in (0.0, 0.52):
        cx, cy, r = left + (dx + 0.24) * size, top + 0.62 * size, 0.22 * size
        if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
            return True
        # the tail: a wedge rising from the dot's upper left to the top right
        tx0, ty0 = left + (dx + 0.04) * size, top + 0.58 * size
        tx1, ty1 = left + (dx + 0.42) * size, top + 0.08 * size
        if ty1 <= y <= ty0:
            t = (ty0 - y) / (ty0 - ty1)
            centre = tx0 + t * (tx1 - tx0)
            half = (1 - t) * 0.1 * size + 0.02 * size
            if abs(x - centre - half) <= half:
                return True
    return False


def icon(x: float, y: float) -> Colour:
    """The favicon: the accent's rounded square with a paper-white quote mark."""
    r = 0.18
    cx, cy = min(max(x, r), 1 - r), min(max(y, r), 1 - r)
    if (x - cx) ** 2 + (y - cy) ** 2 > r * r:
        return CLEAR
    return PAPER if _in_quote_mark(x, y, 0.2, 0.2, 0.6) else ACCENT


def card(x: float, y: float) -> Colour:
    """The default sharing card: a page of text, a passage highlighted, a quote mark."""
    px, py = x * 1200, y * 630
    if _in_quote_mark(px, py, 90, 120, 260):
        return ACCENT
    for n in range(6):
        top = 150 + n * 66
        right = 1110 if n != 5 else 820
        if top <= py <= top + 22 and 420 <= px <= right:
            highlighted = n in (2, 3) and (n != 2 or px >= 640) and (n != 3 or px <= 900)
            return ACCENT if highlighted and py >= top + 18 else HIGHLIGHT if highlighted else RULE
    if 540 <= py <= 548 and 90 <= px <= 1110:
        return INK
    return PAPER


def main() -> None:
    """Write both images into the default theme."""
    (THEME / "root" / "favicon.ico").write_bytes(
        ico([(16, png(16, 16, icon)), (32, png(32, 32, icon)), (48, png(48, 48, icon))])
    )
    (THEME / "static" / "card.png").write_bytes(png(1200, 630, card, samples=2))


if __name__ == "__main__":
    main()
