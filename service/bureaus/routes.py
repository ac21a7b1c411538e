"""Pages for client bureaus (with units and establishment offices), service
agreements and monthly statements.  Controllers parse, call the actions,
render; every handler declares who may call it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from service import clock
from service.accounts.models import ALL_STAFF, StaffRole
from service.bureaus import actions, agreements, client_workforce, directory, statement_files, statements
from service.bureaus.agreement_input import amount, parse_agreement, parse_clauses, parse_post
from service.bureaus.agreement_terms import ARTICLE, ITEM_LABELS, Item
from service.bureaus.bureau_input import parse_bureau, parse_office, parse_unit
from service.bureaus.models import (
    AGREEMENT_LABELS,
    STATEMENT_LABELS,
    UNIT_KIND_LABELS,
    AgreementPost,
    AgreementStatus,
    FeeBasis,
    PostNature,
    StatementStatus,
    UnitKind,
)
from service.cities.names import CITY_NAMES
from service.dates import parse_date
from service.errors import N_, DomainError, InputErrors
from service.web.access import allow
from service.web.forms import FormData, field_text, translated_errors
from service.web.pages import page, see_other, xlsx_download
from service.web.pdf import pdf_download, render_pdf
from tenants.isolation import tenant_session

BUREAU_EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
AGREEMENT_EDITORS = (StaffRole.ADMIN,)
STATEMENT_READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
STATEMENT_WRITERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
# Staff recording the bureau's own decision (a signed paper confirmation, a phone call):
STATEMENT_DECIDERS = (StaffRole.ADMIN,)

BUREAU_FIELDS = ("name", "city", "contact_name", "contact_phone", "contact_email", "address", "establishment_office_id")
UNIT_FIELDS = ("name", "kind", "city", "contact_name", "contact_phone", "contact_email", "address")
OFFICE_FIELDS = ("name", "city", "contact_name", "contact_phone", "contact_email", "address")
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


def _ctx(request: Request):
    return request.state.ctx


def _errors(problems: Exception, t) -> dict[str, str]:
    errors = problems.errors if isinstance(problems, InputErrors) else [problems]
    return translated_errors(errors, t)


def _values(data: dict, fields: tuple[str, ...]) -> dict[str, str]:
    return {f: field_text(data, f) for f in fields}


def _money_text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _bureau_or_404(db, tenant_id, bureau_id: int):
    bureau = directory.get_bureau(db, tenant_id, bureau_id)
    if bureau is None:
        raise NotFoundException()
    return bureau


def _agreement_or_404(db, tenant_id, agreement_id: int):
    agreement = agreements.get_agreement(db, tenant_id, agreement_id)
    if agreement is None:
        raise NotFoundException()
    return agreement


_COMMON = {"cities": CITY_NAMES, "unit_kinds": list(UnitKind), "unit_kind_labels": UNIT_KIND_LABELS}


class BureausController(Controller):
    path = "/bureaus"

    @get("/", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            bureaus = directory.bureaus(db, ctx.tenant_id)
            counts = directory.worker_counts(db, ctx.tenant_id)
            offices = {o.id: o for o in directory.offices(db, ctx.tenant_id)}
        return page(
            request,
            "bureaus/index.html",
            bureaus=bureaus,
            counts=counts,
            offices=offices,
            can_edit=ctx.has_role(*BUREAU_EDITORS),
            **_COMMON,
        )

    def _form(self, request: Request, bureau, values: dict, errors: dict, status: int = 200) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            offices = directory.offices(db, ctx.tenant_id)
        return page(
            request,
            "bureaus/bureau_form.html",
            status=status,
            bureau=bureau,
            values=values,
            errors=errors,
            offices=offices,
            **_COMMON,
        )

    @get("/new", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def new(self, request: Request) -> Response:
        return self._form(request, None, {}, {})

    @post("/", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def create(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, BUREAU_FIELDS)
        try:
            parsed = parse_bureau(values)
            with tenant_session(ctx.tenant_id) as db:
                bureau = actions.create_bureau(db, ctx.tenant_id, ctx.actor, parsed)
        except (InputErrors, DomainError) as problems:
            return self._form(request, None, values, _errors(problems, ctx.translate), 400)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau.id}?notice=created"))

    @get("/{bureau_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, bureau_id: FromPath[int]) -> Response:
        return self._detail(request, bureau_id)

    def _detail(
        self,
        request: Request,
        bureau_id: int,
        status: int = 200,
        unit_values: dict | None = None,
        unit_errors: dict | None = None,
    ) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
            units = directory.units_of(db, ctx.tenant_id, bureau.id)
            office = (
                directory.get_office(db, ctx.tenant_id, bureau.establishment_office_id)
                if bureau.establishment_office_id
                else None
            )
            bureau_agreements = agreements.agreements_of(db, ctx.tenant_id, bureau.id)
            workforce = next(
                (r for r in client_workforce.workforce_rows(db, ctx.tenant_id, today) if r.bureau_id == bureau.id), None
            )
            bureau_statements = (
                statements.statements_of(db, ctx.tenant_id, bureau.id) if ctx.has_role(*STATEMENT_READERS) else []
            )
        return page(
            request,
            "bureaus/bureau_detail.html",
            status=status,
            bureau=bureau,
            units=units,
            office=office,
            agreements=bureau_agreements,
            workforce=workforce,
            statements=bureau_statements,
            today=today,
            can_edit=ctx.has_role(*BUREAU_EDITORS),
            can_edit_agreements=ctx.has_role(*AGREEMENT_EDITORS),
            agreement_labels=AGREEMENT_LABELS,
            statement_labels=STATEMENT_LABELS,
            unit_values=unit_values or {},
            unit_errors=unit_errors or {},
            notice=request.query_params.get("notice", ""),
            **_COMMON,
        )

    @get("/{bureau_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def edit(self, request: Request, bureau_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
        values = {f: getattr(bureau, f) for f in BUREAU_FIELDS}
        return self._form(request, bureau, values, {})

    @post("/{bureau_id:int}", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def update(self, request: Request, bureau_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, BUREAU_FIELDS)
        try:
            parsed = parse_bureau(values)
            with tenant_session(ctx.tenant_id) as db:
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
                actions.update_bureau(db, ctx.tenant_id, ctx.actor, bureau, parsed)
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
            return self._form(request, bureau, values, _errors(problems, ctx.translate), 400)
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=saved"))

    @post("/{bureau_id:int}/units", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def add_unit(self, request: Request, bureau_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, UNIT_FIELDS)
        try:
            parsed = parse_unit(values)
            with tenant_session(ctx.tenant_id) as db:
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
                actions.create_unit(db, ctx.tenant_id, ctx.actor, bureau, parsed)
        except (InputErrors, DomainError) as problems:
            return self._detail(request, bureau_id, 400, values, _errors(problems, ctx.translate))
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=created#units"))

    def _unit_or_404(self, db, ctx, bureau_id: int, unit_id: int):
        unit = directory.get_unit(db, ctx.tenant_id, unit_id)
        if unit is None or unit.bureau_id != bureau_id:
            raise NotFoundException()
        return unit

    @get("/{bureau_id:int}/units/{unit_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def edit_unit(self, request: Request, bureau_id: FromPath[int], unit_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            unit = self._unit_or_404(db, ctx, bureau_id, unit_id)
            bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
        values = {f: getattr(unit, f) for f in UNIT_FIELDS} | {"kind": unit.kind.value}
        return page(request, "bureaus/unit_form.html", bureau=bureau, unit=unit, values=values, errors={}, **_COMMON)

    @post("/{bureau_id:int}/units/{unit_id:int}", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def update_unit(self, request: Request, bureau_id: FromPath[int], unit_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, UNIT_FIELDS)
        try:
            parsed = parse_unit(values)
            with tenant_session(ctx.tenant_id) as db:
                unit = self._unit_or_404(db, ctx, bureau_id, unit_id)
                actions.update_unit(db, ctx.tenant_id, ctx.actor, unit, parsed)
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                unit = self._unit_or_404(db, ctx, bureau_id, unit_id)
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
            return page(
                request,
                "bureaus/unit_form.html",
                status=400,
                bureau=bureau,
                unit=unit,
                values=values,
                errors=_errors(problems, ctx.translate),
                **_COMMON,
            )
        return see_other(ctx.tenant_path(f"/bureaus/{bureau_id}?notice=saved#units"))

    # ---------------------------------------------------------- establishment offices

    def _offices(self, request: Request, values: dict, errors: dict, status: int = 200, office=None) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            offices = directory.offices(db, ctx.tenant_id)
        return page(
            request,
            "bureaus/offices.html",
            status=status,
            offices=offices,
            values=values,
            errors=errors,
            office=office,
            can_edit=ctx.has_role(*BUREAU_EDITORS),
            **_COMMON,
        )

    @get("/offices", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def offices(self, request: Request) -> Response:
        return self._offices(request, {}, {})

    @post("/offices", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def create_office(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, OFFICE_FIELDS)
        try:
            parsed = parse_office(values)
            with tenant_session(ctx.tenant_id) as db:
                actions.create_office(db, ctx.tenant_id, ctx.actor, parsed)
        except (InputErrors, DomainError) as problems:
            return self._offices(request, values, _errors(problems, ctx.translate), 400)
        return see_other(ctx.tenant_path("/bureaus/offices?notice=created"))

    @get("/offices/{office_id:int}/edit", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def edit_office(self, request: Request, office_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            office = directory.get_office(db, ctx.tenant_id, office_id)
        if office is None:
            raise NotFoundException()
        return self._offices(request, {f: getattr(office, f) for f in OFFICE_FIELDS}, {}, office=office)

    @post("/offices/{office_id:int}", opt=allow(*BUREAU_EDITORS), sync_to_thread=True, include_in_schema=False)
    def update_office(self, request: Request, office_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, OFFICE_FIELDS)
        try:
            parsed = parse_office(values)
            with tenant_session(ctx.tenant_id) as db:
                office = directory.get_office(db, ctx.tenant_id, office_id)
                if office is None:
                    raise NotFoundException()
                actions.update_office(db, ctx.tenant_id, ctx.actor, office, parsed)
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                office = directory.get_office(db, ctx.tenant_id, office_id)
            return self._offices(request, values, _errors(problems, ctx.translate), 400, office=office)
        return see_other(ctx.tenant_path("/bureaus/offices?notice=saved"))

    # ---------------------------------------------------------- a new agreement

    @get("/{bureau_id:int}/agreements/new", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def new_agreement(self, request: Request, bureau_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
        return _agreement_form(request, bureau, None, {"fee_basis": FeeBasis.PASS_THROUGH.value}, {})

    @post("/{bureau_id:int}/agreements", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def create_agreement(self, request: Request, bureau_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, AGREEMENT_FIELDS)
        try:
            parsed = parse_agreement(values)
            with tenant_session(ctx.tenant_id) as db:
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
                agreement = agreements.create_agreement(db, ctx.tenant_id, ctx.actor, bureau, parsed)
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                bureau = _bureau_or_404(db, ctx.tenant_id, bureau_id)
            return _agreement_form(request, bureau, None, values, _errors(problems, ctx.translate), 400)
        return see_other(ctx.tenant_path(f"/agreements/{agreement.id}?notice=created"))


def _agreement_form(request: Request, bureau, agreement, values: dict, errors: dict, status: int = 200) -> Response:
    return page(
        request,
        "bureaus/agreement_form.html",
        status=status,
        bureau=bureau,
        agreement=agreement,
        values=values,
        errors=errors,
        fee_bases=list(FeeBasis),
        labels=AGREEMENT_LABELS,
    )


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


class AgreementsController(Controller):
    path = "/agreements"

    def _detail(self, request: Request, agreement_id: int, status: int = 200, **forms: Any) -> Response:
        ctx = _ctx(request)
        today = clock.today()
        with tenant_session(ctx.tenant_id) as db:
            agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
            bureau = _bureau_or_404(db, ctx.tenant_id, agreement.bureau_id)
            posts = agreements.posts_of(db, ctx.tenant_id, agreement.id)
            clauses = agreements.clauses_of(db, ctx.tenant_id, agreement.id)
            items = agreements.check(db, ctx.tenant_id, agreement)
            use_today = agreements.headcount_today(db, ctx.tenant_id, agreement, today)
            use_by_month = agreements.headcount_by_month(db, ctx.tenant_id, agreement, today)
            workforce = next(
                (r for r in client_workforce.workforce_rows(db, ctx.tenant_id, today) if r.bureau_id == bureau.id), None
            )
            renewal_of = (
                agreements.get_agreement(db, ctx.tenant_id, agreement.renews_agreement_id)
                if agreement.renews_agreement_id
                else None
            )
        return page(
            request,
            "bureaus/agreement_detail.html",
            status=status,
            agreement=agreement,
            bureau=bureau,
            posts=posts,
            clauses=clauses,
            items=items,
            item_labels=ITEM_LABELS,
            article=ARTICLE,
            use_today=use_today,
            use_by_month=use_by_month,
            workforce=workforce,
            renewal_of=renewal_of,
            today=today,
            labels=AGREEMENT_LABELS,
            natures=list(PostNature),
            fee_bases=list(FeeBasis),
            all_items=list(Item),
            can_edit=ctx.has_role(*AGREEMENT_EDITORS) and agreement.status is AgreementStatus.DRAFT,
            can_manage=ctx.has_role(*AGREEMENT_EDITORS),
            can_record_workforce=ctx.has_role(*client_workforce_editors()),
            post_values=forms.get("post_values", {}),
            post_errors=forms.get("post_errors", {}),
            post_form_id=forms.get("post_form_id"),
            clause_values=forms.get("clause_values"),
            clause_errors=forms.get("clause_errors", {}),
            action_errors=forms.get("action_errors", {}),
            post_value_of=_post_values,
            notice=request.query_params.get("notice", ""),
        )

    @get("/{agreement_id:int}", opt=allow(*ALL_STAFF), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, agreement_id: FromPath[int]) -> Response:
        return self._detail(request, agreement_id)

    @get("/{agreement_id:int}/edit", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def edit(self, request: Request, agreement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
            bureau = _bureau_or_404(db, ctx.tenant_id, agreement.bureau_id)
        values = {f: getattr(agreement, f) for f in AGREEMENT_FIELDS}
        values |= {
            "fee_basis": agreement.fee_basis.value,
            "management_fee": _money_text(agreement.management_fee),
            "fixed_price": _money_text(agreement.fixed_price),
            "start_date": agreement.start_date.isoformat(),
            "end_date": agreement.end_date.isoformat(),
            "payment_due_days": "" if agreement.payment_due_days is None else str(agreement.payment_due_days),
        }
        return _agreement_form(request, bureau, agreement, values, {})

    @post("/{agreement_id:int}", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def update(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        values = _values(data, AGREEMENT_FIELDS)
        try:
            parsed = parse_agreement(values)
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                agreements.update_agreement(db, ctx.tenant_id, ctx.actor, agreement, parsed)
        except (InputErrors, DomainError) as problems:
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                bureau = _bureau_or_404(db, ctx.tenant_id, agreement.bureau_id)
            return _agreement_form(request, bureau, agreement, values, _errors(problems, ctx.translate), 400)
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved"))

    @post("/{agreement_id:int}/posts", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def add_post(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        return self._save_post(request, agreement_id, None, data)

    @post(
        "/{agreement_id:int}/posts/{post_id:int}", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False
    )
    def update_post(self, request: Request, agreement_id: FromPath[int], post_id: FromPath[int], data: FormData) -> Response:
        return self._save_post(request, agreement_id, post_id, data)

    def _post_or_404(self, db, ctx, agreement, post_id: int) -> AgreementPost:
        post_row = db.get(AgreementPost, (ctx.tenant_id, post_id))
        if post_row is None or post_row.agreement_id != agreement.id:
            raise NotFoundException()
        return post_row

    def _save_post(self, request: Request, agreement_id: int, post_id: int | None, data: dict) -> Response:
        ctx = _ctx(request)
        values = _values(data, POST_FIELDS)
        try:
            parsed = parse_post(values)
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                existing = self._post_or_404(db, ctx, agreement, post_id) if post_id is not None else None
                agreements.save_post(db, ctx.tenant_id, ctx.actor, agreement, existing, parsed)
        except (InputErrors, DomainError) as problems:
            return self._detail(
                request,
                agreement_id,
                400,
                post_values=values,
                post_form_id=post_id or "new",
                post_errors=_errors(problems, ctx.translate),
            )
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#posts"))

    @post(
        "/{agreement_id:int}/posts/{post_id:int}/delete",
        opt=allow(*AGREEMENT_EDITORS),
        sync_to_thread=True,
        include_in_schema=False,
    )
    def delete_post(self, request: Request, agreement_id: FromPath[int], post_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                agreements.delete_post(db, ctx.tenant_id, ctx.actor, agreement, self._post_or_404(db, ctx, agreement, post_id))
        except DomainError as problem:
            return self._detail(request, agreement_id, 400, action_errors=_errors(problem, ctx.translate))
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#posts"))

    @post("/{agreement_id:int}/clauses", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def save_clauses(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        raw = {
            f"clause_{i.value}": (data.get(f"clause_{i.value}") if isinstance(data.get(f"clause_{i.value}"), str) else "")
            for i in Item
        }
        try:
            bodies = parse_clauses(raw)
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                agreements.save_clauses(db, ctx.tenant_id, ctx.actor, agreement, bodies)
        except (InputErrors, DomainError) as problems:
            return self._detail(
                request,
                agreement_id,
                400,
                clause_values={k[7:]: v for k, v in raw.items()},
                clause_errors=_errors(problems, ctx.translate),
            )
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved#clauses"))

    def _dated_action(self, request: Request, agreement_id: int, data: dict, field: str, act) -> Response:
        ctx = _ctx(request)
        try:
            day = parse_date(field_text(data, field), field)
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                act(db, ctx.tenant_id, ctx.actor, agreement, day)
        except DomainError as problem:
            return self._detail(request, agreement_id, 400, action_errors=_errors(problem, ctx.translate))
        return see_other(ctx.tenant_path(f"/agreements/{agreement_id}?notice=saved"))

    @post("/{agreement_id:int}/sign", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def sign(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        return self._dated_action(request, agreement_id, data, "signed_on", agreements.sign_agreement)

    @post("/{agreement_id:int}/terminate", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def terminate(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        return self._dated_action(request, agreement_id, data, "terminated_on", agreements.terminate_agreement)

    @post("/{agreement_id:int}/renew", opt=allow(*AGREEMENT_EDITORS), sync_to_thread=True, include_in_schema=False)
    def renew(self, request: Request, agreement_id: FromPath[int], data: FormData) -> Response:
        ctx = _ctx(request)
        months = field_text(data, "months") or "12"
        try:
            if not (months.isascii() and months.isdigit()) or not 1 <= int(months[:3]) <= 120 or len(months) > 3:
                raise DomainError(N_("Enter a whole number from {low} to {high}."), field="months", low=1, high=120)
            with tenant_session(ctx.tenant_id) as db:
                agreement = _agreement_or_404(db, ctx.tenant_id, agreement_id)
                renewal = agreements.renew_agreement(db, ctx.tenant_id, ctx.actor, agreement, int(months))
        except DomainError as problem:
            return self._detail(request, agreement_id, 400, action_errors=_errors(problem, ctx.translate))
        return see_other(ctx.tenant_path(f"/agreements/{renewal.id}?notice=created"))


def client_workforce_editors() -> tuple:
    from service.bureaus.client_workforce import EDITORS

    return EDITORS


# ---------------------------------------------------------------------- statements


def _month(text: str) -> date:
    text = text.strip()[:7]
    try:
        year, month = text.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise DomainError(N_("Enter a month like 2026-03."), field="month") from None


class StatementsController(Controller):
    path = "/statements"

    def _index(self, request: Request, status: int = 200, values: dict | None = None, errors: dict | None = None) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            rows = statements.statements_of(db, ctx.tenant_id)
            bureaus = {b.id: b for b in directory.bureaus(db, ctx.tenant_id)}
        return page(
            request,
            "bureaus/statements.html",
            status=status,
            statements=rows,
            bureaus=bureaus,
            labels=STATEMENT_LABELS,
            values=values or {},
            errors=errors or {},
            can_write=ctx.has_role(*STATEMENT_WRITERS),
        )

    @get("/", opt=allow(*STATEMENT_READERS), sync_to_thread=True, include_in_schema=False)
    def index(self, request: Request) -> Response:
        return self._index(request)

    @post("/", opt=allow(*STATEMENT_WRITERS), sync_to_thread=True, include_in_schema=False)
    def generate(self, request: Request, data: FormData) -> Response:
        ctx = _ctx(request)
        values = {"bureau_id": field_text(data, "bureau_id"), "month": field_text(data, "month")[:7]}
        try:
            month = _month(values["month"])
            bureau_id = (
                int(values["bureau_id"])
                if values["bureau_id"].isascii() and values["bureau_id"].isdigit() and len(values["bureau_id"]) < 18
                else None
            )
            with tenant_session(ctx.tenant_id) as db:
                bureau = directory.get_bureau(db, ctx.tenant_id, bureau_id) if bureau_id else None
                if bureau is None:
                    raise DomainError(N_("Choose a value."), field="bureau_id")
                statement = statements.generate_statement(db, ctx.tenant_id, ctx.actor, bureau, month)
        except DomainError as problem:
            return self._index(request, 400, values, _errors(problem, ctx.translate))
        return see_other(ctx.tenant_path(f"/statements/{statement.id}?notice=created"))

    def _detail(
        self, request: Request, statement_id: int, status: int = 200, errors: dict | None = None, values: dict | None = None
    ) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            statement, lines, bureau, agreement, related = statement_files.load(db, ctx.tenant_id, statement_id)
        return page(
            request,
            "bureaus/statement_detail.html",
            status=status,
            statement=statement,
            lines=lines,
            bureau=bureau,
            agreement=agreement,
            related=related,
            labels=STATEMENT_LABELS,
            fee_labels=AGREEMENT_LABELS,
            can_write=ctx.has_role(*STATEMENT_WRITERS),
            can_decide=ctx.has_role(*STATEMENT_DECIDERS),
            errors=errors or {},
            values=values or {},
            notice=request.query_params.get("notice", ""),
            Status=StatementStatus,
        )

    @get("/{statement_id:int}", opt=allow(*STATEMENT_READERS), sync_to_thread=True, include_in_schema=False)
    def detail(self, request: Request, statement_id: FromPath[int]) -> Response:
        return self._detail(request, statement_id)

    def _act(self, request: Request, statement_id: int, act, values: dict | None = None) -> Response:
        ctx = _ctx(request)
        try:
            with tenant_session(ctx.tenant_id) as db:
                result = act(db, ctx)
        except statements.StatementNotFound:
            raise NotFoundException() from None
        except DomainError as problem:
            return self._detail(request, statement_id, 400, _errors(problem, ctx.translate), values)
        target = result.id if result is not None else None
        return see_other(ctx.tenant_path(f"/statements/{target}?notice=saved" if target else "/statements"))

    @post("/{statement_id:int}/send", opt=allow(*STATEMENT_WRITERS), sync_to_thread=True, include_in_schema=False)
    def send(self, request: Request, statement_id: FromPath[int]) -> Response:
        return self._act(
            request, statement_id, lambda db, ctx: statements.send_statement(db, ctx.tenant_id, ctx.actor, statement_id)
        )

    @post("/{statement_id:int}/confirm", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def confirm(self, request: Request, statement_id: FromPath[int]) -> Response:
        return self._act(
            request, statement_id, lambda db, ctx: statements.confirm_statement(db, ctx.tenant_id, ctx.actor, statement_id)
        )

    @post("/{statement_id:int}/dispute", opt=allow(*STATEMENT_DECIDERS), sync_to_thread=True, include_in_schema=False)
    def dispute(self, request: Request, statement_id: FromPath[int], data: FormData) -> Response:
        comment = data.get("comment") if isinstance(data.get("comment"), str) else ""
        return self._act(
            request,
            statement_id,
            lambda db, ctx: statements.dispute_statement(db, ctx.tenant_id, ctx.actor, statement_id, comment),
            {"comment": comment},
        )

    @post("/{statement_id:int}/correct", opt=allow(*STATEMENT_WRITERS), sync_to_thread=True, include_in_schema=False)
    def correct(self, request: Request, statement_id: FromPath[int], data: FormData) -> Response:
        values = {"adjustment": field_text(data, "adjustment"), "adjustment_note": field_text(data, "adjustment_note")}

        def act(db, ctx):
            typed = values["adjustment"]
            negative = typed.startswith("-")
            parsed = amount(typed[1:] if negative else typed, "adjustment") or Decimal("0")
            return statements.correct_statement(
                db, ctx.tenant_id, ctx.actor, statement_id, -parsed if negative else parsed, values["adjustment_note"]
            )

        return self._act(request, statement_id, act, values)

    @post("/{statement_id:int}/discard", opt=allow(*STATEMENT_WRITERS), sync_to_thread=True, include_in_schema=False)
    def discard(self, request: Request, statement_id: FromPath[int]) -> Response:
        return self._act(
            request, statement_id, lambda db, ctx: statements.discard_draft(db, ctx.tenant_id, ctx.actor, statement_id)
        )

    @get("/{statement_id:int}/xlsx", opt=allow(*STATEMENT_READERS), sync_to_thread=True, include_in_schema=False)
    def xlsx(self, request: Request, statement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            loaded = statement_files.load(db, ctx.tenant_id, statement_id)
        content = statement_files.workbook(*loaded[:4], ctx.translate)
        return xlsx_download(content, statement_files.filename(loaded[0], "xlsx"))

    @get("/{statement_id:int}/pdf", opt=allow(*STATEMENT_READERS), sync_to_thread=True, include_in_schema=False)
    def pdf(self, request: Request, statement_id: FromPath[int]) -> Response:
        ctx = _ctx(request)
        with tenant_session(ctx.tenant_id) as db:
            statement, lines, bureau, agreement, _related = statement_files.load(db, ctx.tenant_id, statement_id)
        content = render_pdf(
            request,
            "pdf/bureau_statement.html",
            statement=statement,
            lines=lines,
            bureau=bureau,
            agreement=agreement,
            labels=STATEMENT_LABELS,
            fee_labels=AGREEMENT_LABELS,
            tenant_name=ctx.tenant.name if ctx.tenant else "",
        )
        return pdf_download(content, statement_files.filename(statement, "pdf"))
