"""What a leaver is paid besides wages, and the settlement HR records for it.

Pure rules: ``annual_leave`` values the statutory annual leave not taken by
the leaving day; ``severance_tax`` taxes one-off compensation on leaving
(``settlement`` puts them together with the severance, which is
``service.workforce.contracts.severance`` because the termination form uses
it too).  Then the settlement's ``models``, ``queries``, ``actions`` and
``routes``; the final payslip carries it (``payslip.LeaverPay``).  A part
month's pay is ``service.payroll.proration``.
"""
