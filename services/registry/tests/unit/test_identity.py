import pytest

from registry.domain.identity import (
    check_digit,
    mask_mobile,
    mask_national_id,
    mobile_problem,
    national_id_problem,
    normalize_national_id,
)

VALID = ["11010519491231002X", "440524188001010014", "110105194912310021"[:17] + check_digit("11010519491231002")]


@pytest.mark.parametrize("value", VALID)
def test_valid_ids_pass(value: str) -> None:
    assert national_id_problem(value) is None
    assert national_id_problem(value.lower()) is None


@pytest.mark.parametrize(("value", "why"), [
    ("110105194912310021", "check digit"),
    ("11010519491231002", "18 characters"),
    ("1101051949123100XX", "18 characters"),
    ("110105194913310028", "birth date"),
    ("", "18 characters"),
])
def test_invalid_ids_say_why(value: str, why: str) -> None:
    problem = national_id_problem(value)
    assert problem is not None and why in problem


def test_check_digit_covers_x() -> None:
    assert check_digit("11010519491231002") == "X"


@pytest.mark.parametrize("value", ["13800138000", "+8619912345678", "15012345678"])
def test_valid_mobiles(value: str) -> None:
    assert mobile_problem(value) is None


@pytest.mark.parametrize("value", ["12345678901", "1380013800", "138001380000", "1380013800a", "02012345678"])
def test_invalid_mobiles(value: str) -> None:
    assert mobile_problem(value) is not None


def test_masks_keep_only_the_ends() -> None:
    assert mask_national_id("11010519491231002X") == "1101**********002X"
    assert mask_mobile("13800138000") == "138****8000"


FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize("value", VALID)
def test_a_full_width_number_is_the_same_number(value: str) -> None:
    """Issue 16: a Chinese input method in full-width mode types ``４`` (U+FF14); NFKC makes it ``4``."""
    one_digit = value[:5] + value[5].translate(FULL_WIDTH) + value[6:]
    for typed in (one_digit, value.translate(FULL_WIDTH), f"\u3000{value.lower().translate(FULL_WIDTH)} "):
        assert national_id_problem(typed) is None
        assert normalize_national_id(typed) == value


def test_other_scripts_digits_are_refused() -> None:
    """Arabic-Indic and Devanagari digits are digits to ``\\d`` but NFKC leaves them: refused, never stored."""
    value = VALID[1]
    for digits in ("٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"):
        foreign = value[:5] + digits[int(value[5])] + value[6:]
        problem = national_id_problem(foreign)
        assert problem is not None and "18 characters" in problem


def test_the_check_digit_is_checked_after_normalising() -> None:
    wrong = "110105194912310021".translate(FULL_WIDTH)
    assert "check digit" in (national_id_problem(wrong) or "")
