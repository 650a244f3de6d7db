"""Tax-code check digits on real company codes (research F.1) and on broken ones."""
import pytest

from app.services.errors import InvalidTaxCode
from app.services.tax_code import (BRANCH, COMPANY, PERSONAL, check_digit, complete_tax_code,
                                   is_valid_tax_code, normalize_tax_code, tax_code_kind)

REAL_COMPANIES = {
    "0100109106": "Viettel Group",
    "0300588569": "Vinamilk",
    "0101248141": "FPT Corporation",
    "0100112437": "Vietcombank",
    "0101245486": "Vingroup",
    "0303576603": "Masan Group",
    "0900189284": "Hòa Phát Group",
    "0101243150": "MISA JSC (check digit computes to 0)",
}


@pytest.mark.parametrize("code", REAL_COMPANIES)
def test_real_company_codes_are_valid(code):
    assert normalize_tax_code(code) == code
    assert tax_code_kind(code) == COMPANY
    assert check_digit(code[:9]) == int(code[9])


def test_check_digit_zero_case():
    assert check_digit("010124315") == 0


def test_branch_codes_with_and_without_dash():
    assert normalize_tax_code("0100109106-509") == "0100109106-509"
    assert normalize_tax_code("0100109106509") == "0100109106-509"
    assert normalize_tax_code(" 0101243150 - 042 ".replace(" ", "")) == "0101243150-042"
    assert tax_code_kind("0100109106-509") == BRANCH


def test_spaces_and_dots_are_dropped():
    assert normalize_tax_code(" 0101 248 141 ") == "0101248141"
    assert normalize_tax_code("0101.248.141") == "0101248141"


def test_personal_id_accepted_for_individuals_only_when_allowed():
    assert normalize_tax_code("001099012345") == "001099012345"
    assert tax_code_kind("001099012345") == PERSONAL
    with pytest.raises(InvalidTaxCode, match="12-digit personal ID"):
        normalize_tax_code("001099012345", allow_personal=False)


@pytest.mark.parametrize("code, rule", [
    ("0100109107", "wrong check digit: the 10th digit should be 6"),
    ("0100233480", "wrong check digit"),          # stdnum's invalid example
    ("010010910", "has 9 digits"),
    ("01001091066", "has 11 digits"),
    ("01001O9106", "only digits"),
    ("ABCDEFGHIJ", "only digits"),
    ("0100109106-5", "branch suffix must be 3 digits"),
    ("0100109106-000", "from 001 to 999"),
    ("0100109106000", "from 001 to 999"),
    ("0100109107-001", "wrong check digit"),
    ("010010910-6001", "branch code is 10 digits"),
    ("", "empty"),
])
def test_invalid_codes_name_the_rule(code, rule):
    with pytest.raises(InvalidTaxCode) as exc:
        normalize_tax_code(code, "buyer.tax_code")
    assert exc.value.field == "buyer.tax_code"
    assert rule in exc.value.message
    assert not is_valid_tax_code(code)


def test_codes_whose_remainder_is_zero_cannot_exist():
    prefix = next(f"{n:09d}" for n in range(100000000, 100100000) if check_digit(f"{n:09d}") is None)
    for last in range(10):
        assert not is_valid_tax_code(prefix + str(last))
    with pytest.raises(InvalidTaxCode):
        complete_tax_code(prefix)


def test_complete_tax_code_makes_valid_codes():
    assert complete_tax_code("031812345") == "0318123451"
    assert is_valid_tax_code(complete_tax_code("010812345"))
