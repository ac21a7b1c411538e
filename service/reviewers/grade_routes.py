"""Grade evaluation decisions within the reviewer's authority (seed 002 §8): a bureau reviewer decides
grade 5 with the company, an establishment-office reviewer grades 4 to 1."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath

from service.errors import N_, DomainError
from service.grades import actions as grade_actions
from service.reviewers import scope as reviewer_scope
from service.reviewers.models import ALL_REVIEWERS
from service.web.access import allow
from service.web.context import RequestContext
from service.web.dependencies import RequestCtx, TenantDb
from service.web.forms import FormData
from service.web.pages import page, see_other
from service.web.refusals import RefusedForm, shown_again_by
from tenants.isolation import TenantSession


def _page(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm | None = None) -> Response:
    scope = reviewer_scope.scope_of(db, ctx)
    return page(
        request,
        "reviewer/grades.html",
        rows=reviewer_scope.grade_candidates(db, scope),
        decisions=reviewer_scope.grade_decisions(db, scope),
        body=reviewer_scope.body_of(scope),
        errors=refused.errors if refused else {},
    )


def _decision_refused(request: Request, ctx: RequestContext, db: TenantSession, refused: RefusedForm) -> Response:
    return _page(request, ctx, db, refused)


class ReviewerGradesController(Controller):
    path = "/review/grades"

    @get("/", opt=allow(*ALL_REVIEWERS), sync_to_thread=True)
    def index(self, request: Request, ctx: RequestCtx, db: TenantDb) -> Response:
        return _page(request, ctx, db)

    @post(
        "/{campaign_id:int}/{worker_id:int}", opt=allow(*ALL_REVIEWERS) | shown_again_by(_decision_refused), sync_to_thread=True
    )
    def decide(
        self, ctx: RequestCtx, db: TenantDb, campaign_id: FromPath[int], worker_id: FromPath[int], data: FormData
    ) -> Response:
        decision = data.get("decision")
        note = data.get("note", "")
        if decision not in ("approve", "reject"):
            raise DomainError(N_("Choose to approve or reject."), field="decision")
        scope = reviewer_scope.scope_of(db, ctx)
        campaign, candidate, _ = reviewer_scope.grade_candidate(db, scope, campaign_id, worker_id)
        grade_actions.sign_decision(
            db,
            scope.role.value,
            campaign,
            candidate,
            reviewer_scope.body_of(scope),
            decision == "approve",
            actor=ctx.actor,
            note=note if isinstance(note, str) else "",
            signer_bureau_id=scope.bureau_id,
        )
        return see_other(ctx.tenant_path("/review/grades?notice=saved"))
