"""Rendering pages: every template gets the request context and the translator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.response import Redirect, Template

from service.excel import XLSX_MEDIA_TYPE
from service.settings import PROJECT_ROOT
from service.web.citations import citation
from service.web.navigation import menu

TEMPLATES_DIR = PROJECT_ROOT / "web" / "templates"

# For a page or file with one person's pay or data (a payslip, an export): no browser or proxy keeps a copy,
# which the next user of a shared office computer could open from its cache or history.
NO_STORE = {"cache-control": "private, no-store"}


# Tenants are Chinese companies: times are shown in China Standard Time.
DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")


def local_time(moment: datetime) -> str:
    return moment.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H:%M:%S")


def yuan(amount: Decimal | None) -> str:
    """An amount in yuan as a Chinese payroll sheet shows it: 1,234,567.80."""
    return "—" if amount is None else f"{amount:,.2f}"


def make_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["local_time"] = local_time
    environment.filters["citation"] = citation
    environment.filters["yuan"] = yuan
    return environment


def page(
    request: Request, template: str, *, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    ctx = request.state.ctx
    nav = menu(ctx, request.url.path, request.app.state.nav_pages)
    return Template(
        template_name=template,
        context={
            "ctx": ctx,
            "_": ctx.translate,
            "path": request.url.path,
            "query": request.query_params,
            "nav": nav,
            **context,
        },
        status_code=status,
        headers=headers,
    )


def xlsx_download(content: bytes, filename: str) -> Response:
    """An .xlsx workbook as a download (``filename`` is ASCII, chosen by the code)."""
    return Response(
        content=content,
        media_type=XLSX_MEDIA_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )


def page_query(request: Request) -> Callable[[int], str]:
    """A function the template calls to link another page of a list with the same filters."""

    def with_page(number: int) -> str:
        params = {k: v for k, v in request.query_params.items() if k != "page"}
        return urlencode({**params, "page": number})

    return with_page


def see_other(location: str) -> Redirect:
    """Redirect after a successful POST (303, so a reload does not resubmit)."""
    return Redirect(path=location, status_code=303)
