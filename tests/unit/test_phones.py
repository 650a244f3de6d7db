"""Vietnamese phone numbers are stored in the national 0-form; bad ones name the rule they break."""
import pytest

from app.services.errors import ValidationError
from app.services.phones import normalize_phone, phone_search_key, to_e164


@pytest.mark.parametrize("typed", ["0912345678", "0912 345 678", "0912.345.678", "+84912345678",
                                   "+84 912 345 678", "84912345678", "(+84) 912-345-678"])
def test_every_usual_form_becomes_the_national_form(typed):
    assert normalize_phone(typed) == "0912345678"
    assert to_e164(typed) == "+84912345678"


@pytest.mark.parametrize("mobile", ["0389123456", "0587654321", "0701234567", "0812345678"])
def test_all_mobile_prefixes_are_accepted(mobile):
    assert normalize_phone(mobile) == mobile


@pytest.mark.parametrize("typed,rule", [
    ("", "required"), ("abc", "digits"), ("12345", "10 digits"), ("0123456789", "10 digits"),
    ("+1 650 253 0000", "Vietnamese"), ("024 3825 1234", "landline")])
def test_bad_numbers_are_refused_naming_the_rule(typed, rule):
    with pytest.raises(ValidationError) as err:
        normalize_phone(typed, "buyer.phone")
    assert err.value.field == "buyer.phone" and rule in err.value.message


def test_landlines_pass_when_mobile_is_not_required_and_search_keys_use_the_zero_form():
    assert normalize_phone("024 3825 1234", mobile_only=False) == "02438251234"
    assert phone_search_key("+84 912 345 678") == "0912345678"
    assert phone_search_key("0912") == "0912" and phone_search_key("Lan") is None
