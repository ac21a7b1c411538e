"""Workers, contracts, compliance: the people a dispatch company employs."""
