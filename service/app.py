"""The Litestar application."""

from __future__ import annotations

import logging

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy.exc import DataError

from service.accounts.principal import load_staff
from service.accounts.routes import SignInController, StaffUsersController
from service.assessment.appeals.routes import AppealsController, MyAppealsController
from service.assessment.chart_routes import ChartsController
from service.assessment.routes.items import ItemsController
from service.assessment.routes.overview import AssessmentController
from service.assessment.routes.periods import PeriodsController
from service.assessment.routes.records import RecordsController
from service.audit_routes import audit_log
from service.billing.routes import BillingController, stripe_webhook
from service.bureaus.agreements.routes import AgreementsController, BureauAgreementsController
from service.bureaus.pages.routes import BureausController
from service.bureaus.statements.routes import StatementsController
from service.cities.routes import CitiesController
from service.compliance import reactions
from service.compliance.routes import ComplianceController
from service.compliance.workforce_routes import ClientWorkforceController
from service.dashboard import dashboard
from service.database.engines import app_engine
from service.errors import NotFound, Refused
from service.grades.routes import GradesController
from service.health import healthz, readyz
from service.insurance.routes import InsuranceController
from service.payroll.bands.routes import SalaryBandsController
from service.payroll.components.routes import PayComponentsController
from service.payroll.leavers.routes import LeaverSettlementController
from service.payroll.opening_balances.routes import OpeningBalancesController
from service.payroll.runs import reactions as payroll_reactions
from service.payroll.runs.amounts.routes import ComponentAmountsController
from service.payroll.runs.exports import PayrollExportsController
from service.payroll.runs.payments.routes import PaymentLayoutController
from service.payroll.runs.routes import PayrollRunsController
from service.payroll.tax.routes import TaxDeclarationsController
from service.platform.console import OpsController
from service.platform.operators import load_operator, load_support
from service.platform.routes import SignupController, SupportAccessController, WelcomeController
from service.portal.principal import load_assistant
from service.portal.routes import AssistantPortalController, PayslipQuestionsController, PortalAccountsController
from service.reviewers.appeal_routes import ReviewerAppealsController
from service.reviewers.assessment_routes import ReviewerAssessmentController, ReviewerPeriodsController
from service.reviewers.grade_routes import ReviewerGradesController
from service.reviewers.portal_routes import ReviewerPortalController
from service.reviewers.statement_routes import ReviewerStatementsController
from service.settings import PROJECT_ROOT, Settings, get_settings
from service.sso.principal import load_reviewer
from service.sso.routes import ReviewerSignInController, SsoConnectionsController, SsoSignInController
from service.web.access import PUBLIC, authorize, check_declared
from service.web.dependencies import REQUEST_DEPENDENCIES
from service.web.errors import on_data_error, on_http_exception, on_not_found, on_unexpected
from service.web.middleware import RequestContextMiddleware, add_security_headers
from service.web.navigation import readable_pages
from service.web.pages import make_environment
from service.web.principals import Loader
from service.web.public_routes import front_door, switch_language
from service.web.refusals import on_refused
from service.workforce.attendance.routes import AttendanceController
from service.workforce.bank_accounts.routes import (
    BankAccountImportController,
    BankAccountRequestsController,
    MyBankAccountController,
    WorkerBankAccountController,
)
from service.workforce.contracts.import_routes import ContractImportController
from service.workforce.contracts.renewal_routes import ContractRenewalController
from service.workforce.contracts.routes import ContractController, WorkerContractsController
from service.workforce.contracts.termination_routes import ContractTerminationController
from service.workforce.leave.routes import LeaveController
from service.workforce.records.routes import WorkerRecordsController
from service.workforce.roster.routes import RosterApi, RosterController

# Who a session cookie can belong to: each kind's loader (service.web.principals).
PRINCIPAL_LOADERS: dict[str, Loader] = {
    "staff": load_staff,
    "assistant": load_assistant,  # a worker in the assistants' portal: service/portal/principal.py
    "operator": load_operator,  # platform operators (no tenant): service/platform/operators.py
    "support": load_support,  # an operator inside a tenant through a support grant
    "reviewer": load_reviewer,  # a client bureau's reviewer, signed in by OIDC: service/sso/principal.py
}


def _open_engines(app: Litestar) -> None:
    """Each server process opens its database engines as it starts, not on its first requests, which would
    race to do it (service.database.engines)."""
    app_engine(app.state.settings)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    reactions.install()  # compliance recomputes from what the writers say happened (service.events)
    payroll_reactions.install()  # payroll refuses a last day inside a month it has published
    # Pages are HTML: only the JSON API (which says so on its controller) appears in the OpenAPI schema.
    tenant_routes = Router(
        path="/t/{slug:str}",
        dependencies=REQUEST_DEPENDENCIES,
        include_in_schema=False,
        route_handlers=[
            dashboard,
            SignInController,
            StaffUsersController,
            RosterController,
            RosterApi,
            audit_log,
            WorkerContractsController,
            ContractController,
            ContractImportController,
            ContractRenewalController,
            ContractTerminationController,
            LeaverSettlementController,
            CitiesController,
            ComplianceController,
            ClientWorkforceController,
            InsuranceController,
            LeaveController,
            AttendanceController,
            WorkerRecordsController,
            WorkerBankAccountController,
            BankAccountImportController,
            BankAccountRequestsController,
            SalaryBandsController,
            PayrollRunsController,
            PayrollExportsController,
            PaymentLayoutController,
            PayComponentsController,
            ComponentAmountsController,
            OpeningBalancesController,
            TaxDeclarationsController,
            WelcomeController,
            SupportAccessController,
            BillingController,
            AssistantPortalController,
            PortalAccountsController,
            PayslipQuestionsController,
            SsoConnectionsController,
            SsoSignInController,
            ReviewerSignInController,
            ReviewerPortalController,
            ReviewerStatementsController,
            ReviewerGradesController,
            ReviewerAssessmentController,
            ReviewerAppealsController,
            ReviewerPeriodsController,
            AssessmentController,
            ItemsController,
            RecordsController,
            PeriodsController,
            AppealsController,
            MyAppealsController,
            MyBankAccountController,
            ChartsController,
            GradesController,
            BureausController,
            BureauAgreementsController,
            AgreementsController,
            StatementsController,
        ],
    )
    app = Litestar(
        route_handlers=[
            front_door,
            switch_language,
            healthz,
            readyz,
            tenant_routes,
            Router(
                path="/",
                dependencies=REQUEST_DEPENDENCIES,
                include_in_schema=False,
                route_handlers=[SignupController, OpsController, stripe_webhook],
            ),
            create_static_files_router(path="/static", directories=[PROJECT_ROOT / "web" / "static"], opt=PUBLIC),
        ],
        middleware=[RequestContextMiddleware],
        before_send=[add_security_headers],
        guards=[authorize],
        template_config=TemplateConfig(engine=JinjaTemplateEngine.from_environment(make_environment())),
        exception_handlers={
            HTTPException: on_http_exception,
            Refused: on_refused,
            NotFound: on_not_found,
            DataError: on_data_error,
            Exception: on_unexpected,
        },
        openapi_config=OpenAPIConfig(
            title="Paiqian API",
            version="0.1.0",
            path="/schema",
            openapi_router=Router(path="/schema", route_handlers=[], opt=PUBLIC),
        ),
        request_max_body_size=settings.import_max_bytes,
        state=State({"settings": settings, "principal_loaders": PRINCIPAL_LOADERS}),
        on_startup=[_open_engines],
        debug=False,
    )
    check_declared(app)
    app.state.nav_pages = readable_pages(app)
    logging.getLogger("paiqian").setLevel(logging.INFO)
    return app
