"""The assistants' portal: accounts by invitation, their payslips, confirmations and questions."""
