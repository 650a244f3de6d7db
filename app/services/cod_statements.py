"""A carrier's COD statement file (GHN's, Viettel Post's; CSV or XLSX) read into a draft statement.

The carriers' portals export one row per parcel they paid out for: the parcel's code (GHN's
``order_code``, Viettel Post's ``ORDER_NUMBER``: our tracking number), the COD collected
(``CODAmount`` / ``MONEY_COLLECTION``), the fees kept (``TotalFee`` / ``MONEY_TOTALFEE``) and,
in most exports, what was transferred. Their column titles vary with the portal's language and
version, so a column is recognised by any of the names below (case, accents and punctuation
ignored); unknown columns are ignored. A parcel's code is required, and the COD or the transfer.

Every row is accounted for in the import's report, never dropped: matched (and whether the
carrier's figures differ from ours), unknown tracking numbers, parcels already in another
statement, parcels not delivered or not COD, rows repeated in the file. The matched rows make
(or join) a draft statement, which the supervisor checks and confirms as usual (cod.py).
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.models import (Carrier, CodReconciliation, CodReconciliationLine, ReconciliationStatus,
                        Shipment)
from app.services import cod
from app.services.amounts import AmountError, parse_amount
from app.services.carrier_clients import CARRIER_NAMES
from app.services.errors import (N_, FieldMessage, InvalidTransition, ValidationError,
                                 ValidationErrors)
from app.services.ledger import use_case

COLUMNS = {
    # Best first: a file with both "Mã vận đơn" and "Mã đơn hàng" (the shop's own order number
    # at Viettel Post) is matched on the first.
    "tracking": ["ma van don", "so van don", "ma don ghn", "ma don hang ghn", "ma van don vtp",
                 "so hieu buu gui", "ma buu gui", "order code", "ordercode", "order_code",
                 "order number", "order_number", "tracking", "tracking number", "waybill",
                 "ma don hang"],
    "cod": ["tien thu ho", "so tien thu ho", "thu ho", "tien cod", "cod", "cod amount",
            "codamount", "cod_amount", "money collection", "money_collection"],
    "fee": ["tong phi", "phi", "cuoc phi", "tong cuoc", "phi dich vu", "tong cuoc phi",
            "total fee", "totalfee", "total_fee", "money totalfee", "money_totalfee", "fee"],
    "paid": ["thuc nhan", "so tien chuyen", "tien chuyen khoan", "so tien thanh toan",
             "tien thanh toan", "so tien doi soat", "tien doi soat", "tien thuc nhan", "paid",
             "net", "net amount",
             "transfer amount", "cod transfer", "codtransferamount"],
}
LABELS = {"cod": N_("COD"), "fee": N_("Fees kept"), "paid": N_("Carrier paid")}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000


def _key(text) -> str:
    """'Mã vận đơn', 'Tiền thu hộ (VNĐ)' → 'ma van don', 'tien thu ho': lower case, no accents,
    no punctuation, no unit in brackets."""
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", str(text or ""))
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "d")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9_]+", " ", text).strip()


NAMES = {_key(name): (role, rank) for role, names in COLUMNS.items()
         for rank, name in enumerate(names)}


@dataclass
class StatementRow:
    line: int              # the row's line number in the file (1 = the first line)
    tracking: str
    cod: int | None
    fee: int | None
    paid: int | None


@dataclass
class ImportReport:
    matched: list[dict] = field(default_factory=list)       # tracking, order, cod, paid, fee, differs
    unknown: list[dict] = field(default_factory=list)       # tracking, line
    elsewhere: list[dict] = field(default_factory=list)     # tracking, line, statement
    not_eligible: list[dict] = field(default_factory=list)  # tracking, line, state
    repeated: list[dict] = field(default_factory=list)      # tracking, line
    other_carrier: list[dict] = field(default_factory=list)  # tracking, line, carrier

    @property
    def problems(self) -> int:
        return (len(self.unknown) + len(self.elsewhere) + len(self.not_eligible)
                + len(self.repeated) + len(self.other_carrier)
                + sum(1 for m in self.matched if m["differs"]))

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("matched", "unknown", "elsewhere", "not_eligible",
                                              "repeated", "other_carrier")}


def _table(filename: str, content: bytes) -> list[list]:
    """The file's cells, row by row: an XLSX's first sheet, or a CSV (comma, semicolon or tab)."""
    if len(content) > MAX_BYTES:
        raise ValidationError("file", N_("The statement file is larger than %(mb)s MB."), mb=5)
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        from openpyxl import load_workbook
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged or foreign file
            raise ValidationError("file", N_("The file cannot be read as an Excel (XLSX) "
                                             "workbook.")) from None
        try:
            sheet = book.worksheets[0]
            return [list(row) for _, row in zip(range(MAX_ROWS + 20),
                                                sheet.iter_rows(values_only=True))]
        finally:
            book.close()
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    sample = text[:4096]
    delimiter = max((",", ";", "\t"), key=sample.count)
    return [row for _, row in zip(range(MAX_ROWS + 20), csv.reader(io.StringIO(text),
                                                                     delimiter=delimiter))]


def read_statement(filename: str, content: bytes) -> list[StatementRow]:
    """The rows of a carrier's COD statement file; a file that cannot be read, or that lacks the
    parcel code or the amounts, is refused whole (every bad row named: line, column, rule)."""
    table = _table(filename, content)
    header_at, roles = None, {}
    for i, row in enumerate(table[:15]):  # a title or the shop's name may sit above the header
        found: dict[str, tuple[int, int]] = {}  # role → (rank of the name, column)
        for col, cell in enumerate(row):
            role, rank = NAMES.get(_key(cell), (None, 0))
            if role and (role not in found or rank < found[role][0]):
                found[role] = (rank, col)
        if "tracking" in found and ("cod" in found or "paid" in found):
            header_at, roles = i, {role: col for role, (_, col) in found.items()}
            break
    if header_at is None:
        raise ValidationError("file", N_("No header row with the parcel code (“Mã vận đơn”, "
                                         "“order_code”) and the COD (“Tiền thu hộ”, "
                                         "“CODAmount”) was found in the first 15 lines."))
    rows, errors = [], {}
    for i, row in enumerate(table[header_at + 1:], start=header_at + 2):
        cell = {role: (row[col] if col < len(row) else None) for role, col in roles.items()}
        tracking = str(cell.get("tracking") or "").strip()
        if not tracking:
            if any(str(v or "").strip() for v in row):
                errors.setdefault(f"line {i}", []).append(FieldMessage(N_("the parcel code is "
                                                                          "empty")))
            continue  # blank lines and totals rows without a code
        amounts = {}
        for role in ("cod", "fee", "paid"):
            try:
                amounts[role] = parse_amount(cell.get(role), field=role, label=LABELS[role])
            except AmountError as exc:
                errors.setdefault(f"line {i}", []).append(FieldMessage(
                    exc.template, translatable=exc.translatable, **exc.details))
        if len(rows) >= MAX_ROWS:
            raise ValidationError("file", N_("A statement file holds at most %(n)s parcels."),
                                  n=MAX_ROWS)
        rows.append(StatementRow(i, tracking.upper(), amounts.get("cod"), amounts.get("fee"),
                                 amounts.get("paid")))
    if errors:
        raise ValidationErrors(errors)
    if not rows:
        raise ValidationError("file", N_("The statement file lists no parcel."))
    return rows


@use_case
def import_statement(session: Session, carrier: str, rows: list[StatementRow], *,
                     statement_ref: str | None = None, into: int | None = None
                     ) -> tuple[CodReconciliation | None, ImportReport]:
    """Match the file's rows by tracking number and put the matched parcels into a draft
    statement (a new one, or ``into``); returns it (None when nothing matched) and the report."""
    if carrier not in CARRIER_NAMES:
        raise ValidationError("carrier", N_("Choose the carrier whose statement this is."))
    rec = None
    if into is not None:
        rec = cod.statement_with_lines(session, into)
        if rec.status != ReconciliationStatus.DRAFT:
            raise InvalidTransition("change", rec.status.value, record="statement")
        carrier = rec.carrier.value
    report = ImportReport()
    codes = {r.tracking for r in rows}
    found = {s.tracking_number.upper(): s for s in session.scalars(
        sa.select(Shipment).where(sa.func.upper(Shipment.tracking_number).in_(codes)))}
    placed = dict(session.execute(
        sa.select(CodReconciliationLine.shipment_id, CodReconciliation.number)
        .join(CodReconciliation).where(CodReconciliationLine.shipment_id.in_(
            [s.id for s in found.values()]))).all())
    eligible = {s.id for s in session.scalars(cod.eligible(session, carrier).where(
        Shipment.id.in_([s.id for s in found.values()])))}
    seen: set[str] = set()
    take: list[tuple[Shipment, StatementRow]] = []
    for row in rows:
        item = {"tracking": row.tracking, "line": row.line}
        shipment = found.get(row.tracking)
        if row.tracking in seen:
            report.repeated.append(item)
        elif shipment is None:
            report.unknown.append(item)
        elif shipment.carrier.value != carrier:
            report.other_carrier.append({**item, "carrier": CARRIER_NAMES[shipment.carrier.value]})
        elif shipment.id in placed:
            report.elsewhere.append({**item, "statement": placed[shipment.id]})
        elif shipment.id not in eligible:
            state = "reconciled" if shipment.cod_reconciled else (
                shipment.status.value if shipment.cod_amount else "not COD")
            report.not_eligible.append({**item, "state": state})
        else:
            take.append((shipment, row))
        seen.add(row.tracking)
    if not take:
        return rec, report
    if rec is None:
        rec = CodReconciliation(carrier=Carrier(carrier), statement_ref=statement_ref,
                                status=ReconciliationStatus.DRAFT)
        session.add(rec)
    for shipment, row in take:
        fee = row.fee if row.fee is not None else cod.expected_fee(shipment)
        paid = row.paid if row.paid is not None else max(0, (row.cod or 0) - fee)
        line = cod.add_line(rec, shipment, cod_received=paid, fee=fee)
        collected_differs = row.cod is not None and row.cod != int(shipment.cod_amount)
        report.matched.append({
            "tracking": row.tracking, "line": row.line, "order": shipment.order.number,
            "expected": int(shipment.cod_amount), "cod": row.cod, "paid": paid, "fee": fee,
            "difference": int(line.difference), "differs": bool(collected_differs or line.difference)})
    cod.totals(rec)
    rec.import_report = report.as_dict()
    if statement_ref and not rec.statement_ref:
        rec.statement_ref = statement_ref
    return rec, report
