"""Who may do what with client bureaus, their agreements and statements, and the bureau a page is about.

Named here, below the pages that use them: a bureau's page, its agreements' and its statements' pages.
"""

from __future__ import annotations

from litestar.exceptions import NotFoundException

from service.accounts.models import StaffRole
from service.bureaus import directory
from service.bureaus.models import ClientBureau
from service.web.context import RequestContext
from tenants.isolation import TenantSession

BUREAU_EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
AGREEMENT_EDITORS = (StaffRole.ADMIN,)
STATEMENT_READERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK, StaffRole.HR_CLERK, StaffRole.VIEWER)
STATEMENT_WRITERS = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
# Staff recording the bureau's own decision (a signed paper confirmation, a phone call):
STATEMENT_DECIDERS = (StaffRole.ADMIN,)


def bureau_or_404(db: TenantSession, ctx: RequestContext, bureau_id: int) -> ClientBureau:
    bureau = directory.get_bureau(db, bureau_id)
    if bureau is None:
        raise NotFoundException()
    return bureau
