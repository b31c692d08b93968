"""Real PNG images for the emulator's binary replies, written with ``zlib`` and ``struct``.

Why hand-written: a Mini Program code is an image, and a test (or the demo) that saves one must
get a file any viewer opens, different per page and scene, without the emulator depending on an
imaging library. A PNG is a signature and four chunks (IHDR, tEXt, IDAT, IEND), each a length, a
type, data and a CRC; the pixels are rows of filter byte 0 and raw samples, deflated. That is all
written here, and read back (:func:`png_text`, :func:`png_size`) so a scan of a code the emulator
made finds what it was made of.

The picture is QR-like, not a QR code anyone could decode: three finder squares in the corners,
the timing lines, and a pattern of modules drawn from a SHA-256 of what the code carries.
Standard library only.
"""

from __future__ import annotations

import hashlib
import struct
import zlib

__all__ = ["MAGIC", "code_image", "png_size", "png_text", "sniff"]

MAGIC = b"\x89PNG\r\n\x1a\n"
_MODULES = 21  # a version-1 QR code's side
_QUIET = 2  # blank modules around it
TEXT_KEY = "Comment"  # the tEXt keyword that holds what the code carries


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _pattern(seed: bytes) -> list[list[bool]]:
    """The modules, ``True`` dark: finders, timing lines, and hashed data modules."""
    stream = b"".join(hashlib.sha256(seed + bytes([i])).digest() for i in range(4))
    bits = [(stream[i // 8] >> (i % 8)) & 1 == 1 for i in range(len(stream) * 8)]
    grid = [[bits[(row * _MODULES + col) % len(bits)] for col in range(_MODULES)] for row in range(_MODULES)]
    for top, left in ((0, 0), (0, _MODULES - 7), (_MODULES - 7, 0)):
        for row in range(-1, 8):
            for col in range(-1, 8):
                r, c = top + row, left + col
                if 0 <= r < _MODULES and 0 <= c < _MODULES:
                    ring = max(abs(row - 3), abs(col - 3))
                    grid[r][c] = ring in (0, 1, 3)  # a dark 3x3 core, a light ring, a dark border, a light separator
    for i in range(8, _MODULES - 8):
        grid[6][i] = grid[i][6] = i % 2 == 0
    return grid


def code_image(
    seed: bytes, width: int, *, color: tuple[int, int, int] = (0, 0, 0), transparent: bool = False, text: str = ""
) -> bytes:
    """A ``width``-pixel-square PNG (rounded down to whole modules) of the pattern for ``seed``,
    dark modules in ``color`` on white (on nothing when ``transparent``), ``text`` kept in a tEXt
    chunk."""
    side = _MODULES + 2 * _QUIET
    scale = max(1, width // side)
    size = side * scale
    channels = 4 if transparent else 3
    dark = bytes(color) + (b"\xff" if transparent else b"")
    light = b"\xff\xff\xff" + (b"\x00" if transparent else b"")
    grid = _pattern(seed)
    rows = []
    for module_row in range(side):
        r = module_row - _QUIET
        pixels = b"".join(
            (dark if 0 <= r < _MODULES and 0 <= col - _QUIET < _MODULES and grid[r][col - _QUIET] else light) * scale
            for col in range(side)
        )
        rows.append((b"\x00" + pixels) * scale)
    header = struct.pack(">IIBBBBB", size, size, 8, 6 if transparent else 2, 0, 0, 0)
    raw = b"".join(rows)
    assert len(raw) == size * (1 + size * channels)
    chunks = [_chunk(b"IHDR", header)]
    if text:
        chunks.append(_chunk(b"tEXt", TEXT_KEY.encode("latin-1") + b"\x00" + text.encode("latin-1", "replace")))
    chunks += [_chunk(b"IDAT", zlib.compress(raw, 9)), _chunk(b"IEND", b"")]
    return MAGIC + b"".join(chunks)


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """The chunks of a PNG, or ``[]`` for anything that is not one (or is cut short)."""
    if not data.startswith(MAGIC):
        return []
    found: list[tuple[bytes, bytes]] = []
    at = len(MAGIC)
    while at + 12 <= len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind, body = data[at + 4 : at + 8], data[at + 8 : at + 8 + length]
        if len(body) != length:
            return found
        found.append((kind, body))
        at += 12 + length
    return found


def png_size(data: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a PNG, or ``None``."""
    for kind, body in _chunks(data):
        if kind == b"IHDR" and len(body) >= 8:
            width, height = struct.unpack(">II", body[:8])
            return int(width), int(height)
    return None


def png_text(data: bytes) -> str | None:
    """What :func:`code_image` kept in the image, or ``None`` for an image it did not make."""
    for kind, body in _chunks(data):
        key, _, value = body.partition(b"\x00")
        if kind == b"tEXt" and key == TEXT_KEY.encode("latin-1"):
            return value.decode("latin-1")
    return None


_SIGNATURES = (
    (MAGIC, "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"BM", "image/bmp"),
)


def sniff(data: bytes) -> str | None:
    """The image type of ``data`` by its first bytes, as a server that stores uploads tells them."""
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            return kind
    return None
