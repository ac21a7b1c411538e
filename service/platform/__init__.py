"""The platform itself: operators, their console at /ops, self-service sign-up (control plane)."""
