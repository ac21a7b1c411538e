"""Labour contracts: their terms against the contract law, their lifecycle, severance, the Excel import and the pages."""
