"""A paying bank's 代发工资 file layout, and the file it makes of a run's payments (pure: no database).

A layout says which columns the file has and in what order (each carries one
``Content``: the account number, the holder's name, the amount...), their
header texts, the file type (xlsx, csv, delimited txt or fixed-width txt),
the text encoding a bank's system reads (UTF-8, GBK, GB18030), how amounts
are written (1234.50, 1,234.50, or in fen: 123450) and an optional summary
row (count and total) at the top or the bottom.

``render`` never loses or changes a figure silently: a value too wide for a
fixed-width column, or a name the encoding cannot write, refuses the whole
file naming the worker (a truncated account number would pay a stranger).
Every cell is written as text, so a bank reads exactly the digits shown and
Excel never turns an ID or account number into a float.  A text cell that
starts like a formula (``=``, ``+``, ``-``, ``@``) must not run as one when a
clerk opens the file: in xlsx it is stored as a string cell; in csv and txt
it gets a leading apostrophe, the usual defence (OWASP "CSV injection").

The shipped layouts (``SHIPPED``) say how far each was checked against what
its bank publishes; the layout page shows that sentence beside each.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import Enum

import xlsxwriter

from service.errors import N_, DomainError


class Content(str, Enum):
    """What a column carries."""

    SEQUENCE = "sequence"  # 1, 2, 3...
    ACCOUNT_NAME = "account_name"  # 户名: the name on the account, which the bank compares with its records
    WORKER_NAME = "worker_name"
    ACCOUNT_NUMBER = "account_number"
    AMOUNT = "amount"
    ID_TYPE = "id_type"  # always 居民身份证: the roster keeps resident ID cards only
    ID_NUMBER = "id_number"
    BANK = "bank"
    BRANCH = "branch"
    BANK_AND_BRANCH = "bank_and_branch"  # "XX银行XX支行" in one cell, as some templates ask
    CURRENCY = "currency"  # 人民币
    PURPOSE = "purpose"  # 用途/备注: "2026年03月工资"


CONTENT_LABELS = {
    Content.SEQUENCE: N_("Sequence number"),
    Content.ACCOUNT_NAME: N_("Account holder's name"),
    Content.WORKER_NAME: N_("Worker's name"),
    Content.ACCOUNT_NUMBER: N_("Account number"),
    Content.AMOUNT: N_("Amount"),
    Content.ID_TYPE: N_("ID type"),
    Content.ID_NUMBER: N_("ID number"),
    Content.BANK: N_("Bank"),
    Content.BRANCH: N_("Branch"),
    Content.BANK_AND_BRANCH: N_("Bank and branch"),
    Content.CURRENCY: N_("Currency"),
    Content.PURPOSE: N_("Purpose"),
}
# A file a bank can pay from needs at least these.
REQUIRED = (Content.ACCOUNT_NUMBER, Content.ACCOUNT_NAME, Content.AMOUNT)
# Right-aligned in a fixed-width file (numbers); everything else is left-aligned.
NUMERIC = frozenset({Content.SEQUENCE, Content.AMOUNT})
ID_TYPE_TEXT = "居民身份证"
CURRENCY_TEXT = "人民币"


class FileType(str, Enum):
    XLSX = "xlsx"
    CSV = "csv"  # comma-separated, quoted as RFC 4180 says
    TXT = "txt"  # separated by the layout's delimiter
    FIXED = "fixed"  # .txt, each column padded to its width in bytes of the encoding


class TextEncoding(str, Enum):
    UTF8 = "utf-8"
    GBK = "gbk"
    GB18030 = "gb18030"


class AmountFormat(str, Enum):
    PLAIN = "plain"  # 1234.50
    GROUPED = "grouped"  # 1,234.50
    FEN = "fen"  # 123450


class Summary(str, Enum):
    NONE = "none"
    TOP = "top"
    BOTTOM = "bottom"


FILE_TYPE_LABELS = {
    FileType.XLSX: N_("Excel workbook (.xlsx)"),
    FileType.CSV: N_("CSV, comma-separated (.csv)"),
    FileType.TXT: N_("Text with a delimiter (.txt)"),
    FileType.FIXED: N_("Text in fixed-width columns (.txt)"),
}
ENCODING_LABELS = {
    TextEncoding.UTF8: N_("UTF-8"),
    TextEncoding.GBK: N_("GBK"),
    TextEncoding.GB18030: N_("GB18030"),
}
AMOUNT_FORMAT_LABELS = {
    AmountFormat.PLAIN: N_("1234.50 (yuan, two decimals)"),
    AmountFormat.GROUPED: N_("1,234.50 (yuan, thousands separated)"),
    AmountFormat.FEN: N_("123450 (in fen, no decimal point)"),
}
SUMMARY_LABELS = {
    Summary.NONE: N_("No summary row"),
    Summary.TOP: N_("Count and total on the first line"),
    Summary.BOTTOM: N_("Count and total on the last line"),
}
DELIMITERS = {",": N_("Comma ,"), "|": N_("Vertical bar |"), "\t": N_("Tab"), ";": N_("Semicolon ;")}
SUMMARY_COUNT, SUMMARY_TOTAL = "总笔数", "总金额"
# A fixed-width summary line: the count and the total right-aligned in these widths, no labels.
SUMMARY_WIDTHS = (10, 20)
MAX_COLUMNS = 12
HEADER_MAX = 30
WIDTH_MAX = 200
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    content: Content
    header: str
    width: int | None = None  # bytes, fixed-width files only


@dataclass(frozen=True)
class Layout:
    base: str  # the shipped layout it started from (``SHIPPED`` key)
    file_type: FileType
    encoding: TextEncoding
    amount_format: AmountFormat
    summary: Summary
    header_row: bool
    columns: tuple[Column, ...]
    delimiter: str = ","  # TXT only (CSV is always a comma)

    @property
    def extension(self) -> str:
        return {FileType.XLSX: "xlsx", FileType.CSV: "csv"}.get(self.file_type, "txt")

    @property
    def media_type(self) -> str:
        if self.file_type is FileType.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        kind = "text/csv" if self.file_type is FileType.CSV else "text/plain"
        return f"{kind}; charset={self.encoding.value}"

    def carries(self, content: Content) -> bool:
        return any(c.content is content for c in self.columns)

    def to_json(self) -> dict:
        return {
            "base": self.base,
            "file_type": self.file_type.value,
            "encoding": self.encoding.value,
            "amount_format": self.amount_format.value,
            "summary": self.summary.value,
            "header_row": self.header_row,
            "delimiter": self.delimiter,
            "columns": [{"content": c.content.value, "header": c.header, "width": c.width} for c in self.columns],
        }

    @classmethod
    def from_json(cls, data: dict) -> Layout:
        return cls(
            base=data["base"],
            file_type=FileType(data["file_type"]),
            encoding=TextEncoding(data["encoding"]),
            amount_format=AmountFormat(data["amount_format"]),
            summary=Summary(data["summary"]),
            header_row=bool(data["header_row"]),
            delimiter=data.get("delimiter") or ",",
            columns=tuple(Column(Content(c["content"]), c["header"], c.get("width")) for c in data["columns"]),
        )


def check_layout(layout: Layout) -> list[DomainError]:
    """Every problem of a layout a clerk put together (empty: it can make files)."""
    problems: list[DomainError] = []
    contents = [c.content for c in layout.columns]
    if not layout.columns:
        problems.append(DomainError(N_("Choose the file's columns."), field="columns"))
    if len(layout.columns) > MAX_COLUMNS:
        problems.append(DomainError(N_("A layout has at most {count} columns."), field="columns", count=MAX_COLUMNS))
    if any(c not in contents for c in REQUIRED):
        problems.append(
            DomainError(N_("A bank needs the account number, the holder's name and the amount in the file."), field="columns")
        )
    if len(set(contents)) < len(contents):
        problems.append(DomainError(N_("Each column may appear only once."), field="columns"))
    for position, column in enumerate(layout.columns, start=1):
        if len(column.header) > HEADER_MAX or any(ch in column.header for ch in "\r\n"):
            problems.append(
                DomainError(
                    N_("Header {position}: at most {count} characters on one line."),
                    field="columns",
                    position=position,
                    count=HEADER_MAX,
                )
            )
        if layout.file_type is FileType.FIXED and not (column.width and 1 <= column.width <= WIDTH_MAX):
            problems.append(
                DomainError(
                    N_("Column {position}: a fixed-width file needs a width from 1 to {most}."),
                    field="columns",
                    position=position,
                    most=WIDTH_MAX,
                )
            )
    if layout.file_type is FileType.TXT and layout.delimiter not in DELIMITERS:
        problems.append(DomainError(N_("Choose the delimiter."), field="delimiter"))
    if layout.amount_format is AmountFormat.GROUPED and layout.file_type is FileType.TXT and layout.delimiter == ",":
        problems.append(
            DomainError(N_("Amounts with thousands separators cannot be separated by commas."), field="amount_format")
        )
    return problems


@dataclass(frozen=True)
class PaymentLine:
    """One payment as the file writes it (numbers in full: only roles that may see them get a file)."""

    worker_id: int
    worker_name: str
    account_name: str
    account_number: str
    bank: str
    branch: str
    id_number: str
    amount: Decimal
    purpose: str


def format_amount(amount: Decimal, fmt: AmountFormat) -> str:
    """The amount as the layout writes it; exact (the amounts are whole fen already)."""
    fen = amount.quantize(Decimal("0.01"))
    if fen != amount:
        raise ValueError(f"{amount} is not a whole number of fen")
    if fmt is AmountFormat.FEN:
        return str(int(fen * 100))
    if fmt is AmountFormat.GROUPED:
        return f"{fen:,.2f}"
    return f"{fen:.2f}"


def _value(line: PaymentLine, sequence: int, content: Content, layout: Layout) -> str:
    return {
        Content.SEQUENCE: str(sequence),
        Content.ACCOUNT_NAME: line.account_name,
        Content.WORKER_NAME: line.worker_name,
        Content.ACCOUNT_NUMBER: line.account_number,
        Content.AMOUNT: format_amount(line.amount, layout.amount_format),
        Content.ID_TYPE: ID_TYPE_TEXT,
        Content.ID_NUMBER: line.id_number,
        Content.BANK: line.bank,
        Content.BRANCH: line.branch,
        Content.BANK_AND_BRANCH: f"{line.bank}{line.branch}",
        Content.CURRENCY: CURRENCY_TEXT,
        Content.PURPOSE: line.purpose,
    }[content]


def _defused(text: str) -> str:
    """A text cell a spreadsheet would read as a formula, made plain text (csv and txt)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _fixed(text: str, width: int, numeric: bool, encoding: TextEncoding) -> bytes | None:
    """The value padded to ``width`` bytes; None when it does not fit (never cut)."""
    data = text.encode(encoding.value)
    if len(data) > width:
        return None
    pad = b" " * (width - len(data))
    return pad + data if numeric else data + pad


def render(layout: Layout, lines: Sequence[PaymentLine]) -> bytes:
    """The file's bytes: the header row (if any), one line per payment, the summary row (if any).

    Refuses (``DomainError``, field ``payment_file``) a value the encoding cannot
    write or that is wider than its fixed-width column, naming the workers."""
    total = sum((line.amount for line in lines), Decimal("0.00"))
    summary = [SUMMARY_COUNT, str(len(lines)), SUMMARY_TOTAL, format_amount(total, layout.amount_format)]
    header = [c.header for c in layout.columns]
    body = [[_value(line, n, c.content, layout) for c in layout.columns] for n, line in enumerate(lines, start=1)]
    if layout.file_type is not FileType.XLSX:
        _refuse_unwritable(layout, lines, body, header)
    if layout.file_type is FileType.XLSX:
        return _xlsx(layout, header, body, summary)
    if layout.file_type is FileType.FIXED:
        return _fixed_width(layout, lines, header, body, len(lines), total)
    return _delimited(layout, header, body, summary)


def _refuse_unwritable(layout: Layout, lines: Sequence[PaymentLine], body: list[list[str]], header: list[str]) -> None:
    names = []
    for line, row in zip(lines, body):
        try:
            "".join(row).encode(layout.encoding.value)
        except UnicodeEncodeError:
            names.append(line.worker_name)
    if names:
        raise DomainError(
            N_("The encoding {encoding} cannot write some characters of: {names}. Choose GB18030 or UTF-8 in the layout."),
            field="payment_file",
            encoding=layout.encoding.value.upper(),
            names="、".join(names),
        )
    try:
        "".join(header).encode(layout.encoding.value)
    except UnicodeEncodeError:
        raise DomainError(
            N_("The encoding {encoding} cannot write the layout's headers."),
            field="payment_file",
            encoding=layout.encoding.value.upper(),
        ) from None


def _xlsx(layout: Layout, header: list[str], body: list[list[str]], summary: list[str]) -> bytes:
    # XlsxWriter, not openpyxl (which reads and writes the app's other sheets): it only writes, streaming,
    # and writes a 10,000-line file in a third of openpyxl's time (the pay-day bench).  Every value is
    # written as a string, never read as a number, formula or link, in text-formatted columns.
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(buffer, options)
    sheet = workbook.add_worksheet("代发工资")
    text = workbook.add_format({"num_format": "@"})
    for c, column in enumerate(layout.columns):
        width = max([len(column.header), *(len(row[c]) for row in body)])
        sheet.set_column(c, c, min(40, max(10, width * 1.5)), text)
    rows = ([header] if layout.header_row else []) + body
    if layout.summary is Summary.TOP:
        rows.insert(0, summary)
    elif layout.summary is Summary.BOTTOM:
        rows.append(summary)
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            sheet.write_string(r, c, value, text)
    workbook.close()
    return buffer.getvalue()


def _delimited(layout: Layout, header: list[str], body: list[list[str]], summary: list[str]) -> bytes:
    out = io.StringIO()
    delimiter = "," if layout.file_type is FileType.CSV else layout.delimiter
    # Quote only where needed (a delimiter, a quote or a line break in a value): a bank's parser reads bare values.
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    rows = ([header] if layout.header_row else []) + [[_defused(v) for v in row] for row in body]
    if layout.summary is Summary.TOP:
        rows.insert(0, summary)
    elif layout.summary is Summary.BOTTOM:
        rows.append(summary)
    writer.writerows(rows)
    return out.getvalue().encode(layout.encoding.value)


def _fixed_width(
    layout: Layout, lines: Sequence[PaymentLine], header: list[str], body: list[list[str]], count: int, total: Decimal
) -> bytes:
    widths = [c.width or 0 for c in layout.columns]
    numeric = [c.content in NUMERIC for c in layout.columns]
    out: list[bytes] = []
    if layout.header_row:
        cells = [_fixed(h, w, False, layout.encoding) for h, w in zip(header, widths)]
        if any(cell is None for cell in cells):
            raise DomainError(
                N_("A header is wider than its column: widen the column or shorten the header."), field="payment_file"
            )
        out.append(b"".join(cell for cell in cells if cell is not None))
    too_wide: list[str] = []
    for line, row in zip(lines, body):
        cells = [_fixed(_defused(v), w, n, layout.encoding) for v, w, n in zip(row, widths, numeric)]
        if any(cell is None for cell in cells):
            too_wide.append(line.worker_name)
            continue
        out.append(b"".join(cell for cell in cells if cell is not None))
    if too_wide:
        raise DomainError(
            N_("Values of these workers are wider than their fixed-width columns: {names}. Widen the columns in the layout."),
            field="payment_file",
            names="、".join(too_wide),
        )
    figures = [str(count), format_amount(total, layout.amount_format)]
    summary = [_fixed(v, w, True, layout.encoding) for v, w in zip(figures, SUMMARY_WIDTHS)]
    if any(cell is None for cell in summary):
        raise DomainError(N_("The file's total is too large for its summary line."), field="payment_file")
    summary_line = b"".join(cell for cell in summary if cell is not None)
    if layout.summary is Summary.TOP:
        out.insert(0, summary_line)
    elif layout.summary is Summary.BOTTOM:
        out.append(summary_line)
    return b"".join(line + b"\r\n" for line in out)


@dataclass(frozen=True)
class Shipped:
    key: str
    label: str  # msgid
    layout: Layout
    checked: str  # msgid: how far it was checked against what the bank publishes
    source: str | None = None  # the page it was checked against


def _xlsx_layout(key: str, *columns: tuple[Content, str]) -> Layout:
    return Layout(
        base=key,
        file_type=FileType.XLSX,
        encoding=TextEncoding.UTF8,
        amount_format=AmountFormat.PLAIN,
        summary=Summary.NONE,
        header_row=True,
        columns=tuple(Column(content, header) for content, header in columns),
    )


GENERIC = _xlsx_layout(
    "generic",
    (Content.SEQUENCE, "序号"),
    (Content.ACCOUNT_NAME, "户名"),
    (Content.ACCOUNT_NUMBER, "账号"),
    (Content.AMOUNT, "金额"),
    (Content.ID_TYPE, "证件类型"),
    (Content.ID_NUMBER, "证件号码"),
    (Content.BANK, "开户行"),
    (Content.BRANCH, "开户网点"),
    (Content.PURPOSE, "用途"),
)
_MODELLED = N_(
    "Not checked against a published template (none was found): modelled on the generic 代发工资 layout. "
    "Compare it with the template your bank gives you and adjust the columns before the first payment."
)
SHIPPED: dict[str, Shipped] = {
    s.key: s
    for s in (
        Shipped(
            "generic",
            N_("Generic 代发工资 layout"),
            GENERIC,
            N_("The columns most 代发工资 templates share; no bank's template in particular."),
        ),
        Shipped(
            "cmb",
            N_("China Merchants Bank (招商银行)"),
            _xlsx_layout(
                "cmb",
                (Content.ACCOUNT_NUMBER, "账号"),
                (Content.ACCOUNT_NAME, "户名"),
                (Content.AMOUNT, "金额"),
                (Content.BANK_AND_BRANCH, "开户行"),
            ),
            N_(
                "Checked against the bank's published instructions for its 代发 Excel template (not the template file "
                "itself): account number as text, holder's name, amount with two decimals and no thousands separator, "
                "no total row; for another bank's account, its bank and branch (the 开户地区 column it also asks for "
                "is not recorded here)."
            ),
            "http://market.cmbchina.com/personal/qyMobile/qyMobile/qywysc/ywcz/341dfdkjb.html",
        ),
        Shipped(
            "icbc",
            N_("Industrial and Commercial Bank of China (工商银行)"),
            _xlsx_layout(
                "icbc",
                (Content.ACCOUNT_NUMBER, "账号"),
                (Content.ACCOUNT_NAME, "户名"),
                (Content.AMOUNT, "金额"),
                (Content.PURPOSE, "备注"),
            ),
            N_(
                "Not checked against a published template: the bank's help page says its 企业网银 offers templates "
                "3.0, 2.0, 1.0 and 1.1 without listing their columns. Modelled on the generic layout with the columns "
                "guides describe (account, name, amount, an optional remark)."
            ),
        ),
        Shipped("ccb", N_("China Construction Bank (建设银行)"), replace(GENERIC, base="ccb"), _MODELLED),
        Shipped("abc", N_("Agricultural Bank of China (农业银行)"), replace(GENERIC, base="abc"), _MODELLED),
    )
}
