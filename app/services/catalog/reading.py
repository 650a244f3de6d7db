"""Reading a catalogue file: CSV (UTF-8, comma, with or without a BOM) or XLSX (its first sheet),
into a header and rows numbered as a spreadsheet shows them (the header is line 1).

The type is told by the content (an XLSX file is a ZIP archive), not by the name alone. Anything
that is not a readable table is refused with a line and a reason, never an exception.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from app.services.catalog.columns import COLUMNS, REQUIRED
from app.services.catalog.problems import Problems
from app.services.errors import N_

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass
class Upload:
    """A file as it arrived: its name (for the type and messages) and its bytes."""

    filename: str
    data: bytes


@dataclass
class Table:
    columns: list[str]                    # the header's names, as written
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, {column: cell})

    def __len__(self) -> int:
        return len(self.rows)


def read_upload(upload: Upload) -> Table:
    """The file's table; raises ``CatalogueRejected`` when it cannot be read or its header is wrong."""
    problems = Problems()
    data = upload.data or b""
    name = (upload.filename or "").lower()
    if not data.strip():
        problems.add(1, None, N_("The file is empty."))
    elif len(data) > MAX_BYTES:
        problems.add(1, None, N_("The file is larger than %(limit)s MB: split it into several "
                                 "files."), limit=MAX_BYTES // (1024 * 1024))
    elif data.startswith(_OLE) or name.endswith(".xls"):
        problems.add(1, None, N_("This is an old Excel (.xls) file: save it as .xlsx or as CSV "
                                 "UTF-8 and import that."))
    elif data.startswith(_ZIP):
        raw = _xlsx_rows(data, problems)
    elif name.endswith(".xlsx"):
        problems.add(1, None, N_("The file is named .xlsx but is not an Excel workbook."))
    else:
        raw = _csv_rows(data, problems)
    problems.raise_if_any()
    table = _table(raw, problems)
    problems.raise_if_any()
    return table


def _csv_rows(data: bytes, problems: Problems) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problems.add(line, None, N_("The file is not UTF-8 text (line %(line)s): save it as "
                                    "\"CSV UTF-8\" and import it again."), line=line)
        return []
    if "\x00" in text:
        problems.add(1, None, N_("The file is not a CSV text file."))
        return []
    try:
        return [row for row in csv.reader(io.StringIO(text, newline=""), strict=True)]
    except csv.Error as exc:
        problems.add(1, None, N_("The CSV file cannot be read: %(reason)s."), reason=str(exc))
        return []


def _xlsx_rows(data: bytes, problems: Problems) -> list[list]:
    from openpyxl import load_workbook
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        problems.add(1, None, N_("The Excel file cannot be read: %(reason)s."),
                     reason=str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__)
        return []
    try:
        sheet = book.worksheets[0]
        rows = []
        for values in sheet.iter_rows(values_only=True):
            rows.append(list(values))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        book.close()


def _blank(cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _table(raw: list[list], problems: Problems) -> Table:
    while raw and all(_blank(c) for c in raw[-1]):
        raw.pop()
    if not raw:
        problems.add(1, None, N_("The file is empty."))
        return Table([])
    if len(raw) - 1 > MAX_ROWS:
        problems.add(1, None, N_("The file has more than %(limit)s rows: split it into several "
                                 "files."), limit=MAX_ROWS)
        return Table([])
    header = [("" if c is None else str(c)).strip() for c in raw[0]]
    keep: list[int] = []
    seen: set[str] = set()
    for index, name in enumerate(header):
        if not name:
            if any(index < len(r) and not _blank(r[index]) for r in raw[1:]):
                problems.add(1, None, N_("Column %(number)s has values but no name in the header."),
                             number=index + 1)
            continue
        if name not in COLUMNS:
            problems.add(1, name, N_("Unknown column \"%(name)s\". The columns are: "
                                     "%(columns)s."), name=name, columns=", ".join(COLUMNS))
        elif name in seen:
            problems.add(1, name, N_("The column \"%(name)s\" appears twice in the header."),
                         name=name)
        else:
            seen.add(name)
            keep.append(index)
    for name in REQUIRED:
        if name not in seen:
            problems.add(1, name, N_("The header has no \"%(name)s\" column; it is required."),
                         name=name)
    table = Table([header[i] for i in keep])
    for line, cells in enumerate(raw[1:], start=2):
        if all(_blank(c) for c in cells):
            continue  # an empty line between blocks of products
        table.rows.append((line, {header[i]: cells[i] if i < len(cells) else None for i in keep}))
    if not table.rows and not problems:
        problems.add(2, None, N_("The file has a header but no rows."))
    return table
