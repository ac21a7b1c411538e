"""Who may do what with workforce records (ARCHITECTURE.md, "Who may do what")."""

from __future__ import annotations

from service.accounts.models import StaffRole

# HR keeps the roster, contracts and daily records.
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)
# Who sees national ID numbers in full (and scans that show them): HR for
# contracts, payroll for the tax declaration.
SEES_FULL_ID = (StaffRole.ADMIN, StaffRole.HR_CLERK, StaffRole.PAYROLL_CLERK)
# Who sees bank account numbers in full: the same roles, for the same reasons (HR keeps the record,
# payroll writes the bank file); everyone else, and the audit trail, sees the mask.
SEES_FULL_ACCOUNT = SEES_FULL_ID
