"""Reading and writing single-sheet .xlsx workbooks (openpyxl).

Only what every import needs: refuse what is not an .xlsx file with a clear
message, map the header row to field names, and hand back rows with their
sheet row numbers so errors can point at them.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException

from service.errors import N_, DomainError

MAX_ROWS = 50_000
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class SheetRow:
    number: int  # as Excel shows it: the header is row 1
    values: dict[str, object]


def read_rows(
    data: bytes, headers: Mapping[str, str], names: Mapping[str, str], optional: frozenset[str] = frozenset()
) -> list[SheetRow]:
    """Rows of the first sheet as {field: value}; ``headers`` maps every
    accepted header text (in any language) to its field, ``names`` gives each
    field's header in the reader's language for messages.  Fields in
    ``optional`` may be missing from the sheet (older exports lack them)."""
    if data[:2] == b"\xd0\xcf":  # the OLE2 signature of .xls (Excel 97-2003)
        raise DomainError(N_("This is an old .xls file. Save it as .xlsx in Excel and upload again."), field="file")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise DomainError(N_("This file is not an Excel workbook (.xlsx)."), field="file") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header_row = next(rows, None)
        if header_row is None:
            raise DomainError(N_("The sheet is empty."), field="file")
        columns: dict[int, str] = {}
        for position, text in enumerate(header_row):
            field = headers.get(str(text).strip()) if text is not None else None
            if field:
                columns[position] = field
        missing = sorted(set(headers.values()) - set(columns.values()) - optional)
        if missing:
            raise DomainError(
                N_("The header row lacks columns: {columns}."),
                field="file",
                columns="、".join(names.get(f, f) for f in missing),
            )
        result: list[SheetRow] = []
        for number, row in enumerate(rows, start=2):
            if all(v is None or str(v).strip() == "" for v in row):
                continue
            if len(result) >= MAX_ROWS:
                raise DomainError(N_("A sheet may have at most {count} rows."), field="file", count=MAX_ROWS)
            result.append(SheetRow(number, {f: row[p] if p < len(row) else None for p, f in columns.items()}))
        return result
    finally:
        workbook.close()


def write_rows(title: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A workbook with a bold, frozen header row and text cells kept as text.

    Every string is stored as a string cell: openpyxl would store one beginning with "=" as a formula
    (and "#N/A" as an error), so a name a user typed, like =HYPERLINK(...), would run in whoever opens
    the export.  Typed as text, "=", "+", "-" and "@" at the start are shown as typed and Excel
    evaluates nothing; numbers (Decimal, int) stay numbers."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E8EEF7")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(40, max(10, width * 2))
        for cell in column[1:]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                cell.number_format = "@"  # text: an ID number must not become a float
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
