"""The HTTP edge: request context, sessions, CSRF, guards, pages."""
