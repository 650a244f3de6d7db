"""Invoice arithmetic, words, buyer, series and template rules."""
from datetime import date
from decimal import Decimal

import pytest

from app.services.errors import ValidationError, ValidationErrors
from app.services.invoice_rules import (ADJUSTMENT, CONSUMER_BUYER_NAME, REPLACEMENT, Buyer, InvoiceDraft,
                                        InvoiceLineDraft, InvoiceReference, VatRate, amount_in_words,
                                        compute_invoice, reference_text, resolve_buyer, round_vnd,
                                        split_full_series, validate_series)

DAY = date(2026, 11, 20)
COMPANY = Buyer(legal_name="Công ty Cổ phần FPT", tax_code="0101248141", address="Cầu Giấy, Hà Nội")


def compute(lines, **kwargs):
    kwargs.setdefault("buyer", COMPANY)
    return compute_invoice(InvoiceDraft(lines=lines, series=kwargs.pop("series", "C26TAA"),
                                        issue_date=kwargs.pop("issue_date", DAY), **kwargs))


# ------------------------------------------------------------------------------------------ rounding

@pytest.mark.parametrize("value, expected", [("0.5", 1), ("1.5", 2), ("2.5", 3), ("-0.5", -1), ("2.4999", 2),
                                             (Decimal("1234.5"), 1235)])
def test_round_vnd_is_half_up(value, expected):
    assert round_vnd(Decimal(value)) == expected


def test_mixed_rates_discounts_and_breakdown():
    inv = compute([
        InvoiceLineDraft("Áo thun", "Cái", 2, 100_000, vat_rate=8),
        InvoiceLineDraft("Nước mắm", "Chai", 3, 45_500, discount=1_500, vat_rate="10%"),
        InvoiceLineDraft("Quần jean", "Cái", 1, 350_000, discount=35_000, vat_rate=10),
        InvoiceLineDraft("Sách", "Cuốn", 2, 25_000, vat_rate="KCT"),
        InvoiceLineDraft("Gạo", "Kg", 5, 20_000, vat_rate=5),
        InvoiceLineDraft("Phí dịch vụ xuất khẩu", "Lần", 1, 50_000, vat_rate=0),
    ])
    amounts = [(ln.amount, ln.tax) for ln in inv.lines]
    assert amounts == [(200_000, 16_000), (135_000, 13_500), (315_000, 31_500), (50_000, 0), (100_000, 5_000),
                       (50_000, 0)]
    assert [(b.vat_rate, b.taxable_amount, b.tax_amount) for b in inv.breakdown] == [
        (VatRate.ZERO, 50_000, 0), (VatRate.FIVE, 100_000, 5_000), (VatRate.EIGHT, 200_000, 16_000),
        (VatRate.TEN, 450_000, 45_000), (VatRate.KCT, 50_000, 0)]
    assert (inv.gross_total, inv.discount_total, inv.subtotal, inv.vat_total, inv.total) == \
        (886_500, 36_500, 850_000, 66_000, 916_000)
    assert inv.amount_in_words == "Chín trăm mười sáu nghìn đồng chẵn"


def test_half_vnd_tax_rounds_up_and_breakdown_is_sum_of_line_taxes():
    # 8% of 12,345 = 987.6 → 988; 8% of 6,250 = 500; 5% of 10,010 = 500.5 → 501; 10% of 15 = 1.5 → 2
    inv = compute([InvoiceLineDraft("A", "Cái", 1, 12_345, vat_rate=8),
                   InvoiceLineDraft("B", "Cái", 1, 6_250, vat_rate=8),
                   InvoiceLineDraft("C", "Cái", 1, 10_010, vat_rate=5),
                   InvoiceLineDraft("D", "Cái", 1, 15, vat_rate=10)])
    assert [ln.tax for ln in inv.lines] == [988, 500, 501, 2]
    by_rate = {b.vat_rate: b.tax_amount for b in inv.breakdown}
    assert by_rate[VatRate.EIGHT] == 1_488          # Σ of the line taxes
    assert inv.vat_total == 1_991


def test_fractional_quantity_and_price_round_half_up_at_line_level():
    inv = compute([InvoiceLineDraft("Gạo ST25", "Kg", "2.5", 33_333, vat_rate=5),
                   InvoiceLineDraft("Vải", "m", "1.25", "10001.2", vat_rate=10)])
    assert inv.lines[0].amount == 83_333            # 83,332.5 → 83,333
    assert inv.lines[0].tax == 4_167                # 4,166.65 → 4,167
    assert inv.lines[1].amount == 12_502            # 12,501.5 → 12,502


def test_kkknt_and_kct_carry_no_tax_and_provider_spellings():
    inv = compute([InvoiceLineDraft("Hàng KKKNT", "Cái", 1, 10_000, vat_rate="KKKNT")])
    assert inv.vat_total == 0 and inv.breakdown[0].vat_rate is VatRate.KKKNT
    assert [r.sinvoice_percentage for r in VatRate] == [0, 5, 8, 10, -2, -1]
    assert [r.misa_name for r in VatRate] == ["0%", "5%", "8%", "10%", "KCT", "KKKNT"]
    assert VatRate.parse(-2) is VatRate.KCT and VatRate.parse("8%") is VatRate.EIGHT


def test_bad_lines_are_all_reported_together():
    with pytest.raises(ValidationErrors) as exc:
        compute([InvoiceLineDraft("", "Cái", 0, 10_000, vat_rate=7),
                 InvoiceLineDraft("Áo", "Cái", 1, 10_000, discount=20_000, vat_rate=10),
                 InvoiceLineDraft("Áo", "Cái", 1.5, 10_000, vat_rate=10),
                 InvoiceLineDraft("Áo", "Cái", 1, 10_000)])
    errors = exc.value.errors
    assert {"lines[0].name", "lines[0].quantity", "lines[0].vat_rate", "lines[1].discount",
            "lines[2].quantity", "lines[3].vat_rate"} <= set(errors)
    assert "never float" in errors["lines[2].quantity"][0]


def test_sales_invoice_has_no_vat():
    inv = compute([InvoiceLineDraft("Bánh", "Hộp", 2, 120_000, vat_rate=10)], template=2, series="C26TBB")
    assert inv.breakdown == [] and inv.vat_total == 0 and inv.total == 240_000
    assert inv.lines[0].vat_rate is None and inv.template_name == "HÓA ĐƠN BÁN HÀNG"


def test_unknown_template_payment_and_currency():
    with pytest.raises(ValidationErrors) as exc:
        compute([InvoiceLineDraft("A", "", 1, 1, vat_rate=10)], template=7, payment_method="BITCOIN",
                currency="USD")
    assert {"template", "payment_method", "currency"} <= set(exc.value.errors)


# -------------------------------------------------------------------------------------------- words

@pytest.mark.parametrize("amount, words", [
    (0, "Không đồng"),
    (5, "Năm đồng"),
    (10, "Mười đồng"),
    (15, "Mười lăm đồng"),
    (21, "Hai mươi mốt đồng"),
    (24, "Hai mươi tư đồng"),
    (25, "Hai mươi lăm đồng"),
    (101, "Một trăm linh một đồng"),
    (110, "Một trăm mười đồng"),
    (1_005, "Một nghìn không trăm linh năm đồng"),
    (1_000, "Một nghìn đồng chẵn"),
    (216_000, "Hai trăm mười sáu nghìn đồng chẵn"),
    (1_250_000, "Một triệu hai trăm năm mươi nghìn đồng chẵn"),
    (1_000_000_000, "Một tỷ đồng chẵn"),
    (2_015_010, "Hai triệu không trăm mười lăm nghìn không trăm mười đồng"),
    (1_000_001_000, "Một tỷ không trăm linh một nghìn đồng chẵn"),
    (2_500_000_005, "Hai tỷ năm trăm triệu không trăm linh năm đồng"),
    (1_000_000_000_000, "Một nghìn tỷ đồng chẵn"),
    (-11_000, "Âm mười một nghìn đồng chẵn"),
])
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_amount_in_words_refuses_non_integers():
    with pytest.raises(TypeError):
        amount_in_words(Decimal("1.5"))


# -------------------------------------------------------------------------------------------- buyers

def test_buyer_with_tax_code_needs_legal_name_and_address():
    with pytest.raises(ValidationErrors) as exc:
        resolve_buyer(Buyer(name="Anh Nam", tax_code="0101248141"))
    assert set(exc.value.errors) == {"buyer.legal_name", "buyer.address"}


def test_buyer_with_bad_tax_code_names_the_field():
    with pytest.raises(ValidationErrors) as exc:
        resolve_buyer(Buyer(legal_name="X", address="Y", tax_code="0101248142"))
    assert "check digit" in exc.value.errors["buyer.tax_code"][0]


def test_branch_code_is_normalized():
    assert resolve_buyer(Buyer(legal_name="Chi nhánh Viettel", address="HN",
                               tax_code="0100109106509")).tax_code == "0100109106-509"


def test_individual_who_gives_nothing_is_a_consumer():
    buyer = resolve_buyer(Buyer())
    assert buyer.name == CONSUMER_BUYER_NAME == "Bán cho người tiêu dùng" and buyer.is_consumer
    assert not resolve_buyer(Buyer(name="Nguyễn Văn A")).is_consumer


def test_individual_with_personal_id_tax_code():
    buyer = resolve_buyer(Buyer(name="Lê Thị Hoa", tax_code="001099012345", address="Huế"))
    assert buyer.legal_name == "Lê Thị Hoa"
    with pytest.raises(ValidationErrors) as exc:
        resolve_buyer(Buyer(name="Lê Thị Hoa", id_number="12345"))
    assert "buyer.id_number" in exc.value.errors


def test_bad_email():
    with pytest.raises(ValidationErrors) as exc:
        resolve_buyer(Buyer(name="A", email="a@b.vn;not-an-email"))
    assert "buyer.email" in exc.value.errors


# -------------------------------------------------------------------------------------------- series

@pytest.mark.parametrize("series", ["C26TAA", "K26TYY", "C26MAB", "c26taa", "K26DZZ"])
def test_valid_series(series):
    assert validate_series(series, DAY) == series.upper()


@pytest.mark.parametrize("series, message", [
    ("C25TAA", "is for 2025"), ("A26TAA", "6 characters"), ("C26ZAA", "6 characters"),
    ("C26TA", "6 characters"), ("C26TAAA", "6 characters"), ("1C26TAA", "6 characters"), ("", "6 characters"),
])
def test_invalid_series(series, message):
    with pytest.raises(ValidationError) as exc:
        validate_series(series, DAY)
    assert exc.value.field == "series" and message in exc.value.message


def test_series_year_checked_in_compute_and_full_series_split():
    with pytest.raises(ValidationErrors) as exc:
        compute([InvoiceLineDraft("A", "", 1, 1, vat_rate=10)], series="C26TAA", issue_date=date(2027, 1, 2))
    assert "2027" in exc.value.errors["series"][0]
    assert split_full_series("1C26TAA") == (1, "C26TAA")


# -------------------------------------------------------------------------------------- corrections

def test_adjustment_decrease_lines_are_negative():
    ref = InvoiceReference(ADJUSTMENT, 1, "C26TAA", 5, date(2026, 11, 1), reason="Giảm giá sau bán")
    inv = compute([InvoiceLineDraft("Giảm giá áo", "Cái", 2, 10_000, vat_rate=8, decrease=True)], reference=ref)
    assert (inv.subtotal, inv.vat_total, inv.total) == (-20_000, -1_600, -21_600)
    assert inv.kind == ADJUSTMENT and inv.amount_in_words == "Âm hai mươi mốt nghìn sáu trăm đồng"
    assert reference_text(ref) == "Điều chỉnh cho hóa đơn Mẫu số 1 ký hiệu C26TAA số 5 ngày 01 tháng 11 năm 2026"


def test_decrease_only_on_adjustments_and_reference_checks():
    with pytest.raises(ValidationErrors) as exc:
        compute([InvoiceLineDraft("A", "", 1, 1, vat_rate=10, decrease=True)])
    assert "lines[0].change" in exc.value.errors
    bad = InvoiceReference(REPLACEMENT, 1, "X", 0, date(2026, 12, 1))
    with pytest.raises(ValidationErrors) as exc:
        compute([InvoiceLineDraft("A", "", 1, 1, vat_rate=10)], reference=bad)
    assert {"reference.series", "reference.number", "reference.issued_on"} <= set(exc.value.errors)
