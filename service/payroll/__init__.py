"""Payroll rules: income tax, special additional deductions, pay days, minimum wage."""
