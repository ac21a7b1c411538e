"""Per-worker-month amounts of pay components (one-off additions and deductions), imported from Excel
for a month's payroll: the sheet (``excel``), the writer (``actions``), the job on the worker (``jobs``)
and the pages (``routes``)."""
