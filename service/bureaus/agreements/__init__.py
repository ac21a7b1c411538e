"""Service agreements (劳务派遣协议): their posts and clauses, the 13 mandatory items, signing, renewing, and their pages."""
