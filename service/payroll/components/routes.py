"""The pay components page (list, define, deactivate); the Excel import of
their per-worker-month amounts is ``runs.amounts.routes``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service.accounts.models import StaffRole
from service.bureaus import directory
from service.payroll.components import actions
from service.payroll.components.formula import INPUTS as FORMULA_INPUTS
from service.payroll.components.rules import KIND_LABELS, METHOD_LABELS, ComponentKind, Method, parse_definition
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

EDITORS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
FIELDS = ("code", "label", "kind", "method", "amount", "formula", "applies_to_bureau", "taxable", "counts_for_minimum_wage")
BLANK = {"kind": ComponentKind.ADDITION.value, "method": Method.FIXED.value, "taxable": "on", "counts_for_minimum_wage": "on"}


def _list(request: Request, ctx: RequestContext, db: TenantSession, **context: Any) -> Response:
    context = {"values": dict(BLANK), "errors": {}, **context}
    return page(
        request,
        "payroll/components.html",
        components=actions.list_components(db),
        can_edit=ctx.has_role(*EDITORS),
        kinds=KIND_LABELS,
        methods=METHOD_LABELS,
        formula_inputs=FORMULA_INPUTS,
        done=request.query_params.get("done", ""),
        **context,
    )


def _definition_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _list(request, ctx, db, values=refused.values(FIELDS), errors=refused.errors)


class PayComponentsController(Controller):
    path = "/pay-components"

    @get("/", opt=allow(*READERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _list(request, ctx, db)

    @post("/", opt=allow(*EDITORS) | shown_again_by(_definition_refused), sync_to_thread=True)
    def define(self, ctx: RequestCtx, db: TenantDb, data: FormData) -> Response:
        definition = parse_definition({f: field_text(data, f) for f in FIELDS}, directory.load_assignments(db).bureaus)
        actions.define_component(db, definition, actor=ctx.actor)
        return see_other(ctx.tenant_path("/pay-components?done=defined"))

    @post("/{component_id:int}/active", opt=allow(*EDITORS), sync_to_thread=True)
    def set_active(self, ctx: RequestCtx, db: TenantDb, component_id: FromPath[int], data: FormData) -> Response:
        component = actions.find_component(db, component_id)
        if component is None:
            raise NotFoundException()
        actions.set_active(db, component, field_text(data, "active") == "1", actor=ctx.actor)
        return see_other(ctx.tenant_path("/pay-components?done=saved"))
