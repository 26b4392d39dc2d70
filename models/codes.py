"""Public tracking codes such as ``BTL-7K2M-9QX0``.

Layout ``PFX-XXXX-XXXC``: the region prefix (2–5 letters A–Z from config), 7 random symbols of
Crockford's base32 alphabet drawn from `secrets` (not sequential, not guessable: 32**7 ≈ 3.4e10
codes per region), and one check symbol from the same alphabet.

Check symbol. Symbols are read as elements of GF(32) (5-bit values; addition is XOR) and the
whole code — prefix, payload and check — must satisfy ``sum(alpha**j * v_j) == 0``, where j
counts positions from the right (the check symbol has weight alpha**0 = 1) and alpha is a
primitive element, so the weights alpha**0 … alpha**12 of a code (at most 13 symbols) are
distinct and non-zero. Hence (over GF(32), a field):

* a single substitution v -> v' changes the sum by ``w * (v xor v')``, non-zero;
* swapping two different symbols at positions i, k changes it by ``(w_i xor w_k) * (a xor b)``,
  non-zero — so every transposition is caught, adjacent or not, including with the check symbol.

Integer sums modulo 31 or 32 cannot promise this: mod 32 needs odd weights for substitutions but
then adjacent weights differ by an even number; mod 31 cannot tell '0' (0) from 'Z' (31).
Prefix letters enter with values 1..26 (never 0), so adding or dropping a prefix letter is caught.

Forgiving input (normalize_code/find_code): case-insensitive, separators (spaces, dashes) optional,
and in the 8-symbol body O->0, I->1, L->1, U->V. Crockford leaves U out of the alphabet; people who
retype a code misread V as U far more often than anything else, so U is read as V. The prefix is
never remapped: prefixes such as "BTL" legitimately contain L.
"""

from __future__ import annotations

import random
import re
import secrets

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PAYLOAD_LENGTH = 7
BODY_LENGTH = PAYLOAD_LENGTH + 1
PREFIX_PATTERN = re.compile(r"[A-Z]{2,5}")

_VALUE = {symbol: index for index, symbol in enumerate(CODE_ALPHABET)}
_FORGIVING = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_]+")
_CANONICAL = re.compile(rf"([A-Z]{{2,5}})-([{CODE_ALPHABET}]{{4}})-([{CODE_ALPHABET}]{{4}})")
_TOKEN = re.compile(r"[0-9A-Za-z]+")
_SYSTEM_RANDOM = secrets.SystemRandom()
_EXAMPLE_PAYLOAD = "7K2M9QX"


def _gf32_tables() -> tuple[list[int], list[int]]:
    """exp/log tables of GF(2**5) built from the primitive polynomial x^5 + x^2 + 1."""
    exp, log = [0] * 62, [0] * 32
    value = 1
    for power in range(31):
        exp[power] = exp[power + 31] = value
        log[value] = power
        value <<= 1
        if value & 0b100000:
            value ^= 0b100101
    return exp, log


_EXP, _LOG = _gf32_tables()


def _weighted(values: list[int], first_power: int) -> int:
    """GF(32) sum of values[-1]*alpha**first_power, values[-2]*alpha**(first_power+1), …"""
    total = 0
    for offset, value in enumerate(reversed(values)):
        if value:
            total ^= _EXP[_LOG[value] + first_power + offset]
    return total


def check_symbol(prefix: str, payload: str) -> str:
    """Check symbol for a canonical upper-case prefix and a payload of CODE_ALPHABET symbols."""
    values = [ord(letter) - ord("A") + 1 for letter in prefix] + [_VALUE[symbol] for symbol in payload]
    # The check symbol has weight alpha**0 = 1, so it must equal the weighted sum of the rest.
    return CODE_ALPHABET[_weighted(values, first_power=1)]


def new_code(prefix: str, rng: random.Random | None = None) -> str:
    """A fresh random code for `prefix`; pass `rng` only for deterministic tests."""
    prefix = _checked_prefix(prefix)
    source = rng if rng is not None else _SYSTEM_RANDOM
    payload = "".join(source.choice(CODE_ALPHABET) for _ in range(PAYLOAD_LENGTH))
    return _format(prefix, payload + check_symbol(prefix, payload))


def is_valid_code(code: str) -> bool:
    """True only for a canonical code (``BTL-7K2M-9QX0``) whose check symbol matches."""
    match = _CANONICAL.fullmatch(code)
    return match is not None and _checks(match.group(1), match.group(2) + match.group(3))


def normalize_code(text: str, prefix: str | None = None) -> str | None:
    """Canonical form of a sloppily typed code, or None if it is not a valid code.

    With `prefix`, a bare body ("7K2M-9QX0") gets that prefix and any other prefix is rejected.
    """
    compact = _SEPARATORS.sub("", text).upper()
    if not BODY_LENGTH <= len(compact) <= BODY_LENGTH + 5:
        return None
    typed_prefix, body = compact[:-BODY_LENGTH], compact[-BODY_LENGTH:].translate(_FORGIVING)
    code_prefix = _resolve_prefix(typed_prefix, prefix)
    if code_prefix is None or not _checks(code_prefix, body):
        return None
    return _format(code_prefix, body)


def find_code(text: str, prefix: str | None = None) -> str | None:
    """The first valid code anywhere in free text ("cek btl-7k2m-9qx0 dong"), canonical, or None.

    Candidates are runs of whole words joined only by separators, so a code is never read out of
    the middle of a longer word. A body typed without its prefix must contain a digit: plain
    8-letter words ("jalannya") would otherwise pass the check symbol one time in 32.
    """
    tokens = list(_TOKEN.finditer(text))
    for start in range(len(tokens)):
        for candidate in _runs(text, tokens, start):
            found = normalize_code(candidate, prefix)
            if found and (len(candidate) > BODY_LENGTH or any(char.isdigit() for char in candidate)):
                return found
    return None


def example_code(prefix: str) -> str:
    """A fixed, valid code for help texts ("kirim kode seperti BTL-7K2M-9QX0")."""
    prefix = _checked_prefix(prefix)
    return _format(prefix, _EXAMPLE_PAYLOAD + check_symbol(prefix, _EXAMPLE_PAYLOAD))


def code_shaped(text: str, prefix: str | None = None) -> str | None:
    """The first fragment laid out like a code, whether or not its check symbol matches, or None.

    Lets the bot answer "kode BTL-7K2M-9QXA tidak ditemukan" to a mistyped code instead of asking
    for one. Only code-like layouts count (PFX XXXX XXXX, PFX XXXXXXXX, PFXXXXXXXXXX, XXXX XXXX,
    XXXXXXXX); the body needs a digit (words are not codes) and, typed without prefix, a letter too
    (phone numbers are not codes either).
    Returned upper-case as ``PFX-XXXX-XXXX`` or, when typed without prefix, ``XXXX-XXXX``. With
    `prefix`, a leading word other than that prefix is not read as a prefix (so "cek 7k2m 9qxa"
    gives "7K2M-9QXA"); without it, any 2–5 letter word before the body is taken as the prefix.
    """
    expected = _checked_prefix(prefix) if prefix is not None else None
    tokens = list(_TOKEN.finditer(text))
    for start in range(len(tokens)):
        for parts in _layouts(text, tokens, start):
            shaped = _shape(parts, expected)
            if shaped is not None:
                return shaped
    return None


def _layouts(text: str, tokens: list[re.Match[str]], start: int) -> list[list[str]]:
    """Token groups from `start` with code-like lengths, longest first (a prefixed reading wins)."""
    run = [token.group().upper() for token in tokens[start:start + 3]]
    for index in range(1, len(run)):
        if not _SEPARATORS.fullmatch(text[tokens[start + index - 1].end():tokens[start + index].start()]):
            run = run[:index]
            break
    lengths = [len(part) for part in run]
    wanted = ([0, 4, 4], [0, 8], [4, 4], [8], [-1])
    return [run[:len(shape)] for shape in wanted if _fits(lengths, shape)]


def _fits(lengths: list[int], shape: list[int]) -> bool:
    """0 stands for a 2-5 letter prefix word, -1 for a compact prefix+body word of 10-13 symbols."""
    if len(lengths) < len(shape):
        return False
    sizes = {0: range(2, 6), -1: range(BODY_LENGTH + 2, BODY_LENGTH + 6)}
    return all(length in sizes.get(want, (want,)) for length, want in zip(lengths, shape, strict=False))


def _shape(parts: list[str], expected: str | None) -> str | None:
    joined = "".join(parts)
    typed_prefix, raw_body = joined[:-BODY_LENGTH], joined[-BODY_LENGTH:]
    body = raw_body.translate(_FORGIVING)
    # Words have no digits; a bare run of digits is a phone or NIK number, unless a prefix precedes it.
    if raw_body.isalpha() or (raw_body.isdigit() and not typed_prefix) or any(s not in _VALUE for s in body):
        return None
    if typed_prefix and not (PREFIX_PATTERN.fullmatch(typed_prefix) and expected in (None, typed_prefix)):
        return None
    laid_out = f"{body[:4]}-{body[4:]}"
    return f"{typed_prefix}-{laid_out}" if typed_prefix else laid_out


def _runs(text: str, tokens: list[re.Match[str]], start: int) -> list[str]:
    """Concatenations tokens[start..k] that are short enough to be a code, stopping at non-separators."""
    runs, joined = [], ""
    for index in range(start, len(tokens)):
        if index > start and not _SEPARATORS.fullmatch(text[tokens[index - 1].end():tokens[index].start()]):
            break
        joined += tokens[index].group()
        if len(joined) > BODY_LENGTH + 5:
            break
        runs.append(joined)
    return runs


def _resolve_prefix(typed: str, expected: str | None) -> str | None:
    if expected is not None:
        expected = _checked_prefix(expected)
        return expected if typed in ("", expected) else None
    return typed if PREFIX_PATTERN.fullmatch(typed) else None


def _checks(prefix: str, body: str) -> bool:
    if len(body) != BODY_LENGTH or any(symbol not in _VALUE for symbol in body):
        return False
    return check_symbol(prefix, body[:PAYLOAD_LENGTH]) == body[PAYLOAD_LENGTH]


def _checked_prefix(prefix: str) -> str:
    """Config prefixes are 2–5 letters; accept lower case, reject anything else loudly."""
    upper = prefix.upper()
    if not PREFIX_PATTERN.fullmatch(upper):
        raise ValueError(f"code prefix {prefix!r} must be 2-5 letters A-Z, e.g. 'BTL'")
    return upper


def _format(prefix: str, body: str) -> str:
    return f"{prefix}-{body[:4]}-{body[4:]}"


__all__ = ["CODE_ALPHABET", "check_symbol", "code_shaped", "example_code", "find_code", "is_valid_code", "new_code",
           "normalize_code"]
