"""Staff users of a tenant: roles, passwords, sign-in."""
