"""Assessment pages, one module per resource: the overview and a worker's running total, the rule
catalogue, the daily records and the periods with their results."""
