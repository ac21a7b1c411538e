"""Who may do what with workforce records (ARCHITECTURE.md, "Who may do what")."""

from __future__ import annotations

from service.accounts.models import StaffRole

# HR keeps the roster, contracts and daily records.
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
# Who sees national ID numbers in full (and scans that show them): HR for
# contracts, payroll for the tax declaration.
SEES_FULL_ID = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK)
