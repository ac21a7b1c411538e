"""Payroll: salary bands (``bands``), pay components (``components``), income tax and its declarations (``tax``),
and the payroll runs with their payslips (``runs``); pay days and the minimum wage serve them all."""
