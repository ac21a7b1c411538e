"""Pages for service agreements (劳务派遣协议): a bureau's new agreement, then the agreement's own page with
its posts and clauses, and signing, terminating and renewing it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF
from service.bureaus import client_workforce, directory
from service.bureaus.access import AGREEMENT_EDITORS, bureau_or_404
from service.bureaus.agreements import actions, queries
from service.bureaus.agreements.inputs import parse_agreement, parse_clauses, parse_post
from service.bureaus.agreements.rules import ARTICLE, ITEM_LABELS, Item
from service.bureaus.models import (
    AGREEMENT_LABELS,
    AgreementPost,
    AgreementStatus,
    ClientBureau,
    FeeBasis,
    PostNature,
    ServiceAgreement,
)
from service.database.ids import id_of
from service.dates import parse_date
from service.errors import N_, DomainError
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData, field_text
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession

AGREEMENT_FIELDS = (
    "number",
    "start_date",
    "end_date",
    "work_place",
    "working_hours",
    "fee_basis",
    "management_fee",
    "fixed_price",
    "payment_terms",
    "payment_due_days",
    "note",
)
POST_FIELDS = ("name", "nature", "headcount", "work_place", "fee_basis", "management_fee", "fixed_price")


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _agreement_or_404(db: TenantSession, ctx: RequestContext, agreement_id: int) -> ServiceAgreement:
    agreement = queries.get_agreement(db, agreement_id)
    if agreement is None:
        raise NotFoundException()
    return agreement


def _post_or_404(db: TenantSession, ctx: RequestContext, agreement: ServiceAgreement, post_id: int) -> AgreementPost:
    post_row = queries.get_post(db, agreement, post_id)
    if post_row is None:
        raise NotFoundException()
    return post_row


def _clause_texts(data: dict[str, Any]) -> dict[str, str]:
    """Each clause as typed, by item (spaces kept: a clause's layout is its author's)."""
    return {i.value: body if isinstance(body := data.get(f"clause_{i.value}"), str) else "" for i in Item}


def _post_values(post: AgreementPost) -> dict[str, Any]:
    return {
        "name": post.name,
        "nature": post.nature.value,
        "headcount": str(post.headcount),
        "work_place": post.work_place,
        "fee_basis": post.fee_basis.value if post.fee_basis else "",
        "management_fee": _money_text(post.management_fee),
        "fixed_price": _money_text(post.fixed_price),
    }


# ---------------------------------------------------------------------- pages (each also shows a refused form)


def _agreement_form(
    request: Request,
    bureau: ClientBureau,
    agreement: ServiceAgreement | None,
    values: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:
    return page(
        request,
        "bureaus/agreement_form.html",
        bureau=bureau,
        agreement=agreement,
        values=values,
        errors=errors or {},
        fee_bases=list(FeeBasis),
        labels=AGREEMENT_LABELS,
    )


def _agreement_page(request: Request, ctx: RequestContext, db: TenantSession, agreement_id: int, **forms: Any) -> Response:
    today = clock.today()
    agreement = _agreement_or_404(db, ctx, agreement_id)
    bureau = bureau_or_404(db, ctx, agreement.bureau_id)
    renewal_of = queries.get_agreement(db, agreement.renews_agreement_id) if agreement.renews_agreement_id else None
    return page(
        request,
        "bureaus/agreement_detail.html",
        agreement=agreement,
        bureau=bureau,
        posts=queries.posts_of(db, id_of(agreement)),
        clauses=queries.clauses_of(db, id_of(agreement)),
        items=queries.check(db, agreement),
        item_labels=ITEM_LABELS,
        article=ARTICLE,
        use_today=queries.headcount_today(db, agreement, today),
        use_by_month=queries.headcount_by_month(db, agreement, today),
        workforce=next((r for r in directory.workforce_rows(db, today) if r.bureau_id == bureau.id), None),
        renewal_of=renewal_of,
        today=today,
        labels=AGREEMENT_LABELS,
        natures=list(PostNature),
        fee_bases=list(FeeBasis),
        all_items=list(Item),
        can_edit=ctx.has_role(*AGREEMENT_EDITORS) and agreement.status is AgreementStatus.DRAFT,
        can_manage=ctx.has_role(*AGREEMENT_EDITORS),
        can_record_workforce=ctx.has_role(*client_workforce.EDITORS),
        post_values=forms.get("post_values", {}),
        post_errors=forms.get("post_errors", {}),
        post_form_id=forms.get("post_form_id"),
        clause_values=forms.get("clause_values"),
        clause_errors=forms.get("clause_errors", {}),
        action_errors=forms.get("action_errors", {}),
        post_value_of=_post_values,
        notice=request.query_params.get("notice", ""),
    )


def _new_agreement_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    bureau = bureau_or_404(db, ctx, request.path_params["bureau_id"])
    return _agreement_form(request, bureau, None, refused.values(AGREEMENT_FIELDS), refused.errors)


def _agreement_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    agreement = _agreement_or_404(db, ctx, request.path_params["agreement_id"])
    bureau = bureau_or_404(db, ctx, agreement.bureau_id)
    return _agreement_form(request, bureau, agreement, refused.values(AGREEMENT_FIELDS), refused.errors)


def _post_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _agreement_page(
        request,
        ctx,
        db,
        request.path_params["agreement_id"],
        post_values=refused.values(POST_FIELDS),
        post_form_id=request.path_params.get("post_id", "new"),
        post_errors=refused.errors,
    )


def _clauses_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _agreement_page(
        request,
        ctx,
        db,
        request.path_params["agreement_id"],
        clause_values=_clause_texts(refused.form),
        clause_errors=refused.errors,
    )


def _action_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    """Signing, terminating, renewing or deleting a post refused: the page, with the reason above its actions."""
    return _agreement_page(request, ctx, db, request.path_params["agreement_id"], action_errors=refused.errors)


class BureauAgreementsController(Controller):
    """A bureau's new agreement."""

    path = "/bureaus/{bureau_id:int}/agreements"

    @get("/new", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True)
    def new(self, request: Request, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int]) -> Response:
        return _agreement_form(request, bureau_or_404(db, ctx, bureau_id), None, {"fee_basis": FeeBasis.PASS_THROUGH.value})

    @post("/", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_new_agreement_refused), sync_to_thread=True)
    def create(self, ctx: RequestCtx, db: TenantDb, bureau_id: FromPath[int], data: FormData) -> Response:
        bureau = bureau_or_404(db, ctx, bureau_id)
        parsed = parse_agreement({f: field_text(data, f) for f in AGREEMENT_FIELDS})
        agreement = actions.create_agreement(db, bureau, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement.id}?notice=created"))


class AgreementsController(Controller):
    path = "/agreements"

    @get("/{agreement_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True)
    def detail(self, request: Request, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int]) -> Response:
        return _agreement_page(request, ctx, db, agreement_id)

    @get("/{agreement_id:int}/edit", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True)
    def edit(self, request: Request, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int]) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        values = {f: getattr(agreement, f) for f in AGREEMENT_FIELDS}
        values |= {
            "fee_basis": agreement.fee_basis.value,
            "management_fee": _money_text(agreement.management_fee),
            "fixed_price": _money_text(agreement.fixed_price),
            "start_date": agreement.start_date.isoformat(),
            "end_date": agreement.end_date.isoformat(),
            "payment_due_days": "" if agreement.payment_due_days is None else str(agreement.payment_due_days),
        }
        return _agreement_form(request, bureau_or_404(db, ctx, agreement.bureau_id), agreement, values)

    @post("/{agreement_id:int}", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_agreement_refused), sync_to_thread=True)
    def update(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        parsed = parse_agreement({f: field_text(data, f) for f in AGREEMENT_FIELDS})
        actions.update_agreement(db, agreement, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved"))

    @post("/{agreement_id:int}/posts", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_post_refused), sync_to_thread=True)
    def add_post(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        parsed = parse_post({f: field_text(data, f) for f in POST_FIELDS})
        actions.save_post(db, agreement, None, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#posts"))

    @post(
        "/{agreement_id:int}/posts/{post_id:int}",
        opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_post_refused),
        sync_to_thread=True,
    )
    def update_post(
        self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], post_id: FromPath[int], data: FormData
    ) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        existing = _post_or_404(db, ctx, agreement, post_id)
        parsed = parse_post({f: field_text(data, f) for f in POST_FIELDS})
        actions.save_post(db, agreement, existing, parsed, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#posts"))

    @post(
        "/{agreement_id:int}/posts/{post_id:int}/delete",
        opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_action_refused),
        sync_to_thread=True,
    )
    def delete_post(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], post_id: FromPath[int]) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        actions.delete_post(db, agreement, _post_or_404(db, ctx, agreement, post_id), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#posts"))

    @post("/{agreement_id:int}/clauses", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_clauses_refused), sync_to_thread=True)
    def save_clauses(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        bodies = parse_clauses({f"clause_{item}": body for item, body in _clause_texts(data).items()})
        actions.save_clauses(db, agreement, bodies, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#clauses"))

    @post("/{agreement_id:int}/sign", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_action_refused), sync_to_thread=True)
    def sign(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        actions.sign_agreement(db, agreement, parse_date(field_text(data, "signed_on"), "signed_on"), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved"))

    @post("/{agreement_id:int}/terminate", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_action_refused), sync_to_thread=True)
    def terminate(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        day = parse_date(field_text(data, "terminated_on"), "terminated_on")
        actions.terminate_agreement(db, agreement, day, actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved"))

    @post("/{agreement_id:int}/renew", opt=allow(*AGREEMENT_EDITORS) | shown_again_by(_action_refused), sync_to_thread=True)
    def renew(self, ctx: RequestCtx, db: TenantDb, agreement_id: FromPath[int], data: FormData) -> Response:
        agreement = _agreement_or_404(db, ctx, agreement_id)
        months = field_text(data, "months") or "12"
        if not (months.isascii() and months.isdigit()) or not 1 <= int(months[:3]) <= 120 or len(months) > 3:
            raise DomainError(N_("Enter a whole number from {low} to {high}."), field="months", low=1, high=120)
        renewal = actions.renew_agreement(db, agreement, int(months), actor=ctx.actor)
        return see_other(ctx.tenant_path(f"/agreements/{renewal.id}?notice=created"))
