"""Monthly attendance: the figures, the month's grid, its Excel sheet and the lock payroll sets."""
