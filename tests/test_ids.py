"""Check characters of 居民身份证 and 统一社会信用代码: published numbers pass, mutations fail."""

from __future__ import annotations

import pytest

from cases.rules import ids

# The example of GB 11643-1999 itself, and the one the encyclopaedias use.
GOOD_RESIDENT_IDS = ["11010519491231002X", "440524188001010014"]

# The example of GB 32100-2015, and the published codes of three well-known companies.
GOOD_USCC = [
    "91350100M000100Y43",
    "914403001922038216",
    "91440300708461136T",
    "91330100799655058B",
]


@pytest.mark.parametrize("number", GOOD_RESIDENT_IDS)
def test_published_resident_ids_pass(number: str) -> None:
    assert ids.check_resident_id(number)
    assert ids.resident_id_check_char(number[:17]) == number[17]


def test_lower_case_x_and_surrounding_spaces_are_accepted() -> None:
    assert ids.check_resident_id(" 11010519491231002x ")


@pytest.mark.parametrize("number", GOOD_RESIDENT_IDS)
def test_every_single_digit_change_of_a_resident_id_is_caught(number: str) -> None:
    # MOD 11-2 detects every single substitution; walk them all rather than a sample.
    for pos in range(17):
        for digit in "0123456789":
            if digit == number[pos]:
                continue
            mutated = number[:pos] + digit + number[pos + 1 :]
            assert not ids.check_resident_id(mutated), mutated


@pytest.mark.parametrize("number", GOOD_RESIDENT_IDS)
def test_swapping_two_adjacent_different_digits_is_caught(number: str) -> None:
    for pos in range(16):
        a, b = number[pos], number[pos + 1]
        if a != b:
            swapped = number[:pos] + b + a + number[pos + 2 :]
            assert not ids.check_resident_id(swapped), swapped


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "11010519491231002",
        "11010519491231002XX",
        "1101051949123100AX",
        "１１０１０５１９４９１２３１００２X",
    ],
)
def test_malformed_resident_ids_fail(bad: str) -> None:
    assert not ids.check_resident_id(bad)


def test_resident_check_char_refuses_non_digits() -> None:
    with pytest.raises(ValueError):
        ids.resident_id_check_char("1101051949123100A")


@pytest.mark.parametrize("code", GOOD_USCC)
def test_published_credit_codes_pass(code: str) -> None:
    assert ids.check_uscc(code)
    assert ids.check_uscc(code.lower())
    assert ids.uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code", GOOD_USCC)
def test_the_embedded_organization_code_of_published_credit_codes_passes(code: str) -> None:
    assert ids.check_org_code(code[8:17])
    assert ids.check_org_code(code[8:16] + "-" + code[16])


@pytest.mark.parametrize("code", GOOD_USCC)
def test_every_single_character_change_of_a_credit_code_is_caught(code: str) -> None:
    for pos in range(18):
        for char in ids.USCC_CHARSET:
            if char == code[pos]:
                continue
            mutated = code[:pos] + char + code[pos + 1 :]
            assert not ids.check_uscc(mutated), mutated


@pytest.mark.parametrize(
    "bad",
    ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M00O100Y43", "91350100I000100Y43"],
)
def test_malformed_credit_codes_fail(bad: str) -> None:
    # O and I are not in the GB 32100 character set even where the check would otherwise fit.
    assert not ids.check_uscc(bad)


def test_uscc_check_char_refuses_characters_outside_the_set() -> None:
    with pytest.raises(ValueError):
        ids.uscc_check_char("91350100Z000100Y4")


def test_organization_code_check_ten_is_written_x() -> None:
    # By hand: 3 in the 7th place weighs 4, so the sum is 12 ≡ 1 (mod 11) and 11 - 1 = 10, X.
    assert ids.org_code_check_char("00000030") == "X"
    assert ids.check_org_code("00000030X")
    assert not ids.check_org_code("000000300")
    # And 5 in the last place weighs 2: 10 ≡ 10, 11 - 10 = 1.
    assert ids.check_org_code("000000051")
