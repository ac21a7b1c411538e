"""Per-tenant, per-bureau OpenID Connect sign-in for bureau reviewers."""
