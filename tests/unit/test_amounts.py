"""Money and quantities as sellers type them (app.services.amounts): every accepted spelling, every
refused one with the rule it breaks, and round trips from what the pages show back to the number."""
from decimal import Decimal

import pytest
from hypothesis import given, strategies as st

from app.services.amounts import (AMBIGUOUS_MONEY, AMBIGUOUS_SHORTHAND, BAD_MONEY, BAD_QUANTITY,
                                  FRACTION_QUANTITY, LARGEST_MONEY, LARGEST_QUANTITY, MONEY,
                                  NEGATIVE, NOT_WHOLE_MONEY, QUANTITY, TOO_LARGE, AmountError,
                                  format_amount, parse_amount)

LOCALES = ["vi", "en", None]


def money(text, locale="vi", **kw):
    return parse_amount(text, field="unit_price", label="Unit price", locale=locale, **kw)


def qty(text, locale="vi", **kw):
    return parse_amount(text, field="quantity", label="Quantity", kind=QUANTITY, locale=locale, **kw)


def refused(fn, text, locale="vi", **kw) -> AmountError:
    with pytest.raises(AmountError) as caught:
        fn(text, locale, **kw)
    return caught.value


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text, amount", [
    ("289.000", 289_000), ("289,000", 289_000), ("289000", 289_000), ("289 000", 289_000),
    ("1.500.000", 1_500_000), ("1,500,000", 1_500_000), ("150.000", 150_000), ("0", 0),
    ("289k", 289_000), ("289K", 289_000), ("289 k", 289_000), ("2k5", 2_500),
    ("1tr", 1_000_000), ("1tr2", 1_200_000), ("1tr25", 1_250_000), ("1TR2", 1_200_000),
    ("1,5tr", 1_500_000), ("1.5tr", 1_500_000), ("1,25tr", 1_250_000), ("2 triệu", 2_000_000),
    ("3 tỷ", 3_000_000_000), ("150 nghìn", 150_000), ("150 ngàn", 150_000),
    ("289.000 ₫", 289_000), ("289.000đ", 289_000), ("289,000 VND", 289_000), ("289000vnđ", 289_000),
    ("\u00a0289.000\u00a0", 289_000), ("1\u202f500\u202f000", 1_500_000), ("+150.000", 150_000),
    ("1.500.000k", 1_500_000_000), ("1,234.5k", 1_234_500), ("1.234,5k", 1_234_500),
])
def test_money_the_ways_sellers_type_it(text, amount, locale):
    assert money(text, locale) == amount


@pytest.mark.parametrize("value, amount", [(289000, 289000), (Decimal("289000"), 289000),
                                           (289000.0, 289000), (Decimal("150000.00"), 150000)])
def test_json_numbers_are_taken_as_they_are(value, amount):
    assert money(value) == amount


@pytest.mark.parametrize("blank", [None, "", "   ", "\u00a0"])
def test_blank_is_none_for_the_caller_to_judge(blank):
    assert money(blank) is None and qty(blank) is None


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("text", ["1.5", "1,5", "1,50", "289.00", "289,00", "1.50.000", "1.5000",
                                  "12.34.567", "1,500.000", "1.500,000"])
def test_money_that_could_mean_two_amounts_is_refused(text, locale):
    err = refused(money, text, locale)
    assert err.template in (AMBIGUOUS_MONEY, BAD_MONEY), text
    assert err.field == "unit_price" and "Unit price" in err.message and text in err.message


@pytest.mark.parametrize("text", ["abc", "12a", "1..000", ".5", "5.", "1,", "1e5", "0x10", "--5",
                                  "1k2k", "k", "tr2", "1,5tr2", "1m", "1tr2345678", "١٢٣",
                                  "²", "₫", "1 2,3", "nan", "inf"])
def test_what_is_not_a_number_is_refused(text):
    err = refused(money, text)
    assert err.template in (BAD_MONEY, AMBIGUOUS_MONEY), text


def test_a_shorthand_figure_grouped_the_other_way_is_ambiguous():
    assert money("1.500k", "vi") == 1_500_000
    assert refused(money, "1.500k", "en").template == AMBIGUOUS_SHORTHAND
    assert money("1,500k", "en") == 1_500_000
    assert refused(money, "1,500k", "vi").template == AMBIGUOUS_SHORTHAND
    assert refused(money, "1.500k", None).template == AMBIGUOUS_SHORTHAND


def test_a_shorthand_that_leaves_a_fraction_of_a_dong_is_refused():
    assert refused(money, "1,2345k").template == NOT_WHOLE_MONEY
    assert refused(money, 1.5).template == NOT_WHOLE_MONEY
    assert refused(money, Decimal("0.5")).template == NOT_WHOLE_MONEY


def test_negative_and_too_large():
    assert refused(money, "-150.000").template == NEGATIVE
    assert money("-150.000", signed=True) == -150_000
    assert qty("−3", signed=True) == -3
    assert refused(money, "1" * 20).template == TOO_LARGE
    assert refused(money, "9" * 5000).template == TOO_LARGE  # no 4300-digit int() error either
    assert refused(money, str(LARGEST_MONEY + 1)).template == TOO_LARGE
    assert money(str(LARGEST_MONEY)) == LARGEST_MONEY
    assert refused(qty, str(LARGEST_QUANTITY + 1)).template == TOO_LARGE
    assert refused(qty, "12345678901234567890123").template == TOO_LARGE
    assert refused(money, 10**30).template == TOO_LARGE
    assert refused(money, True).template == BAD_MONEY


@pytest.mark.parametrize("locale", LOCALES)
def test_quantities_are_whole_numbers_grouped_or_not(locale):
    assert qty("12", locale) == 12
    assert qty("1.000", locale) == 1000 and qty("1,000", locale) == 1000
    assert qty("1 000", locale) == 1000 and qty(7, locale) == 7
    for text in ("1.5", "1,5", "2,50", "0.5"):
        assert refused(qty, text, locale).template == FRACTION_QUANTITY, text
    for text in ("12k", "1tr", "abc", "1.0.0", "3 cái", "289.000₫"):
        assert refused(qty, text, locale).template == BAD_QUANTITY, text
    assert refused(qty, 2.5, locale).template == FRACTION_QUANTITY
    assert refused(qty, "-1", locale).template == NEGATIVE


def test_the_message_names_the_field_and_the_value():
    err = refused(qty, "1.5")
    assert err.errors == {"quantity": [err.message]}
    assert err.message.startswith("Quantity: “1.5”")
    assert err.details["label"] == "Quantity" and "label" in err.translatable
    long = refused(money, "x" * 100)
    assert "…" in long.message and len(long.details["value"]) <= 41


@pytest.mark.parametrize("value, vi, en", [(0, "0", "0"), (289000, "289.000", "289,000"),
                                           (1500000, "1.500.000", "1,500,000"), (999, "999", "999"),
                                           (Decimal("150000"), "150.000", "150,000")])
def test_format_groups_thousands_the_readers_way(value, vi, en):
    assert format_amount(value, "vi") == vi and format_amount(value, "en") == en
    assert format_amount(None, "vi") == ""


AMOUNTS = st.integers(min_value=0, max_value=LARGEST_MONEY)


@given(AMOUNTS, st.sampled_from(["vi", "en"]), st.sampled_from(["vi", "en", None]))
def test_what_a_page_shows_reads_back_as_the_same_amount_in_any_language(amount, shown_in, read_in):
    assert money(format_amount(amount, shown_in), read_in) == amount


@given(st.integers(min_value=0, max_value=LARGEST_QUANTITY), st.sampled_from(["vi", "en"]))
def test_quantities_round_trip(number, locale):
    assert qty(format_amount(number, locale), locale) == number
    assert qty(str(number), locale) == number


@given(st.integers(min_value=1, max_value=999_999), st.sampled_from(["vi", "en"]))
def test_thousands_and_millions_shorthands_round_trip(n, locale):
    assert money(f"{n}k", locale) == n * 1000
    assert money(f"{n}tr", locale) == n * 1_000_000
    whole, tenths = divmod(n, 10)
    if whole:
        assert money(f"{whole}tr{tenths}", locale) == whole * 1_000_000 + tenths * 100_000
        mark = "," if locale == "vi" else "."
        assert money(f"{whole}{mark}{tenths}tr", locale) == whole * 1_000_000 + tenths * 100_000


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=99),
       st.sampled_from(["vi", "en", None]), st.sampled_from([".", ","]))
def test_a_decimal_fraction_is_never_taken_as_an_amount(whole, cents, locale, mark):
    text = f"{whole}{mark}{cents:02d}" if cents % 10 else f"{whole}{mark}{cents // 10}"
    with pytest.raises(AmountError):
        money(text, locale)
    with pytest.raises(AmountError):
        qty(text, locale)


@given(st.text(max_size=30), st.sampled_from(["vi", "en", None]), st.sampled_from([MONEY, QUANTITY]))
def test_any_text_gives_a_number_none_or_a_refusal(text, locale, kind):
    try:
        result = parse_amount(text, field="x", kind=kind, locale=locale)
    except AmountError as err:
        assert err.field == "x" and err.message
    else:
        assert result is None or (isinstance(result, int) and 0 <= result)


def test_the_shipment_form_reads_cod_and_measures_the_same_way():
    from app.models import Order
    from app.services.errors import ValidationErrors
    from app.services.shipments import parse_form
    data = {"carrier": "ghn", "service": "fast", "fee_payer": "seller", "required_note": "allow_try",
            "cod_amount": "1tr2", "weight_g": "1.200", "length_cm": "30", "width_cm": "20",
            "height_cm": "10"}
    order = Order(total=2_000_000, paid_amount=0, payment_method="cod", payment_status="unpaid")
    form = parse_form(order, data)
    assert (form.cod_amount, form.weight_g) == (1_200_000, 1200)
    with pytest.raises(ValidationErrors) as caught:
        parse_form(Order(), {**data, "weight_g": "1.5", "cod_amount": "1,50"})
    assert "not a whole number" in str(caught.value.errors["weight_g"][0])
    assert "ambiguous" in str(caught.value.errors["cod_amount"][0])
