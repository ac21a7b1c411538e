"""A statement as a workbook (openpyxl, amounts as stored Decimals) or a PDF, and what
the page, the workbook and the PDF read: the staff's and the bureau reviewers' downloads are the same."""

from __future__ import annotations

from litestar import Request, Response

from service.bureaus.agreements import queries as agreements
from service.bureaus.models import (
    AGREEMENT_LABELS,
    STATEMENT_LABELS,
    BureauStatement,
    BureauStatementLine,
    ClientBureau,
    FeeBasis,
    ServiceAgreement,
)
from service.bureaus.statements import queries
from service.database.ids import id_of
from service.errors import N_, NotFound
from service.excel import write_rows
from service.i18n import Translator
from service.web.pdf import pdf_download, render_pdf
from tenants.isolation import TenantSession

HEADERS = (
    N_("Name"),
    N_("ID number"),
    N_("Post"),
    N_("Fee basis"),
    N_("Gross wages"),
    N_("Employer social insurance"),
    N_("Employer housing fund"),
    N_("Management fee"),
    N_("Fixed price"),
    N_("Amount due"),
)
FEE_SHORT = {FeeBasis.PASS_THROUGH: N_("Pass-through"), FeeBasis.FIXED: N_("Fixed price")}


def load(
    db: TenantSession, statement_id: int, *, bureau_id: int | None = None
) -> tuple[BureauStatement, list[BureauStatementLine], ClientBureau, ServiceAgreement | None, dict[str, int | None]]:
    """The statement, its lines, its bureau and agreement, and the statements it
    corrects or is corrected by.  NotFound when missing (or of another
    bureau than ``bureau_id``)."""
    tenant_id = db.tenant_id
    try:
        statement = queries.get_statement(db, statement_id, bureau_id=bureau_id)
    except queries.StatementNotFound:
        raise NotFound(statement_id) from None
    bureau = db.get_one(ClientBureau, (tenant_id, statement.bureau_id))  # a foreign key: the bureau exists
    agreement = agreements.get_agreement(db, statement.agreement_id)
    corrected_by = next(
        (s for s in queries.statements_of(db, statement.bureau_id) if s.corrects_statement_id == statement.id),
        None,
    )
    related = {"corrects": statement.corrects_statement_id, "corrected_by": corrected_by.id if corrected_by else None}
    return statement, queries.lines_of(db, id_of(statement)), bureau, agreement, related


def filename(statement: BureauStatement, extension: str) -> str:
    return f"statement-{statement.month.isoformat()[:7]}-{statement.id}.{extension}"


def workbook(
    statement: BureauStatement,
    lines: list[BureauStatementLine],
    bureau: ClientBureau,
    agreement: ServiceAgreement | None,
    t: Translator,
) -> bytes:
    rows: list[list[object]] = [
        [
            line.worker_name,
            line.id_number_masked,
            line.post,
            t(FEE_SHORT[line.fee_basis]),
            line.wages,
            line.employer_social_insurance,
            line.employer_housing_fund,
            line.management_fee,
            line.fixed_price,
            line.total,
        ]
        for line in lines
    ]
    rows.append(
        [
            t(N_("Total")),
            "",
            "",
            t(N_("{count} workers"), count=statement.worker_count),
            statement.wages,
            statement.employer_social_insurance,
            statement.employer_housing_fund,
            statement.management_fee,
            statement.fixed_fees,
            statement.total - statement.adjustment,
        ]
    )
    if statement.adjustment:
        rows.append([t(N_("Adjustment")), statement.adjustment_note, "", "", "", "", "", "", "", statement.adjustment])
    rows.append([t(N_("Amount due")), "", "", "", "", "", "", "", "", statement.total])
    rows.append([])
    rows.append([t(N_("Client bureau")), bureau.name])
    rows.append([t(N_("Month")), statement.month.isoformat()[:7]])
    rows.append([t(N_("Status")), t(STATEMENT_LABELS[statement.status])])
    if agreement is not None:
        rows.append(
            [
                t(N_("Service agreement")),
                agreement.number or f"#{agreement.id}",
                f"{agreement.start_date.isoformat()} – {agreement.end_date.isoformat()}",
            ]
        )
        rows.append([t(N_("Fee basis")), t(AGREEMENT_LABELS[agreement.fee_basis])])
        if agreement.payment_terms:
            rows.append([t(N_("Payment terms")), agreement.payment_terms])
    if statement.due_on:
        rows.append([t(N_("Due on")), statement.due_on.isoformat()])
    if statement.corrects_statement_id:
        rows.append([t(N_("Corrects statement")), f"#{statement.corrects_statement_id}"])
    return write_rows(t(N_("Statement")), [t(h) for h in HEADERS], rows)


def pdf(
    request: Request,
    tenant_name: str,
    statement: BureauStatement,
    lines: list[BureauStatementLine],
    bureau: ClientBureau,
    agreement: ServiceAgreement | None,
) -> Response:
    """The statement as a PDF download, laid out by ``pdf/bureau_statement.html``."""
    content = render_pdf(
        request,
        "pdf/bureau_statement.html",
        statement=statement,
        lines=lines,
        bureau=bureau,
        agreement=agreement,
        labels=STATEMENT_LABELS,
        fee_labels=AGREEMENT_LABELS,
        tenant_name=tenant_name,
    )
    return pdf_download(content, filename(statement, "pdf"))
