"""Rendering a run's payments in a bank's layout: encodings, amount formats, summary rows, fixed width,
CSV quoting, formula injection, and the refusals that keep a file from paying the wrong person."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from service.errors import DomainError
from service.payroll.runs.payments.layouts import (
    GENERIC,
    SHIPPED,
    AmountFormat,
    Column,
    Content,
    FileType,
    Layout,
    PaymentLine,
    Summary,
    TextEncoding,
    check_layout,
    format_amount,
    render,
)
from service.payroll.runs.payments.rules import Payable, file_name, plan, purpose

D = Decimal


def line(name: str = "张三", amount: str = "1234.50", account: str = "6222020200112233445", **kw: str) -> PaymentLine:
    values = {
        "worker_id": 1,
        "worker_name": name,
        "account_name": name,
        "account_number": account,
        "bank": "中国工商银行",
        "branch": "成都春熙路支行",
        "id_number": "510104199001010011",
        "amount": D(amount),
        "purpose": "2026年03月工资",
    }
    values.update(kw)
    return PaymentLine(**values)  # type: ignore[arg-type]


def layout(file_type: FileType = FileType.CSV, **kw) -> Layout:
    columns = kw.pop(
        "columns",
        (Column(Content.ACCOUNT_NUMBER, "账号"), Column(Content.ACCOUNT_NAME, "户名"), Column(Content.AMOUNT, "金额")),
    )
    return Layout(
        base="generic",
        file_type=file_type,
        encoding=kw.pop("encoding", TextEncoding.UTF8),
        amount_format=kw.pop("amount_format", AmountFormat.PLAIN),
        summary=kw.pop("summary", Summary.NONE),
        header_row=kw.pop("header_row", True),
        columns=columns,
        **kw,
    )


def csv_rows(data: bytes, encoding: str = "utf-8", delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


@pytest.mark.parametrize(
    ("fmt", "amount", "shown"),
    [
        (AmountFormat.PLAIN, "1234.5", "1234.50"),
        (AmountFormat.GROUPED, "1234567.05", "1,234,567.05"),
        (AmountFormat.FEN, "1234.50", "123450"),
        (AmountFormat.FEN, "0.07", "7"),
        (AmountFormat.PLAIN, "0.01", "0.01"),
    ],
)
def test_amounts_are_written_exactly_in_each_format(fmt: AmountFormat, amount: str, shown: str) -> None:
    assert format_amount(D(amount), fmt) == shown


def test_an_amount_with_part_of_a_fen_is_a_bug_not_a_rounding() -> None:
    with pytest.raises(ValueError, match="fen"):
        format_amount(D("1.005"), AmountFormat.PLAIN)


@pytest.mark.parametrize("encoding", list(TextEncoding))
def test_each_encoding_writes_the_names_its_bank_reads(encoding: TextEncoding) -> None:
    data = render(layout(encoding=encoding), [line("欧阳娜娜"), line("李四", "88.00", "6217000010001234567")])
    rows = csv_rows(data, encoding.value)
    assert rows == [
        ["账号", "户名", "金额"],
        ["6222020200112233445", "欧阳娜娜", "1234.50"],
        ["6217000010001234567", "李四", "88.00"],
    ]
    assert data.endswith(b"\r\n") and b"\r\n" in data
    if encoding is not TextEncoding.UTF8:
        assert "欧阳娜娜".encode(encoding.value) in data and "欧阳娜娜".encode() not in data


def test_gbk_cannot_write_a_rare_character_and_the_file_names_the_worker() -> None:
    rare = "𠮷乃"  # in GB18030 (and Unicode), not in GBK
    with pytest.raises(DomainError, match="𠮷乃") as refused:
        render(layout(encoding=TextEncoding.GBK), [line("李四"), line(rare)])
    assert "GB18030" in str(refused.value)
    assert rare in render(layout(encoding=TextEncoding.GB18030), [line(rare)]).decode("gb18030")


@pytest.mark.parametrize(("summary", "index"), [(Summary.TOP, 0), (Summary.BOTTOM, -1)])
def test_the_summary_row_counts_and_totals_the_lines(summary: Summary, index: int) -> None:
    lines = [line(amount="1234.50"), line("李四", "0.75", "6217000010001234567")]
    rows = csv_rows(render(layout(summary=summary, amount_format=AmountFormat.FEN), lines))
    assert rows[index] == ["总笔数", "2", "总金额", "123525"]
    assert len(rows) == 4  # header, two lines, the summary
    assert csv_rows(render(layout(summary=Summary.NONE), lines))[-1][0] == "6217000010001234567"


def test_csv_quotes_a_value_holding_the_delimiter_or_a_quote_and_nothing_else() -> None:
    grouped = layout(amount_format=AmountFormat.GROUPED)
    data = render(grouped, [line('王"五', "12345.00", account_name='王"五, 代收')]).decode()
    assert data.splitlines()[1] == '6222020200112233445,"王""五, 代收","12,345.00"'
    assert csv_rows(data.encode())[1] == ["6222020200112233445", '王"五, 代收', "12,345.00"]


def test_a_delimited_text_file_uses_its_delimiter() -> None:
    piped = layout(FileType.TXT, delimiter="|", header_row=False)
    assert render(piped, [line()]).decode() == "6222020200112233445|张三|1234.50\r\n"
    assert check_layout(replace(piped, delimiter="x"))  # an unknown delimiter is refused
    assert check_layout(replace(piped, delimiter=",", amount_format=AmountFormat.GROUPED))  # 1,234.50 would split


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_cell_starting_like_a_formula_never_becomes_one(start: str) -> None:
    evil = f'{start}HYPERLINK("http://x")'
    lines = [line(account_name=evil)]
    sheet = load_workbook(io.BytesIO(render(layout(FileType.XLSX), lines))).worksheets[0]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == evil and cell.data_type == "s"  # kept as written, as text
    assert csv_rows(render(layout(), lines))[1][1] == "'" + evil
    assert csv_rows(render(layout(FileType.TXT, delimiter="|"), lines), delimiter="|")[1][1] == "'" + evil


def test_xlsx_keeps_every_cell_as_text_and_the_summary_row() -> None:
    lines = [line(amount="3000.00"), line("李四", "1500.25", "6217000010001234567")]
    data = render(replace(GENERIC, summary=Summary.BOTTOM), lines)
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert rows[0] == ("序号", "户名", "账号", "金额", "证件类型", "证件号码", "开户行", "开户网点", "用途")
    assert rows[1] == (
        "1",
        "张三",
        "6222020200112233445",
        "3000.00",
        "居民身份证",
        "510104199001010011",
        "中国工商银行",
        "成都春熙路支行",
        "2026年03月工资",
    )
    assert rows[-1][:4] == ("总笔数", "2", "总金额", "4500.25")


def test_fixed_width_pads_in_bytes_of_the_encoding_and_refuses_what_does_not_fit() -> None:
    fixed = layout(
        FileType.FIXED,
        encoding=TextEncoding.GBK,
        amount_format=AmountFormat.FEN,
        header_row=False,
        summary=Summary.BOTTOM,
        columns=(
            Column(Content.ACCOUNT_NUMBER, "账号", 20),
            Column(Content.ACCOUNT_NAME, "户名", 10),
            Column(Content.AMOUNT, "金额", 12),
        ),
    )
    data = render(fixed, [line(), line("李四", "0.75", "6217000010001234567")])
    records = data.split(b"\r\n")[:-1]
    assert all(len(r) in (42, 30) for r in records)
    assert records[0] == b"6222020200112233445 " + "张三".encode("gbk") + b"      " + b"      123450"
    assert records[2] == b"         2" + b"              123525"
    with pytest.raises(DomainError, match="欧阳娜娜娜"):
        render(fixed, [line("欧阳娜娜娜娜")])  # 12 bytes in GBK: wider than 10, never cut
    assert check_layout(replace(fixed, columns=(*fixed.columns[:2], Column(Content.AMOUNT, "金额"))))  # a width is needed


def test_a_layout_needs_the_account_the_name_and_the_amount_once_each() -> None:
    assert check_layout(GENERIC) == []
    assert check_layout(layout(columns=(Column(Content.ACCOUNT_NUMBER, "账号"), Column(Content.AMOUNT, "金额"))))
    doubled = (*layout().columns, Column(Content.AMOUNT, "金额2"))
    assert check_layout(layout(columns=doubled))
    assert check_layout(layout(columns=(*layout().columns[:2], Column(Content.AMOUNT, "金\n额"))))


def test_every_shipped_layout_is_valid_and_says_how_far_it_was_checked() -> None:
    assert {"generic", "icbc", "ccb", "abc", "cmb"} <= set(SHIPPED)
    for key, shipped in SHIPPED.items():
        assert shipped.layout.base == key and check_layout(shipped.layout) == []
        assert shipped.checked
        assert Layout.from_json(shipped.layout.to_json()) == shipped.layout
    assert SHIPPED["cmb"].source and SHIPPED["cmb"].layout.amount_format is AmountFormat.PLAIN
    assert SHIPPED["cmb"].layout.summary is Summary.NONE  # its instructions: no total row


def test_a_correction_pays_positive_differences_and_lists_the_negative_ones() -> None:
    payables = [
        Payable(1, 10, D("5000.00"), D("4800.00")),  # +200 paid
        Payable(2, 11, D("4000.00"), D("4100.50")),  # -100.50 to recover
        Payable(3, 12, D("3000.00"), None),  # no payslip before: all of it
        Payable(4, 13, D("2000.00"), D("2000.00")),  # nothing changed
    ]
    planned = plan(payables, correction=True)
    assert [(p.payslip_id, p.amount) for p in planned.paid] == [(1, D("200.00")), (3, D("3000.00"))]
    assert [(p.payslip_id, p.amount) for p in planned.not_paid] == [(2, D("-100.50"))]
    assert planned.total - planned.not_paid_total == sum(p.net_pay - (p.replaced_net or 0) for p in payables)
    regular = plan([Payable(1, 10, D("5000.00"), None), Payable(2, 11, D("0.00"), None)], correction=False)
    assert [p.amount for p in regular.paid] == [D("5000.00")] and regular.not_paid == []


def test_purpose_and_file_name() -> None:
    assert purpose(date(2026, 3, 1), correction=False) == "2026年03月工资"
    assert purpose(date(2026, 3, 1), correction=True) == "2026年03月工资补发"
    assert file_name(date(2026, 3, 1), 7, date(2026, 4, 10), "csv") == "payment-2026-03-run7-20260410.csv"
