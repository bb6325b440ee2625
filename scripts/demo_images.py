"""Product photos for the demo catalog: small PNGs drawn without an imaging library.

Each product gets a tile in its category's colour with a diagonal stripe, so the seeded catalog
shows pictures and the same item always gives the same bytes (and so the same CID).
"""
import struct
import zlib

CATEGORY_COLOURS = {
    "food": (176, 112, 56),
    "home": (70, 110, 160),
    "clothing": (150, 70, 120),
    "digital": (60, 140, 100),
}
DEFAULT_COLOUR = (120, 120, 120)


def png(width=64, height=48, rgb=(200, 120, 40), stripe=(40, 40, 40)):
    """A PNG (8-bit RGB) of one colour crossed by a diagonal stripe."""
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            row += bytes(stripe) if abs(x - y * width // height) < max(2, width // 24) else bytes(rgb)
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
            + _chunk(b"IEND", b""))


def product_image(item):
    """The demo photo of a catalog item (demo/catalog.json entry)."""
    colour = CATEGORY_COLOURS.get(item.get("category"), DEFAULT_COLOUR)
    return png(320, 240, colour, stripe=tuple(min(255, c + 70) for c in colour))


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
