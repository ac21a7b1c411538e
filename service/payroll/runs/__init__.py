"""Payroll runs: the inputs, the pure payslip, the calculation as a job, the register, exports and pages."""
