"""COD statement files as the carriers' portals export them, for the import tests: GHN's (its
portal's Vietnamese titles, or the API's field names) and Viettel Post's, as CSV or XLSX."""
from __future__ import annotations

import csv
import io

GHN_HEADER = ["STT", "Mã đơn GHN", "Mã đơn shop", "Người nhận", "Tiền thu hộ (COD)",
              "Tổng phí", "Thực nhận", "Ngày đối soát"]
GHN_API_HEADER = ["OrderCode", "ClientOrderCode", "CODAmount", "TotalFee", "CODTransferDate"]
VTP_HEADER = ["STT", "Mã vận đơn", "Mã đơn hàng", "Tiền thu hộ", "Cước phí", "Tiền thực nhận"]


def ghn_rows(parcels) -> list[list]:
    """``parcels``: (tracking, client code, cod, fee, paid or None) → the portal's rows."""
    return [[i + 1, t, ref, "Nguyễn Thị Hoa", cod, fee, cod - fee if paid is None else paid,
             "05/12/2026"] for i, (t, ref, cod, fee, paid) in enumerate(parcels)]


def vtp_rows(parcels) -> list[list]:
    return [[i + 1, t, ref, cod, fee, cod - fee if paid is None else paid]
            for i, (t, ref, cod, fee, paid) in enumerate(parcels)]


def as_csv(header, rows, *, title: str | None = None, delimiter=",", money=str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    if title:
        writer.writerow([title])
        writer.writerow([])
    writer.writerow(header)
    for row in rows:
        writer.writerow([money(v) if isinstance(v, int) and not isinstance(v, bool) and v > 999
                         else v for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def as_xlsx(header, rows, *, title: str | None = None) -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
