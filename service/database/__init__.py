"""Connections to PostgreSQL: the embedded server, the two roles' engines."""
