"""A refused form comes back with its errors: one exception handler instead of a try block per handler.

A handler parses its input and calls one action; when a rule refuses the input it raises
``service.errors.Refused`` (a ``DomainError``, an ``InputErrors`` or an import's row errors).  The request's
transaction has then been rolled back, so nothing was written.  The handler declares in its options how its
form is shown again::

    @post("/", opt=allow(*EDITORS) | shown_again_by(_add_form))

and ``on_refused`` calls that renderer in a fresh transaction with what was submitted and the translated
errors, answering 400.  A handler that declares no renderer gets the error page with the message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from service.errors import DomainError, InputErrors, Refused
from service.web.context import RequestContext
from service.web.errors import error_page
from service.web.forms import field_text, translated_errors
from tenants.isolation import TenantSession, control_session, tenant_session

OPTION = "shown_again_by"


@dataclass(frozen=True)
class RefusedForm:
    """What was submitted and why it was refused, for the page that shows the form again."""

    error: Refused
    form: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # translated, by field ("" for the form as a whole)

    def text(self, name: str) -> str:
        return field_text(self.form, name)

    def values(self, names: list[str] | tuple[str, ...]) -> dict[str, str]:
        return {name: self.text(name) for name in names}

    @property
    def message(self) -> str:
        """Every error in one line, for a page that shows them together rather than beside their fields."""
        return "；".join(dict.fromkeys(self.errors.values()))


FormRenderer = Callable[[Request, RequestContext, TenantSession, RefusedForm], Response]


def shown_again_by(render: FormRenderer) -> dict[str, FormRenderer]:
    """Route options naming how the handler's form is shown again when its input is refused."""
    return {OPTION: render}


def field_errors(error: Refused, ctx: RequestContext) -> dict[str, str]:
    if isinstance(error, InputErrors):
        return translated_errors(error.errors, ctx.translate)
    if isinstance(error, DomainError):
        return translated_errors([error], ctx.translate)
    return {}


def _submitted(request: Request) -> dict[str, Any]:
    form = value_or_default(ScopeState.from_scope(request.scope).form, {})
    return dict(form) if isinstance(form, dict) else {}


class _ShownAgain(Response):
    """The form page rendered when the response is sent, in a worker thread: Litestar's exception
    handlers are synchronous, and the page needs the database, which must not block the event loop."""

    def __init__(self, show_again: Callable[[], Response]) -> None:
        super().__init__(content=None, status_code=400)
        self._show_again = show_again

    def to_asgi_response(self, app: Any, request: Request, **kwargs: Any) -> ASGIApp:  # type: ignore[override]
        async def respond(scope: Scope, receive: Receive, send: Send) -> None:
            response = await anyio.to_thread.run_sync(self._show_again)
            response.status_code = 400
            await response.to_asgi_response(app, request, **kwargs)(scope, receive, send)

        return respond


def on_refused(request: Request, exc: Refused) -> Response:
    ctx: RequestContext = request.state.ctx
    render: FormRenderer | None = request.route_handler.opt.get(OPTION)
    refused = RefusedForm(error=exc, form=_submitted(request), errors=field_errors(exc, ctx))
    if render is None:
        return error_page(request, 400, refused.message or None)

    def show_again() -> Response:
        opened = tenant_session(ctx.tenant.id) if ctx.tenant is not None else control_session()
        with opened as db:
            return render(request, ctx, db, refused)

    return _ShownAgain(show_again)
