"""Our shipping labels: text checked by extracting it from the PDF with pypdf."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from app.services.labels import (LabelItem, LabelParty, ShippingLabel, pick_lines, render_label,
                                 render_labels)

RECEIVER_ADDRESS = "12 Lê Thánh Tôn, Phường Bến Nghé, Quận 1, Hồ Chí Minh"


def label(n: int = 1, **overrides) -> ShippingLabel:
    values = dict(
        carrier="GHN", tracking_number=f"LBFV{n:04d}", order_number=f"SO-2026-{n:05d}",
        sender=LabelParty("Shop Hoa Mai", "0987654321",
                          "310 Quan Nhân, Phường Thanh Xuân Trung, Quận Thanh Xuân, Hà Nội"),
        receiver=LabelParty("Nguyễn Thị Hương", "0912345678", RECEIVER_ADDRESS),
        cod_amount=1_250_000, weight_g=800, service="Hàng nhẹ",
        required_note="Cho xem hàng, không cho thử",
        items=[LabelItem("Áo dài lụa", 1, "AD-01"), LabelItem("Nón lá", 2, "NL-02")])
    values.update(overrides)
    return ShippingLabel(**values)


def pages(pdf: bytes) -> list[str]:
    assert pdf[:4] == b"%PDF"
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_single_label_has_everything_the_courier_needs():
    [text] = pages(render_label(label()))
    assert text.count("LBFV0001") >= 2          # barcode's human-readable line + the printed code
    assert "Nguyễn Thị Hương" in text
    assert "Lê Thánh Tôn" in text and "Phường Bến Nghé" in text
    assert "Quận Thanh Xuân" in text
    assert "1.250.000 ₫" in text
    assert "800 g" in text and "Hàng nhẹ" in text
    assert "SO-2026-00001" in text
    assert "Cho xem hàng, không cho thử" in text


def test_label_from_a_plain_dict_and_no_cod():
    data = {"carrier": "Viettel Post", "tracking_number": "15878180012", "order_number": "SO-9",
            "sender": {"name": "Shop Hoa Mai", "phone": "0987654321", "address": "Hà Nội"},
            "receiver": {"name": "Trần Đức Thắng", "phone": "0912345678",
                         "address": "45 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Hồ Chí Minh"},
            "cod_amount": 0, "weight_g": 1200, "service": "VCN",
            "items": [{"name": "Nón lá Huế", "quantity": 2}], "ignored": "extra keys are dropped"}
    [text] = pages(render_label(data))
    assert "15878180012" in text and "Trần Đức Thắng" in text and "Nguyễn Huệ" in text
    assert "Không thu tiền" in text


def test_bulk_pdf_starts_with_pick_list_then_one_label_a_page():
    batch = [label(n, tracking_number=f"GHN{n:05d}") for n in range(1, 6)]
    texts = pages(render_labels(batch))
    assert len(texts) == 6
    assert "Danh sách lấy hàng" in texts[0]
    assert "AD-01" in texts[0] and "NL-02" in texts[0]
    assert "6.250.000" in texts[0]                  # total COD of the batch
    for n, text in enumerate(texts[1:], start=1):
        assert f"GHN{n:05d}" in text and "Phường Bến Nghé" in text


def test_bulk_without_pick_list():
    texts = pages(render_labels([label(1), label(2)], pick_list=False))
    assert len(texts) == 2 and "LBFV0002" in texts[1]


def test_pick_list_sums_per_sku():
    lines = {line.sku: line for line in pick_lines([label(1), label(2)])}
    assert lines["NL-02"].quantity == 4 and lines["NL-02"].parcels == 2
    assert lines["AD-01"].quantity == 2


def test_empty_batch_is_refused():
    with pytest.raises(ValueError):
        render_labels([])


def test_markup_in_a_buyer_name_or_address_is_printed_as_text():
    hostile = "Zq' <b>\"x\"</b> <img src=\"file:///etc/passwd\"> <script>alert(1)</script>"
    [text] = pages(render_label(label(receiver=LabelParty(hostile, "0912345678", hostile),
                                      items=[LabelItem(hostile, 1, "AD-01")])))
    assert text.count("<b>\"x\"</b>") >= 2 and "<script>alert(1)</script>" in text


def test_pick_list_is_printed_at_the_shops_time_with_long_skus_kept_in_their_column():
    import datetime as dt
    from zoneinfo import ZoneInfo
    long_sku = "AO-KHOAC-CONG-SO-XAM-XL"
    batch = [label(1, items=[LabelItem("Áo khoác công sở xám - XL / Xám đậm", 2, long_sku)])]
    before = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    pick = pages(render_labels(batch, zone="Asia/Ho_Chi_Minh"))[0]
    stamps = {(before + dt.timedelta(minutes=m)).strftime("%d/%m/%Y %H:%M") for m in (0, 1)}
    assert any(f"In lúc {s}" in pick for s in stamps), pick  # 7 hours ahead of UTC, not UTC
    # The SKU wraps inside its own column: the product name's words stay whole after it.
    assert "Áo khoác công sở xám" in pick
