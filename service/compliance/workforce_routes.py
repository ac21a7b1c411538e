"""The client bureaus' workforce page: each bureau's dispatched count, its
recorded direct-contract headcount and the 10% cap warning setting."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get, post

from service import clock
from service.accounts.models import StaffRole
from service.bureaus import client_workforce
from service.bureaus.client_workforce import EDITORS
from service.errors import DomainError
from service.web.access import allow
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other
from tenants.isolation import tenant_session

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK, StaffRole.VIEWER)


def _render(
    request: Request, *, status: int = 200, bureau: str = "", values: dict | None = None, errors: dict | None = None
) -> Response:
    ctx = request.state.ctx
    today = clock.today()
    with tenant_session(ctx.tenant_id) as db:
        rows = client_workforce.workforce_rows(db, ctx.tenant_id, today)
    return page(
        request,
        "compliance/client_workforce.html",
        status=status,
        rows=rows,
        today=today,
        can_edit=ctx.has_role(*EDITORS),
        edit_bureau=bureau,
        edit_values=values or {},
        edit_errors=errors or {},
        done=request.query_params.get("done", ""),
    )


class ClientWorkforceController(Controller):
    path = "/client-workforce"

    @get("/", opt=allow(*READERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return _render(request)

    @post("/", opt=allow(*EDITORS), sync_to_thread=True, include_in_schema=False)
    def save(self, request: Request, data: FormData) -> Response:
        ctx = request.state.ctx
        bureau = field_text(data, "client_bureau")
        values = {
            "direct_headcount": field_text(data, "direct_headcount"),
            "cap_warning": field_text(data, "cap_warning") != "",
        }
        try:
            with tenant_session(ctx.tenant_id) as db:
                client_workforce.set_client_workforce(
                    db, ctx.tenant_id, ctx.actor, bureau, values["direct_headcount"], values["cap_warning"]
                )
        except DomainError as error:
            return _render(request, status=400, bureau=bureau, values=values, errors=translated_errors([error], ctx.translate))
        return see_other(ctx.tenant_path("/client-workforce?done=saved#bureau-" + quote(bureau)))
