"""Pages outside any tenant: the front door and the language switch."""

from __future__ import annotations

import re

from litestar import Request, Response, get, post

from service.i18n import LOCALES
from service.web.access import PUBLIC
from service.web.cookies import set_cookie
from service.web.forms import FormData, field_text
from service.web.middleware import LANG_COOKIE
from service.web.pages import page, see_other

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]")


@get("/", opt=PUBLIC, sync_to_thread=False, include_in_schema=False)
def front_door(request: Request) -> Response:
    """Ask for the company code and go to that tenant's sign-in page."""
    company = request.query_params.get("company", "").strip().lower()
    if _SLUG.fullmatch(company):
        return see_other(f"/t/{company}/login")
    return page(request, "front_door.html", company=company[:40])


@post("/lang", opt=PUBLIC, sync_to_thread=False, include_in_schema=False)
def switch_language(request: Request, data: FormData) -> Response:
    lang = field_text(data, "lang")
    target = field_text(data, "next")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = see_other(target)
    if lang in LOCALES:
        set_cookie(response, request.app.state.settings, LANG_COOKIE, lang, 365 * 24 * 3600)
    return response
