"""A worker's first and last month and what a leaver is paid besides wages: pure rules.

``proration`` pays part of a month; ``annual_leave`` values the statutory
annual leave not taken by the leaving day; ``severance_tax`` taxes one-off
compensation on leaving.  The severance itself is
``service.workforce.contracts.severance`` (the termination form uses it too).
"""
