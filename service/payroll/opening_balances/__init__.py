"""Opening balances: the tax year to date of the months before a tenant's first payroll here (issue 12, point 5)."""
