"""Leave requests, entitlements and balances, and their pages."""
