"""Documents as PDF: a Jinja template under web/templates/pdf/, laid out by WeasyPrint.

WeasyPrint finds the CJK font through fontconfig (Debian's fonts-noto-cjk,
installed by ``make``) and embeds the subset it uses, so the file reads the
same on a phone that has no Chinese fonts.  The template's stylesheet is
web/templates/pdf/document.css, inlined by base.html, never fetched.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment
from litestar import Request, Response

from service.web.pages import NO_STORE, make_environment

PDF_MEDIA_TYPE = "application/pdf"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return make_environment()


def render_pdf(request: Request, template: str, **context: Any) -> bytes:
    """The template rendered in the request's language, as PDF bytes."""
    from weasyprint import HTML  # imported on first use: it loads Pango, which pages never need

    ctx = request.state.ctx
    html = _environment().get_template(template).render(ctx=ctx, _=ctx.translate, **context)
    return HTML(string=html).write_pdf()


def pdf_download(content: bytes, filename: str) -> Response:
    """A PDF as a download (``filename`` is ASCII, chosen by the code)."""
    return Response(
        content=content,
        media_type=PDF_MEDIA_TYPE,
        headers={"content-disposition": f'attachment; filename="{filename}"', **NO_STORE},
    )
