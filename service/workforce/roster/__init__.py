"""The roster: workers, the only code that writes them, its search, its Excel sheet and its pages."""
