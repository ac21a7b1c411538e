"""The client bureaus' workforce page: each bureau's dispatched count, its
recorded direct-contract headcount and the 10% cap warning setting."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Controller, Request, Response, get, post

from service import clock
from service.accounts.models import StaffRole
from service.bureaus import actions, directory
from service.bureaus.client_workforce import EDITORS
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

READERS = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK, StaffRole.VIEWER)


def _render(
    request: Request,
    ctx: RequestContext,
    db: TenantSession,
    *,
    bureau: str = "",
    values: dict | None = None,
    errors: dict | None = None,
) -> Response:
    today = clock.today()
    return page(
        request,
        "compliance/client_workforce.html",
        rows=directory.workforce_rows(db, today),
        today=today,
        can_edit=ctx.has_role(*EDITORS),
        edit_bureau=bureau,
        edit_values=values or {},
        edit_errors=errors or {},
        done=request.query_params.get("done", ""),
    )


def _values(form: dict) -> dict:
    return {"direct_headcount": field_text(form, "direct_headcount"), "cap_warning": field_text(form, "cap_warning") != ""}


def _save_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _render(request, ctx, db, bureau=refused.text("client_bureau"), values=_values(refused.form), errors=refused.errors)


class ClientWorkforceController(Controller):
    path = "/client-workforce"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _render(request, ctx, db)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_save_refused), sync_to_thread=True)
    def save(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        bureau = field_text(data, "client_bureau")
        values = _values(data)
        actions.set_client_workforce(db, bureau, values["direct_headcount"], values["cap_warning"], actor=ctx.actor)
        return see_other(ctx.tenant_path("/client-workforce?done=saved#bureau-" + quote(bureau)))
