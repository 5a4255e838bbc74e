import pytest

from grabpack.domain.nhs_number import (
    InvalidNHSNumber,
    check_digit,
    format_nhs_number,
    normalise_nhs_number,
)


@pytest.mark.parametrize("raw", ["9434765919", "943 476 5919", "943-476-5919", " 9434765919 "])
def test_accepts_valid_number_in_usual_spellings(raw):
    assert normalise_nhs_number(raw) == "9434765919"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("9434765918", "check digit"),
        ("943476591", "10 digits"),
        ("94347659190", "10 digits"),
        ("94347a5919", "only digits"),
        ("９４３４７６５９１９", "only digits"),  # full-width digits are not ASCII digits
        ("", "10 digits"),
    ],
)
def test_rejects_invalid_numbers_with_reason(raw, message):
    with pytest.raises(InvalidNHSNumber, match=message):
        normalise_nhs_number(raw)


def test_remainder_ten_has_no_valid_check_digit():
    # 1*10 + 2*9 + ... weights chosen so that 11 - (sum % 11) == 10
    assert check_digit("000000001") == 9
    assert check_digit("000000006") is None  # 6*2 = 12 -> 11 - 1 = 10


def test_remainder_eleven_means_zero():
    assert check_digit("000000000") == 0


def test_display_format():
    assert format_nhs_number("9434765919") == "943 476 5919"
