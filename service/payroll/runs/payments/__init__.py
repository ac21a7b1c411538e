"""Payment files banks accept (issue 12, point 2): layouts, the file of a published run, its record."""
