"""Which payslips a run's payment file pays, and how much (pure).

A regular run pays each payslip's net pay when it is above zero; a payslip
with nothing to pay (net pay 0) is left out, as a bank refuses a zero
transfer.  A correction run pays differences only: a corrected payslip pays
its net pay less the net pay of the payslip it replaces (all of it when the
worker had none).  A negative difference is money the worker was overpaid:
a bank file cannot take it back, so it is left out of the file and listed
on the run page, to be recovered from the worker (or set off against a
later month) outside the file.  Hence, to the fen:

    file total − negative differences = the run's net pay (a correction run carries differences).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0.00")
PAY_DATE_AHEAD_DAYS = 60  # a pay date further ahead is a typing error, not a plan


@dataclass(frozen=True)
class Payable:
    """One payslip of a run, with what it replaces (a correction's payslip)."""

    payslip_id: int
    worker_id: int
    net_pay: Decimal
    replaced_net: Decimal | None  # a correction's payslip: the net pay of the published payslip it replaces


@dataclass(frozen=True)
class Payment:
    payslip_id: int
    worker_id: int
    amount: Decimal  # > 0


@dataclass(frozen=True)
class Plan:
    paid: list[Payment]  # what the file pays
    not_paid: list[Payment]  # a correction's negative differences (amount < 0): recovered outside the file

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.paid), ZERO)

    @property
    def not_paid_total(self) -> Decimal:
        """How much the negative differences come to, as a positive amount."""
        return -sum((p.amount for p in self.not_paid), ZERO)


def plan(payables: Sequence[Payable], *, correction: bool) -> Plan:
    paid, not_paid = [], []
    for p in payables:
        amount = p.net_pay - (p.replaced_net or ZERO) if correction else p.net_pay
        if amount > 0:
            paid.append(Payment(p.payslip_id, p.worker_id, amount))
        elif amount < 0:
            not_paid.append(Payment(p.payslip_id, p.worker_id, amount))
    return Plan(paid, not_paid)


def purpose(month: date, *, correction: bool) -> str:
    """The purpose (用途) written on each line: what the bank shows the worker."""
    return f"{month.year}年{month.month:02d}月工资" + ("补发" if correction else "")


def file_name(month: date, run_id: int, pay_date: date, extension: str) -> str:
    """ASCII, chosen by the code: the month, the run and the pay date."""
    return f"payment-{month.isoformat()[:7]}-run{run_id}-{pay_date.strftime('%Y%m%d')}.{extension}"
