"""Workers' bank accounts (issue 12, point 1): the account wages are paid into, its history, and the
changes assistants ask for from the portal."""
