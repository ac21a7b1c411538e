"""Monthly statements (结算单) to a client bureau: pricing the month's payroll, the states, the workbook and PDF, the pages."""
