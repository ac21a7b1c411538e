"""Errors as pages a person can read (or JSON for the API), never a stack trace."""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DataError

from service.errors import N_, NotFound
from service.web.access import CsrfRefused, ReadOnly
from service.web.forms import upload_limit_mb
from service.web.pages import page, see_other

log = logging.getLogger("paiqian.web")

MESSAGES = {
    400: N_("The request could not be understood. Check what you entered and try again."),
    401: N_("Please sign in first."),
    403: N_("You do not have permission to do this."),
    404: N_("This page does not exist, or you cannot see it."),
    405: N_("This action is not available here."),
    413: N_("The upload is too large. Files may be at most {limit} MB."),
    429: N_("Too many requests. Wait a moment and try again."),
    500: N_("Something went wrong on our side. The error has been logged with reference {request_id}."),
}


def _wants_json(request: Request) -> bool:
    return "/api/" in request.url.path or "application/json" in request.headers.get("accept", "")


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    ctx = getattr(request.state, "ctx", None)
    if ctx is None:  # failed before the context existed: plain text is all we can say
        return Response(content=f"{status}", status_code=status, media_type="text/plain")
    limit = upload_limit_mb(request)
    text = message or ctx.translate(MESSAGES.get(status, MESSAGES[400]), limit=limit, request_id=ctx.request_id)
    if _wants_json(request):
        return Response(content={"error": text, "status": status}, status_code=status)
    principal = ctx.principal
    template = "portal/error.html" if principal is not None and principal.kind == "assistant" else "error.html"
    if principal is not None and principal.kind == "reviewer":
        template = "reviewer/error.html"  # the bureau reviewers' portal has its own layout
    return page(request, template, status=status, status_code=status, message=text)


def on_http_exception(request: Request, exc: HTTPException) -> Response:
    if isinstance(exc, NotAuthorizedException) and not _wants_json(request):
        ctx = request.state.ctx
        if ctx.tenant is not None and (request.url.path + "/").startswith(ctx.tenant_path("/my/")):
            return see_other(ctx.tenant_path("/my/login"))  # the assistants' portal has its own sign-in
        if ctx.tenant is not None and (request.url.path + "/").startswith(ctx.tenant_path("/review/")):
            # the bureau reviewers' portal signs in through the bureau's identity provider
            return see_other(ctx.tenant_path("/review/login") + "?next=" + quote(request.url.path, safe="/"))
        if ctx.tenant is not None:
            login = ctx.tenant_path("/login") + "?next=" + quote(request.url.path, safe="/")
            return see_other(login)
        if (request.url.path + "/").startswith("/ops/"):  # the operator console has its own sign-in
            return see_other("/ops/login")
    if isinstance(exc, ReadOnly):
        ctx = request.state.ctx
        if ctx.principal is not None and ctx.principal.kind == "support":
            return error_page(request, 403, ctx.translate(N_("Support access is read-only.")))
        message = N_("This company's account is suspended or cancelled: you can read but not change anything.")
        return error_page(request, 403, ctx.translate(message))
    if isinstance(exc, CsrfRefused):
        ctx = request.state.ctx
        return error_page(request, 403, ctx.translate(N_("This form has expired. Reload the page and try again.")))
    status = exc.status_code
    return error_page(request, status if status in MESSAGES else 400)


def on_not_found(request: Request, _exc: NotFound) -> Response:
    return error_page(request, 404)


def on_data_error(request: Request, exc: DataError) -> Response:
    """Data PostgreSQL refuses (a NUL byte in a query string, an id beyond bigint) came from the request:
    a 400, not a 500. Forms check their fields first; this is the net under what no form checks."""
    ctx = getattr(request.state, "ctx", None)
    log.warning("data refused by the database (request %s): %s", getattr(ctx, "request_id", "-"), exc.orig)
    return error_page(request, 400)


def on_unexpected(request: Request, exc: Exception) -> Response:
    ctx = getattr(request.state, "ctx", None)
    log.exception("unhandled error (request %s)", getattr(ctx, "request_id", "-"), exc_info=exc)
    return error_page(request, HTTP_500_INTERNAL_SERVER_ERROR)
