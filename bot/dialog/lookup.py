"""Tracking codes in a citizen's text, never out of an address: "RT 02 RW 07", "Gg. 3 No 12", "Blok C2",
"Km 7", "Jl. A. Yani km 12,5" are places, whatever their check character happens to say.

Address phrases (a marker word and the number or short code after it) are blanked before the code finder
of `models.codes` reads the text; a code is a code only when its check character holds in what is left.
"""

from __future__ import annotations

import re

from models.codes import code_shaped, find_code

# A marker word, an optional dot, then a number or short code ("RT 02", "No. 12A", "Km 12,5", "Blok C2",
# "Gg. III", "No 12 A"): all of it is an address, not a code.
_ADDRESS = re.compile(
    r"\b(?:rt|rw|gg|gang|no|nomor|nmr|blok|blk|km|kilometer|jl|jln|jalan|lr|lorong|komp|kompleks|perum|"
    r"lt|lantai|kav|kavling|desa|ds|kel|kec|dusun|dsn|handil|hp|wa|telp|tlp|nik|kk|kode pos|pos|unit|"
    r"lot|tipe|type|ruko|kios|los|petak|rumah|simpang|sp|trans)\b\.?\s*"
    r"(?:\d[0-9a-z]{0,5}|[a-z]{1,2}\d{0,4}\b|[ivx]{1,4}\b)(?:[.,/-][0-9a-z]{1,4})?(?:\s+[a-z]\b)?",
    re.IGNORECASE,
)
_COMPACT = re.compile(r"[^0-9A-Z]")


def without_addresses(text: str) -> str:
    return _ADDRESS.sub(" # ", text)


def tracking_code(text: str, prefix: str) -> str | None:
    """A valid tracking code in the text outside any address phrase, canonical, or None.

    A code typed with its prefix counts even right after an address word ("laporan no BTL-7K2M-9QX0"); one
    whose symbols come from an address ("RT 02 RW 07" read as BTL-RT02-RW07) never does."""
    code = find_code(text, prefix)
    if code is None:
        return None
    if find_code(without_addresses(text), prefix) == code:
        return code
    typed = _COMPACT.sub("", text.upper())
    return code if _COMPACT.sub("", code) in typed else None


def code_like(text: str, prefix: str) -> str | None:
    """A fragment laid out like a code (check character wrong) outside any address phrase, or None."""
    return code_shaped(without_addresses(text), prefix)
