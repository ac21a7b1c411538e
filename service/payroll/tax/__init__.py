"""Resident wage income tax: cumulative withholding, special additional deductions, declarations, tax-year flags."""
