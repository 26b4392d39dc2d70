"""Photos leave the desk without their metadata: EXIF holds the GPS of where it was taken (often the reporter's
home), the phone's make and model and the moment; none of it is needed to see a pothole.

JPEG: APP1..APP15 segments (EXIF, XMP, maker notes) and comments are dropped, APP0 (JFIF) and the image kept.
PNG: eXIf and the text chunks (tEXt, iTXt, zTXt) and tIME are dropped. Anything else passes unchanged.
"""

from __future__ import annotations

import struct

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_DROPPED = frozenset({b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"})
JPEG_START = b"\xff\xd8"
START_OF_SCAN = 0xDA
STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})  # markers without a length


def without_metadata(data: bytes) -> bytes:
    if data.startswith(JPEG_START):
        return _jpeg(data)
    if data.startswith(PNG_SIGNATURE):
        return _png(data)
    return data


def _metadata_marker(marker: int) -> bool:
    return 0xE1 <= marker <= 0xEF or marker == 0xFE


def _jpeg(data: bytes) -> bytes:
    kept = bytearray(JPEG_START)
    position = 2
    while position + 4 <= len(data) and data[position] == 0xFF:
        marker = data[position + 1]
        if marker in STANDALONE:
            kept += data[position:position + 2]
            position += 2
            continue
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        end = position + 2 + length
        if marker == START_OF_SCAN or end > len(data) or length < 2:
            break  # the image data (or something this reader does not follow): kept as it is
        if not _metadata_marker(marker):
            kept += data[position:end]
        position = end
    return bytes(kept + data[position:])


def _png(data: bytes) -> bytes:
    kept = bytearray(PNG_SIGNATURE)
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        end = position + 12 + length
        if end > len(data):
            break
        if kind not in PNG_DROPPED:
            kept += data[position:end]
        position = end
    return bytes(kept + data[position:])
