"""The local invoice PDF: Vietnamese diacritics intact and every required field present."""
import io
from datetime import date, datetime

from pypdf import PdfReader

from app.services.invoice_pdf import InvoicePdfMeta, render_invoice_pdf
from app.services.invoice_rules import (REPLACEMENT, Buyer, InvoiceDraft, InvoiceLineDraft,
                                        InvoiceReference, Seller, compute_invoice)

SELLER = Seller(name="Công ty TNHH Thương mại Điện tử Sen Việt", tax_code="0318123451",
                address="12 Nguyễn Huệ, Phường Sài Gòn, Thành phố Hồ Chí Minh", phone="02838123456")


def invoice(**kwargs):
    return compute_invoice(InvoiceDraft(
        buyer=kwargs.pop("buyer", Buyer(legal_name="Công ty Cổ phần FPT", tax_code="0101248141",
                                        address="Số 10 Phạm Văn Bạch, Cầu Giấy, Hà Nội", name="Trần Thị Bích")),
        lines=[InvoiceLineDraft("Áo thun cổ tròn màu xanh", "Cái", 2, 100_000, vat_rate=8),
               InvoiceLineDraft("Nước mắm Phú Quốc", "Chai", 3, 45_500, discount=1_500, vat_rate=10),
               InvoiceLineDraft("Sách giáo khoa", "Cuốn", 1, 25_000, vat_rate="KCT")],
        series="C26TAA", issue_date=date(2026, 11, 20), payment_method="TM/CK", **kwargs))


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_preview_has_required_fields_and_diacritics():
    text = text_of(render_invoice_pdf(invoice(), SELLER, None))
    for expected in ["HÓA ĐƠN GIÁ TRỊ GIA TĂNG", "chưa cấp số", "C26TAA", "Mẫu số",
                     "Công ty TNHH Thương mại Điện tử Sen Việt", "0318123451", "Nguyễn Huệ",
                     "Công ty Cổ phần FPT", "0101248141", "Phạm Văn Bạch", "Trần Thị Bích",
                     "Áo thun cổ tròn màu xanh", "Nước mắm Phú Quốc", "8%", "10%", "KCT",
                     "200.000", "16.000", "13.500", "389.500",
                     "Ba trăm tám mươi chín nghìn năm trăm đồng", "TM/CK", "Ngày", "20", "11", "2026"]:
        assert expected in text, expected


def test_issued_invoice_shows_number_codes_and_lookup():
    meta = InvoicePdfMeta(number=12, tax_authority_code="00ABCDEF1234567890", lookup_code="2QTBFEMAXFWZO5B",
                          lookup_url="https://vinvoice.viettel.vn/utilities/invoice-search",
                          signed_at=datetime(2026, 11, 20, 9, 30), provider_name="Viettel S-Invoice")
    text = text_of(render_invoice_pdf(invoice(), SELLER, meta))
    assert "chưa cấp số" not in text
    for expected in ["12", "00ABCDEF1234567890", "2QTBFEMAXFWZO5B", "vinvoice.viettel.vn", "Mã của cơ quan thuế",
                     "Mã tra cứu", "Viettel S-Invoice", "20/11/2026 09:30"]:
        assert expected in text, expected


def test_replacement_shows_reference_line_and_consumer_buyer():
    ref = InvoiceReference(REPLACEMENT, 1, "C26TAA", 7, date(2026, 11, 2), reason="Sai đơn giá")
    text = text_of(render_invoice_pdf(invoice(reference=ref, buyer=Buyer()), SELLER, {"number": 13}))
    assert "Thay thế cho hóa đơn Mẫu số 1 ký hiệu C26TAA số 7 ngày 02 tháng 11 năm 2026" in text
    assert "Bán cho người tiêu dùng" in text and "Sai đơn giá" in text


def test_sales_invoice_has_no_vat_columns():
    draft = InvoiceDraft(buyer=Buyer(), lines=[InvoiceLineDraft("Bánh pía", "Hộp", 2, 120_000)],
                         template=2, series="C26TBB", issue_date=date(2026, 11, 20))
    text = text_of(render_invoice_pdf(compute_invoice(draft), SELLER))
    assert "HÓA ĐƠN BÁN HÀNG" in text and "Thuế suất" not in text and "240.000" in text
