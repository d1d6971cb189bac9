"""GB 32100-2015 unified social credit codes, mobile numbers and MOE institution codes."""

import random

import pytest
from django.core.exceptions import ValidationError

from accounts.validators import (
    CREDIT_CODE_CHARSET,
    credit_code_check_char,
    validate_credit_code,
    validate_institution_code,
    validate_mobile,
)

# Codes printed on real business licences (Huawei, Tencent, Alibaba) and a widely quoted example:
# the check characters were computed by the issuing authority, not by our function.
PUBLISHED_CODES = ["91350100M000100Y43", "914403001922038216", "91440300708461136T", "91330100716105852F"]


def error_code(validator, value) -> str:
    with pytest.raises(ValidationError) as info:
        validator(value)
    return info.value.code


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_published_credit_codes_are_accepted(code):
    validate_credit_code(code)


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_check_char_reproduces_the_published_check_character(code):
    assert credit_code_check_char(code[:17]) == code[17]


def test_codes_completed_with_check_char_are_accepted():
    rng = random.Random(32100)
    for _ in range(200):
        first17 = (
            "".join(rng.choices(CREDIT_CODE_CHARSET, k=2))
            + f"{rng.randint(0, 999999):06d}"
            + "".join(rng.choices(CREDIT_CODE_CHARSET, k=9))
        )
        validate_credit_code(first17 + credit_code_check_char(first17))


def test_check_char_zero_when_weighted_sum_is_a_multiple_of_31():
    # All zeros weigh 0, and (31 - 0 % 31) % 31 is 0, not 31 (which is outside the charset).
    assert credit_code_check_char("0" * 17) == "0"
    validate_credit_code("0" * 18)


def test_check_char_is_never_a_forbidden_letter():
    rng = random.Random(7)
    chars = {credit_code_check_char("".join(rng.choices(CREDIT_CODE_CHARSET, k=17))) for _ in range(2000)}
    assert chars == set(CREDIT_CODE_CHARSET)
    assert not chars & set("IOZSV")


@pytest.mark.parametrize("code", ["91350100M000100Y4", "91350100M000100Y431", "", "9135"])
def test_credit_code_of_wrong_length_is_refused(code):
    assert error_code(validate_credit_code, code) == "credit_code_length"


def test_wrong_length_message_states_the_length():
    with pytest.raises(ValidationError) as info:
        validate_credit_code("91350100M000100Y4")
    assert "17" in info.value.messages[0]


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [1, 8, 16, 17])
def test_credit_code_with_a_forbidden_letter_is_refused(letter, position):
    # Positions 1-2 and 9-18 accept capital letters, except these five (too like 1, 0, 2, 5, U).
    valid = "91350100M000100Y43"
    code = valid[:position] + letter + valid[position + 1 :]
    assert error_code(validate_credit_code, code) == "credit_code_format"


def test_credit_code_with_lower_case_letters_is_refused():
    assert error_code(validate_credit_code, "91350100m000100y43") == "credit_code_format"


@pytest.mark.parametrize("division", ["3501A0", "35 100", "35010X", "M50100"])
def test_credit_code_with_a_non_digit_division_code_is_refused(division):
    code = f"91{division}M000100Y43"
    assert error_code(validate_credit_code, code) == "credit_code_format"


@pytest.mark.parametrize("code", ["91３50100M000100Y43", "91٣50100M000100Y43", "９1350100M000100Y43"])
def test_credit_code_with_non_ascii_digits_is_refused_not_crashed(code):
    # Full-width digits (typed with a Chinese IME) are digits to Python's \d but have no weight.
    assert error_code(validate_credit_code, code) == "credit_code_format"


def test_credit_code_with_punctuation_is_refused():
    assert error_code(validate_credit_code, "91350100M000-00Y43") == "credit_code_format"


@pytest.mark.parametrize("code", PUBLISHED_CODES)
def test_credit_code_with_a_wrong_check_character_is_refused(code):
    wrong = next(c for c in CREDIT_CODE_CHARSET if c != code[17])
    assert error_code(validate_credit_code, code[:17] + wrong) == "credit_code_check"


def test_every_single_character_typo_is_caught_by_the_check_character():
    code = "91350100M000100Y43"
    typos = 0
    for position in [0, 1, *range(8, 17)]:
        for char in CREDIT_CODE_CHARSET:
            if char != code[position]:
                typo = code[:position] + char + code[position + 1 :]
                assert error_code(validate_credit_code, typo) == "credit_code_check", typo
                typos += 1
    assert typos == 11 * 30


def test_every_swap_of_neighbouring_characters_is_caught_by_the_check_character():
    code = "914403001922038216"
    swaps = 0
    for i in range(16):
        if code[i] != code[i + 1]:
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            assert error_code(validate_credit_code, swapped) == "credit_code_check", swapped
            swaps += 1
    assert swaps >= 10


@pytest.mark.parametrize("number", ["13800138000", "19912345678", "15000000000"])
def test_mainland_mobile_numbers_are_accepted(number):
    validate_mobile(number)


@pytest.mark.parametrize(
    "number",
    [
        "12800138000",
        "10800138000",
        "1380013800",
        "138001380001",
        "+8613800138000",
        "138-0013-8000",
        "23800138000",
        "",
        "1380013800a",
    ],
)
def test_malformed_mobile_numbers_are_refused(number):
    assert error_code(validate_mobile, number) == "mobile"


@pytest.mark.parametrize("code", ["4111010001", "0000000000", "4132999999"])
def test_ten_digit_institution_codes_are_accepted(code):
    validate_institution_code(code)


@pytest.mark.parametrize("code", ["411101000", "41110100011", "41110A0001", "", " 4111010001"])
def test_institution_codes_other_than_ten_ascii_digits_are_refused(code):
    assert error_code(validate_institution_code, code) == "institution_code"
