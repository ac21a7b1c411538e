"""Who may configure the payment layout and who may produce a run's payment file.

A bank pays only from full account numbers (and, in layouts that carry them,
full ID numbers): a masked file would be refused by the bank, or half paid,
and a clerk would have to re-key every account.  So a role that may not see
those numbers in full cannot produce the file at all, rather than getting a
useless masked one; every payroll role today may see them.
"""

from __future__ import annotations

from service.accounts.models import StaffRole
from service.workforce.access import SEES_FULL_ACCOUNT, SEES_FULL_ID

PAYROLL_STAFF = (StaffRole.ADMIN, StaffRole.PAYROLL_CLERK)
LAYOUT_EDITORS = PAYROLL_STAFF
PRODUCERS = tuple(role for role in PAYROLL_STAFF if role in SEES_FULL_ACCOUNT and role in SEES_FULL_ID)
