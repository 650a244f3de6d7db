"""The MISA sandbox's checks of one ``InvoiceData`` item (research D.3), before numbering.

A refused item gets an ``ErrorCode`` in the D.4 style (``RequireError_0<Field>``, ``InvoiceDetail_0<Field>``,
``InvalidTaxCode``, ``InvoiceTemplateNotExist`` …); ``InvalidTotalAmount`` is the sandbox's own name for a
master total that does not add up (MISA publishes none). Line arithmetic must match to ±1 VND.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from app.sandbox.einvoice_register.ledger import LedgerError
from app.sandbox.einvoice_register.rules import (SERIES_PATTERN, valid_buyer_tax_code, valid_emails,
                                                 valid_phone, whole_vnd, words_vnd)

RATES = {"0%": 0, "5%": 5, "8%": 8, "10%": 10, "KCT": 0, "KKKNT": 0}
TOLERANCE = 1


def refuse(code: str, message: str):
    raise LedgerError(code, message)


def _dec(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        refuse(f"InvoiceDetail_0{field}", f"{field} không phải là số ({value!r}).")


def check_invoice(data: dict, account: dict, now: datetime) -> dict:
    for name in ("RefID", "InvSeries", "InvDate", "PaymentMethodName"):
        if data.get(name) in (None, ""):
            refuse(f"RequireError_0{name}", f"Thiếu thông tin {name} (required).")
    full = str(data["InvSeries"])
    template, series = full[:1], full[1:]
    match = SERIES_PATTERN.match(series)
    if len(full) != 7 or not match:
        refuse("InvoiceTemplateNotExist", f"Ký hiệu {full} không đúng định dạng (ví dụ 1C26TAA).")
    try:
        inv_date = date.fromisoformat(str(data["InvDate"])[:10])
    except ValueError:
        refuse("RequireError_0InvDate", f"InvDate {data['InvDate']} phải có dạng yyyy-MM-dd.")
    if inv_date > now.date():
        refuse("InvalidInvDate", "Ngày hóa đơn không được lớn hơn ngày hiện tại.")
    if int(match.group(1)) != inv_date.year % 100:
        refuse("InvoiceTemplateNotExist", f"Ký hiệu {full} không thuộc năm {inv_date.year} của ngày hóa đơn "
                                          "(series year must equal the invoice year).")
    if full not in {s["full_series"] for s in account["series"].get(inv_date.year, [])}:
        refuse("InvoiceTemplateNotExist", f"Mẫu số/ký hiệu {full} chưa được đăng ký sử dụng.")
    if data.get("CurrencyCode", "VND") != "VND":
        refuse("InvalidCurrencyCode", "Sandbox chỉ hỗ trợ VND.")
    tax_code = data.get("BuyerTaxCode")
    if tax_code:
        if not valid_buyer_tax_code(tax_code):
            refuse("InvalidTaxCode", f"Mã số thuế người mua {tax_code} không hợp lệ.")
        for name in ("BuyerLegalName", "BuyerAddress"):
            if not data.get(name):
                refuse(f"RequireError_0{name}", f"Thiếu {name}: bắt buộc khi có mã số thuế người mua.")
    id_number = data.get("BuyerIDNumber")
    if id_number and not (isinstance(id_number, str) and id_number.isdigit() and len(id_number) == 12):
        refuse("InvoiceDetail_0BuyerIDNumber", f"BuyerIDNumber {id_number} phải là số CCCD 12 chữ số.")
    if not (data.get("BuyerLegalName") or data.get("BuyerFullName")):
        refuse("RequireError_0BuyerFullName", "Thiếu tên người mua (ghi \"Bán cho người tiêu dùng\" nếu không có).")
    if data.get("BuyerPhoneNumber") and not valid_phone(data["BuyerPhoneNumber"]):
        refuse("InvalidBuyerPhoneNumber", f"Số điện thoại người mua {data['BuyerPhoneNumber']} không hợp lệ.")
    for name in ("BuyerEmail", "ReceiverEmail"):
        if data.get(name) and not valid_emails(data[name]):
            refuse("InvalidEmail", f"{name} {data[name]} không hợp lệ.")
    for name in ("BuyerFullName", "BuyerLegalName", "BuyerAddress", "ReceiverName"):
        if "*" in str(data.get(name) or ""):
            refuse(f"InvoiceDetail_0{name}", f"{name} chứa ký tự không hợp lệ (*).")
    kind = {None: "original", 0: "original", 1: "replacement", 2: "adjustment"}.get(data.get("ReferenceType"))
    if kind is None:
        refuse("RequireError_0ReferenceType", f"ReferenceType {data.get('ReferenceType')} không hợp lệ.")
    reference, reference_text = None, ""
    if kind != "original":
        for name in ("OrgInvTemplateNo", "OrgInvSeries", "OrgInvNo", "OrgInvDate"):
            if data.get(name) in (None, ""):
                refuse(f"RequireError_0{name}", f"Thiếu {name}: bắt buộc với hóa đơn thay thế/điều chỉnh.")
        org_no = str(data["OrgInvNo"])
        if not org_no.isdigit():
            refuse("InvalidInvNo", f"OrgInvNo {org_no} phải là số.")
        reference = (str(data["OrgInvTemplateNo"]), str(data["OrgInvSeries"]), int(org_no))
        d = date.fromisoformat(str(data["OrgInvDate"])[:10])
        verb = "Thay thế" if kind == "replacement" else "Điều chỉnh"
        reference_text = (f"{verb} cho hóa đơn Mẫu số {reference[0]} ký hiệu {reference[1]} số {reference[2]} "
                          f"ngày {d:%d} tháng {d:%m} năm {d.year}")
    lines, totals = _check_amounts(template, kind, data)
    document = {
        "title": "HÓA ĐƠN GIÁ TRỊ GIA TĂNG" if template == "1" else "HÓA ĐƠN BÁN HÀNG",
        "seller": {k: account["seller"][k] for k in ("name", "tax_code", "address")},
        "buyer": {"name": data.get("BuyerFullName") or "", "legal_name": data.get("BuyerLegalName") or "",
                  "tax_code": tax_code or "", "address": data.get("BuyerAddress") or "",
                  "id_number": id_number or ""},
        "payment_method": data["PaymentMethodName"], "lines": lines, "reference_text": reference_text,
        "words": words_vnd(totals["total"]), **totals,
    }
    issued_at = now if inv_date == now.date() else datetime.combine(inv_date, datetime.min.time(), now.tzinfo)
    return {"key": str(data["RefID"]), "template": template, "series": series, "issued_at": issued_at,
            "kind": kind, "reference": reference, "document": document}


def _check_amounts(template: str, kind: str, data: dict):
    details = data.get("OriginalInvoiceDetail") or []
    if not details:
        refuse("RequireError_0OriginalInvoiceDetail", "Hóa đơn phải có ít nhất một dòng hàng.")
    lines, by_rate = [], {}
    for row in details:
        n = row.get("LineNumber")
        if not row.get("ItemName"):
            refuse("InvoiceDetail_0ItemName", f"Dòng {n}: thiếu tên hàng hóa.")
        qty, price = _dec(row.get("Quantity", 0), "Quantity"), _dec(row.get("UnitPrice", 0), "UnitPrice")
        amount_oc = _dec(row.get("AmountOC"), "AmountOC")
        discount = _dec(row.get("DiscountAmountOC") or 0, "DiscountAmountOC")
        without = _dec(row.get("AmountWithoutVATOC"), "AmountWithoutVATOC")
        vat = _dec(row.get("VATAmountOC") or 0, "VATAmountOC")
        if kind != "adjustment" and (qty < 0 or without < 0):
            refuse("InvoiceDetail_0Quantity", f"Dòng {n}: số lượng/thành tiền âm chỉ dùng cho hóa đơn điều chỉnh.")
        if abs(whole_vnd(qty * price) - amount_oc) > TOLERANCE:
            refuse("InvoiceDetail_0AmountOC", f"Dòng {n}: AmountOC {amount_oc} khác Quantity × UnitPrice.")
        if abs(amount_oc - discount - without) > TOLERANCE:
            refuse("InvoiceDetail_0AmountWithoutVATOC", f"Dòng {n}: AmountWithoutVATOC khác AmountOC − chiết khấu.")
        name = row.get("VATRateName")
        if template == "1":
            if name not in RATES:
                refuse("InvoiceDetail_0VATRateName", f"Dòng {n}: thuế suất {name!r} không hợp lệ "
                                                     "(0%, 5%, 8%, 10%, KCT, KKKNT).")
            if abs(whole_vnd(without * RATES[name] / 100) - vat) > TOLERANCE:
                refuse("InvoiceDetail_0VATAmountOC", f"Dòng {n}: tiền thuế {vat} khác thành tiền × thuế suất.")
            row_sum = by_rate.setdefault(name, [Decimal(0), Decimal(0)])
            row_sum[0] += without
            row_sum[1] += vat
        elif name or vat:
            refuse("InvoiceDetail_0VATRateName", f"Dòng {n}: hóa đơn bán hàng không có thuế suất GTGT.")
        lines.append({"name": row["ItemName"], "unit": row.get("UnitName") or "", "quantity": qty,
                      "unit_price": price, "amount": int(without), "rate": name})
    if template == "1":
        sent = {r.get("VATRateName"): (_dec(r.get("AmountWithoutVATOC"), "AmountWithoutVATOC"),
                                       _dec(r.get("VATAmountOC"), "VATAmountOC"))
                for r in data.get("TaxRateInfo") or []}
        if set(sent) != set(by_rate) or any(abs(sent[k][0] - v[0]) > TOLERANCE or abs(sent[k][1] - v[1]) > TOLERANCE
                                            for k, v in by_rate.items()):
            refuse("TaxRateInfo_VATRateName", "TaxRateInfo không khớp tổng các dòng hàng theo thuế suất.")
    subtotal = sum(Decimal(ln["amount"]) for ln in lines)
    vat_total = sum((v[1] for v in by_rate.values()), Decimal(0))
    sent_sub = _dec(data.get("TotalAmountWithoutVATOC"), "TotalAmountWithoutVATOC")
    sent_vat = _dec(data.get("TotalVATAmountOC") or 0, "TotalVATAmountOC")
    sent_total = _dec(data.get("TotalAmountOC"), "TotalAmountOC")
    if abs(sent_sub - subtotal) > TOLERANCE or abs(sent_vat - vat_total) > TOLERANCE \
            or sent_total != sent_sub + sent_vat:
        refuse("InvalidTotalAmount", f"Tổng tiền thanh toán {sent_total} không khớp: tiền hàng {subtotal} + "
                                     f"tiền thuế {vat_total} = {subtotal + vat_total}.")
    return lines, {"subtotal": int(sent_sub), "vat_total": int(sent_vat), "total": int(sent_total)}
