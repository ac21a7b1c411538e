"""Building .xlsx files in tests, the way a clerk would fill them in."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook

from service.workforce.identity import make_national_id
from tests.support.web import csrf_from

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

HEADERS_ZH = ["姓名", "身份证号", "联系电话", "学历", "入职日期", "状态", "岗位条线", "派驻单位", "所属单位", "职级"]
# The export adds the optional columns; sheets without them still import.
EXPORT_HEADERS_ZH = [*HEADERS_ZH, "城市", "社保登记日期"]


def workbook(rows: Sequence[Sequence[object]], headers: Sequence[str] = HEADERS_ZH) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SHEET_BUREAU, SHEET_UNIT = "成都市武侯区城市管理和综合行政执法局", "玉林街道中队"


def row(n: int, **changes: object) -> list[object]:
    """A valid roster row; ``changes`` replace columns by header."""
    values = dict(
        zip(
            HEADERS_ZH,
            [
                f"李{'一二三四五六七八九十'[n % 10]}",
                make_national_id("510107", date(1985, 5, 1 + n % 28), n % 100, "female"),
                f"1380000{n:04d}",
                "大专",
                "2021-07-01",
                "在岗",
                "扬尘管控",
                SHEET_BUREAU,
                SHEET_UNIT,
                4,
            ],
        )
    )
    values.update(changes)
    return [values[h] for h in HEADERS_ZH]


def upload(client, slug: str, content: bytes, filename: str = "花名册.xlsx", media: str = XLSX):
    token = csrf_from(client.get(f"/t/{slug}/workers/import").text)
    return client.post(
        f"/t/{slug}/workers/import",
        data={"_csrf": token},
        files={"file": (filename, content, media)},
    )
