"""An assistant session's principal: the worker, while their portal account is active.

A worker who has left keeps it: a former employee needs their final payslip and year to date (for the tax
return) and its payment.  What would change data of an active employee refuses a leaver itself
(``bank_accounts.actions.submit_request``); an account HR disabled stays disabled."""

from __future__ import annotations

from sqlmodel import col, select

from service.database.ids import id_of
from service.portal.models import PRINCIPAL_KIND, AssistantAccount, AssistantRole
from service.web.context import Principal
from service.workforce.models import Worker
from tenants.isolation import TenantSession
from tenants.models import Tenant, WebSession


def load_assistant(db: TenantSession, tenant: Tenant | None, web_session: WebSession) -> Principal | None:
    if tenant is None:
        return None
    found = db.exec(
        select(AssistantAccount, Worker)
        .join(Worker, (col(Worker.tenant_id) == AssistantAccount.tenant_id) & (col(Worker.id) == AssistantAccount.worker_id))
        .where(AssistantAccount.tenant_id == tenant.id, AssistantAccount.worker_id == web_session.principal_id)
    ).first()
    if found is None:
        return None
    account, worker = found
    if not account.active or account.password_hash is None:
        return None
    return Principal(PRINCIPAL_KIND, id_of(worker), tenant.id, worker.name, AssistantRole.ASSISTANT)
