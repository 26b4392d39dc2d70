"""Public tracking codes: random, well-formed, forgiving to type, and guarded by a check symbol that
catches every single substitution and every transposition."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.codes import (
    CODE_ALPHABET,
    check_symbol,
    code_shaped,
    example_code,
    find_code,
    is_valid_code,
    new_code,
    normalize_code,
)

CANONICAL = re.compile(r"[A-Z]{2,5}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")
# A fixed sample whose payload exercises the forgiving mappings (0, 1, V).
PAYLOAD = "10V7K2M"
SAMPLE = f"BTL-{PAYLOAD[:4]}-{PAYLOAD[4:]}{check_symbol('BTL', PAYLOAD)}"

prefixes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=5)
payloads = st.text(alphabet=CODE_ALPHABET, min_size=7, max_size=7)


def make(prefix: str, payload: str) -> str:
    return f"{prefix}-{payload[:4]}-{payload[4:]}{check_symbol(prefix, payload)}"


def sample_codes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [new_code(rng.choice(["BTL", "PSW", "KS", "ABCDE"]), rng) for _ in range(count)]


def body_positions(code: str) -> list[int]:
    """Indexes of the 8 body symbols (payload and check) in a canonical code."""
    return [index for index in range(len(code) - 9, len(code)) if code[index] != "-"]


# --- generation -------------------------------------------------------------------------------


def test_the_alphabet_is_crockford_base32() -> None:
    assert CODE_ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    assert len(set(CODE_ALPHABET)) == 32


def test_a_new_code_has_the_region_prefix_and_the_canonical_shape() -> None:
    code = new_code("BTL")
    assert CANONICAL.fullmatch(code)
    assert code.startswith("BTL-")
    assert is_valid_code(code)


def test_ten_thousand_codes_are_unique_and_valid() -> None:
    rng = random.Random(2026)
    codes = [new_code("BTL", rng) for _ in range(10_000)]
    assert len(set(codes)) == len(codes)
    assert all(is_valid_code(code) and CANONICAL.fullmatch(code) for code in codes)


def test_codes_from_the_system_random_source_are_valid_and_differ() -> None:
    codes = {new_code("PSW") for _ in range(200)}
    assert len(codes) == 200
    assert all(is_valid_code(code) for code in codes)


def test_a_seeded_rng_gives_reproducible_codes() -> None:
    assert new_code("BTL", random.Random(1)) == new_code("BTL", random.Random(1))


def test_a_config_prefix_must_be_two_to_five_letters() -> None:
    for bad in ("B", "BTLXYZ", "B7L", "", "BT-L"):
        with pytest.raises(ValueError, match="prefix"):
            new_code(bad)


# --- forgiving normalisation ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", [
    SAMPLE,
    SAMPLE.lower(),
    SAMPLE.replace("-", ""),
    SAMPLE.replace("-", " ").lower(),
    f"  {SAMPLE.lower()}  ",
    SAMPLE.replace("-", " - "),
    SAMPLE.replace("10V", "IOV"),
    SAMPLE.replace("10V", "loV"),
    SAMPLE.replace("10V", "1OU"),
    SAMPLE.replace("-", "–"),
])
def test_sloppy_spellings_of_a_code_normalise_to_the_canonical_form(typed: str) -> None:
    assert normalize_code(typed) == SAMPLE
    assert normalize_code(typed, "BTL") == SAMPLE


def test_a_code_typed_without_prefix_gets_the_deployment_prefix() -> None:
    assert normalize_code(SAMPLE[4:], "BTL") == SAMPLE
    assert normalize_code(SAMPLE[4:].replace("-", "").lower(), "btl") == SAMPLE


def test_a_code_without_prefix_is_not_guessed_when_no_prefix_is_configured() -> None:
    assert normalize_code(SAMPLE[4:]) is None


def test_a_code_of_another_region_is_rejected() -> None:
    other = new_code("PSW", random.Random(3))
    assert normalize_code(other, "BTL") is None
    # Relabelling it does not help: the prefix is covered by the check symbol.
    assert normalize_code("BTL" + other[3:]) is None


def test_the_prefix_is_never_remapped_so_btl_keeps_its_l() -> None:
    assert normalize_code(SAMPLE.replace("BTL", "BT1")) is None


@pytest.mark.parametrize("typed", ["", "BTL", "BTL-10V7-K2M", SAMPLE + "X", "BTLXYZQ" + SAMPLE[3:], SAMPLE + "!",
                                   SAMPLE.replace("K", "*")])
def test_malformed_input_is_not_a_code(typed: str) -> None:
    assert normalize_code(typed) is None
    assert not is_valid_code(typed)


def test_only_the_canonical_spelling_is_a_valid_code() -> None:
    assert is_valid_code(SAMPLE)
    assert not is_valid_code(SAMPLE.lower())
    assert not is_valid_code(SAMPLE.replace("-", ""))


# --- the check symbol -------------------------------------------------------------------------------
# The check is linear over GF(32): the effect of changing symbols does not depend on the other symbols,
# so exhausting every change on a sample of codes exercises every case the proof in models/codes.py covers.


def test_every_single_substitution_is_caught() -> None:
    for code in sample_codes(200):
        for index in [*body_positions(code), *range(code.index("-"))]:
            alphabet = CODE_ALPHABET if index in body_positions(code) else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
            for symbol in alphabet.replace(code[index], ""):
                assert not is_valid_code(code[:index] + symbol + code[index + 1:]), (code, index, symbol)


def test_every_adjacent_transposition_of_the_body_is_caught() -> None:
    for code in sample_codes(200):
        positions = body_positions(code)
        for left, right in zip(positions, positions[1:], strict=False):
            if code[left] != code[right]:
                swapped = list(code)
                swapped[left], swapped[right] = code[right], code[left]
                assert not is_valid_code("".join(swapped)), (code, left)


def test_every_transposition_of_any_two_symbol_values_in_the_payload_is_caught() -> None:
    # Exhaustive over the symbol pair (a, b) at every adjacent payload position.
    for position in range(6):
        for a in CODE_ALPHABET:
            for b in CODE_ALPHABET.replace(a, ""):
                payload = "7K2M9QX"
                payload = payload[:position] + a + b + payload[position + 2:]
                swapped = payload[:position] + b + a + payload[position + 2:]
                assert check_symbol("BTL", payload) != check_symbol("BTL", swapped)


def test_the_zero_and_z_pair_that_defeats_mod_31_is_caught() -> None:
    assert check_symbol("BTL", "0000000") != check_symbol("BTL", "Z000000")


def test_adding_or_dropping_a_prefix_letter_is_caught() -> None:
    assert not is_valid_code("A" + SAMPLE)
    assert not is_valid_code(SAMPLE[1:])


@given(prefixes, payloads, st.integers(min_value=0, max_value=7), st.sampled_from(CODE_ALPHABET))
def test_any_changed_body_symbol_invalidates_any_code(prefix: str, payload: str, index: int, symbol: str) -> None:
    code = make(prefix, payload)
    body = code[-9:].replace("-", "")
    changed = body[:index] + symbol + body[index + 1:]
    assert is_valid_code(f"{prefix}-{changed[:4]}-{changed[4:]}") == (changed == body)


# --- finding a code in free text ----------------------------------------------------------------------


def test_a_code_is_found_in_a_chat_message() -> None:
    assert find_code(f"cek {SAMPLE.lower()} dong") == SAMPLE
    assert find_code(f"Kode saya: {SAMPLE.replace('-', '')}. Terima kasih") == SAMPLE
    assert find_code(f"status ({SAMPLE.replace('-', ' ').lower()})?", "BTL") == SAMPLE


def test_a_bare_body_in_a_message_gets_the_deployment_prefix() -> None:
    assert find_code(f"cek {SAMPLE[4:].lower()} ya pak", "BTL") == SAMPLE
    assert find_code(f"cek {SAMPLE[4:].lower()} ya pak") is None


def test_the_first_valid_code_wins_and_invalid_lookalikes_are_skipped() -> None:
    second = new_code("BTL", random.Random(9))
    broken = SAMPLE[:-1] + ("A" if SAMPLE[-1] != "A" else "B")
    assert find_code(f"{broken} salah, yang benar {SAMPLE} atau {second}") == SAMPLE


def test_a_code_of_another_region_in_a_message_is_not_found() -> None:
    assert find_code(f"cek {new_code('PSW', random.Random(4))}", "BTL") is None


def test_text_without_a_code_finds_nothing() -> None:
    assert find_code("tolong jalan di depan rumah saya rusak parah sejak minggu lalu") is None
    assert find_code("") is None


def letters_only_body(prefix: str) -> str:
    """A valid body with no digit at all, like an ordinary 8-letter word."""
    rng, letters = random.Random(5), CODE_ALPHABET[10:]
    while True:
        payload = "".join(rng.choice(letters) for _ in range(7))
        if check_symbol(prefix, payload) in letters:
            return payload + check_symbol(prefix, payload)


def test_a_letters_only_word_is_not_read_as_a_bare_code() -> None:
    body = letters_only_body("BTL")
    canonical = f"BTL-{body[:4]}-{body[4:]}"
    assert normalize_code(body, "BTL") == canonical
    assert find_code(f"cek {body.lower()} dong", "BTL") is None
    assert find_code(f"cek btl {body.lower()} dong", "BTL") == canonical


def test_a_code_is_not_read_out_of_the_middle_of_a_longer_word() -> None:
    assert find_code(f"xx{SAMPLE.replace('-', '')}yy") is None


# --- help texts and mistyped codes ------------------------------------------------------------------


def test_the_example_code_in_help_texts_is_a_valid_code_of_the_region() -> None:
    assert example_code("BTL") == "BTL-7K2M-9QX0"
    assert is_valid_code(example_code("PSW"))
    assert example_code("PSW").startswith("PSW-")


def test_a_mistyped_code_is_still_recognised_as_code_shaped() -> None:
    typo = SAMPLE[:-1] + ("A" if SAMPLE[-1] != "A" else "B")
    assert find_code(f"cek {typo}") is None
    assert code_shaped(f"cek {typo.lower()} dong") == typo
    assert code_shaped(f"cek {typo.replace('-', '')}") == typo


def test_a_bare_mistyped_body_is_shown_without_a_guessed_prefix_when_the_prefix_is_known() -> None:
    assert code_shaped("cek 7k2m 9qxa", "BTL") == "7K2M-9QXA"
    assert code_shaped("cek 7k2m9qxa", "BTL") == "7K2M-9QXA"
    assert code_shaped("btl 7k2m 9qxa", "BTL") == "BTL-7K2M-9QXA"


def test_an_all_digit_body_is_code_shaped_only_behind_a_prefix() -> None:
    assert code_shaped("cek BTL-0000-0000", "BTL") == "BTL-0000-0000"
    assert code_shaped("cek 0000-0000", "BTL") is None


@pytest.mark.parametrize("text", ["halo selamat pagi pak", "cek jalannya dong", "rt 05 rw 03 no 12",
                                  "hp 0812 3456 7890", "NIK 6304012345678901", ""])
def test_ordinary_chat_is_not_code_shaped(text: str) -> None:
    assert code_shaped(text, "BTL") is None
