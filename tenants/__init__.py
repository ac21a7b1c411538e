"""The control plane: tenant registry, platform operators, sessions and the
one function that opens a tenant transaction."""
