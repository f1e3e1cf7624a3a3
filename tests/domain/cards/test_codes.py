import math

import pytest

from domain.cards.codes import (
    ALPHABET,
    QR_PREFIX,
    check_symbol,
    format_code,
    is_valid,
    mask_code,
    new_code,
    normalize_code,
    qr_payload,
)

# The specification of the check, written out again so the module is not checked against itself.


def weighted_sum_mod_31(code: str) -> int:
    return sum((i + 1) * ALPHABET.index(symbol) for i, symbol in enumerate(code)) % 31


@pytest.fixture(scope="module")
def sample_codes() -> list[str]:
    return [new_code() for _ in range(300)]


def test_alphabet_has_31_unambiguous_symbols():
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("ILOUZ") & set(ALPHABET)


def test_thirteen_random_symbols_carry_at_least_60_bits():
    assert 13 * math.log2(31) >= 60


def test_generated_codes_are_14_valid_alphabet_symbols_and_never_repeat():
    codes = [new_code() for _ in range(10_000)]

    assert len(set(codes)) == 10_000
    for code in codes:
        assert len(code) == 14
        assert set(code) <= set(ALPHABET)
        assert weighted_sum_mod_31(code) == 0
        assert is_valid(code)
    # Every symbol turns up at every random position: the draw uses the whole alphabet.
    for position in range(13):
        assert {code[position] for code in codes} == set(ALPHABET)


@pytest.mark.parametrize(
    ("body", "expected"),
    [("0000000000000", "0"), ("0000000000001", "K"), ("ABCDEFGHJKMNP", "7")],
)
def test_check_symbol_makes_the_weighted_sum_zero_modulo_31(body, expected):
    # Worked by hand: 13 * 1 + 14 * 19 = 279 = 9 * 31, and K has value 19;
    # A..P are 10..22, so the body weighs 1638 ≡ 26, and 26 + 14 * 7 = 124 = 4 * 31.
    assert check_symbol(body) == expected
    assert weighted_sum_mod_31(body + expected) == 0


@pytest.mark.parametrize("body", ["", "000000000000", "00000000000000", "000000000000O"])
def test_check_symbol_refuses_a_body_that_is_not_13_alphabet_symbols(body):
    with pytest.raises(ValueError):
        check_symbol(body)


def test_every_single_wrong_symbol_is_refused(sample_codes):
    for code in sample_codes:
        for position, typed in enumerate(code):
            for wrong in ALPHABET.replace(typed, ""):
                mistyped = code[:position] + wrong + code[position + 1 :]
                assert not is_valid(mistyped), (code, mistyped)
                assert normalize_code(mistyped) is None, (code, mistyped)


def test_every_swap_of_two_different_neighbours_is_refused(sample_codes):
    swaps = 0
    for code in sample_codes:
        for position in range(13):
            first, second = code[position], code[position + 1]
            if first == second:
                continue
            swapped = code[:position] + second + first + code[position + 2 :]
            assert not is_valid(swapped), (code, swapped)
            swaps += 1
    assert swaps > 0.9 * 13 * len(sample_codes)


def test_typed_code_in_lower_case_with_spaces_and_hyphens_is_recognised():
    code = new_code()
    typed = " " + format_code(code).lower().replace("-", " - ", 1) + "\n"

    assert normalize_code(typed) == code
    assert normalize_code(code.lower()) == code
    assert normalize_code(".".join(code)) == code
    assert normalize_code("_".join(code[i : i + 2] for i in range(0, 14, 2))) == code


def test_look_alike_letters_are_read_as_the_symbols_they_resemble():
    body = "0110V0110V011"
    code = body + check_symbol(body)
    typed = "oIlO-U0iL0-u01I-" + code[-1].lower()

    assert normalize_code(typed) == code


@pytest.mark.parametrize(
    "scanned",
    [
        "{prefix}{code}",
        "{prefix}{code}/",
        "HTTPS://CJEUNEDEPROVENCE.FR/CARTE/{code}",
        "Https://CJeuneDeProvence.fr/carte/{formatted}/",
        "  {prefix}{code}\r\n",
    ],
)
def test_scanned_qr_url_gives_the_bare_code(scanned):
    code = new_code()
    text = scanned.format(prefix=QR_PREFIX, code=code, formatted=format_code(code))

    assert normalize_code(text) == code


def test_qr_payload_is_the_card_url_and_reads_back_as_the_code():
    code = new_code()

    assert qr_payload(code) == f"https://cjeunedeprovence.fr/carte/{code}"
    assert normalize_code(qr_payload(code)) == code


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "{truncated}",
        "{body}",
        "{code}0",
        "{body}Z",
        "{body}!",
        "{body}é",
        "{code}//",
        "https://example.org/carte/{code}",
        "http://cjeunedeprovence.fr/carte/{code}",
        "https://cjeunedeprovence.fr/{code}",
        "https://cjeunedeprovence.fr/carte/{code}?source=qr",
        "{prefix}",
    ],
)
def test_text_that_is_not_a_card_code_is_refused(text):
    code = new_code()
    typed = text.format(code=code, body=code[:13], truncated=code[:-1], prefix=QR_PREFIX)

    assert normalize_code(typed) is None


def test_wrong_length_is_refused_even_with_a_matching_weighted_sum():
    # Appending a 0 keeps the sum at zero: only the length check stops it.
    code = new_code()

    assert weighted_sum_mod_31(code + "0") == 0
    assert not is_valid(code + "0")
    assert normalize_code(code + "0") is None


def test_is_valid_wants_the_bare_canonical_form():
    code = new_code()

    assert is_valid(code)
    assert not is_valid(format_code(code))
    assert not is_valid(qr_payload(code))
    assert not is_valid("")


def test_display_form_groups_symbols_by_four():
    assert format_code("0000000000001K") == "0000-0000-0000-1K"


def test_statements_show_only_the_last_four_symbols():
    code = new_code()
    masked = mask_code(code)

    assert masked == f"****-****-**{code[10:12]}-{code[12:]}"
    assert sum(symbol in ALPHABET for symbol in masked) == 4


@pytest.mark.parametrize("shape", [format_code, qr_payload, mask_code])
def test_shaping_an_invalid_code_is_a_programming_error(shape):
    with pytest.raises(ValueError):
        shape("0000000000001A")
