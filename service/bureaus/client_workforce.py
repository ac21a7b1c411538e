"""Client bureaus' recorded workforce (the 10% dispatch cap's denominator): the rules.

The figure hangs off the bureau record (``client_bureaus.direct_headcount``,
``cap_warning``; migration 0016), read by ``directory.workforce_rows`` and
written by ``actions.set_client_workforce``.  The cap itself (10%,
劳务派遣暂行规定 Art. 4) is here because the page shows it whatever the
warning setting; the compliance alert applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from service.accounts.models import StaffRole
from service.errors import N_, DomainError

HEADCOUNT_MAX = 10_000_000  # well inside the integer column; no bureau comes near it
BUREAU_MAX = 80
EDITORS = (StaffRole.ADMIN, StaffRole.HR_CLERK)  # who records a bureau's figure
DISPATCH_CAP_DIVISOR = 10  # dispatched ≤ 1/10 of direct + dispatched

# Who counts as dispatched to a client bureau: workers on probation, active or
# suspended (still employed and dispatched; a suspension does not end the
# dispatch) whose hire date has come.  Candidates have not started, leavers
# are gone.  The same set the compliance rules examine (``evaluate.EMPLOYED``).
DISPATCHED_STATUSES = ("probation", "active", "suspended")


def exceeds_dispatch_cap(direct_headcount: int, dispatched_headcount: int) -> bool:
    """More than 10% of the unit's workforce (direct-contract plus dispatched) is dispatched."""
    return dispatched_headcount * DISPATCH_CAP_DIVISOR > direct_headcount + dispatched_headcount


@dataclass(frozen=True)
class BureauWorkforce:
    """One row of the page."""

    client_bureau: str
    dispatched: int  # this tenant's dispatched workers there (DISPATCHED_STATUSES)
    direct_headcount: int | None  # None: not recorded
    cap_warning: bool
    bureau_id: int | None = None

    @property
    def total(self) -> int | None:
        return None if self.direct_headcount is None else self.direct_headcount + self.dispatched

    @property
    def ratio(self) -> Decimal | None:
        """Dispatched share of the workforce, in percent (one decimal)."""
        total = self.total
        if not total:
            return None
        return (Decimal(self.dispatched) * 100 / total).quantize(Decimal("0.1"))

    @property
    def above_cap(self) -> bool | None:
        """Above 10% (劳务派遣暂行规定 Art. 4), whatever the warning setting; None when not recorded."""
        if self.direct_headcount is None:
            return None
        return exceeds_dispatch_cap(self.direct_headcount, self.dispatched)


def parse_headcount(raw: object) -> int:
    """A headcount typed or given: a whole number from 0."""
    if isinstance(raw, bool):
        raise DomainError(N_("Enter the headcount as a whole number."), field="direct_headcount")
    if isinstance(raw, int):
        value = raw
    else:
        typed = str(raw).strip().replace(",", "").replace("，", "")
        if not typed:
            raise DomainError(N_("Enter the unit's direct-contract headcount."), field="direct_headcount")
        if typed.startswith("-") and typed[1:].isdigit():
            raise DomainError(N_("The headcount cannot be negative."), field="direct_headcount")
        if not typed.isascii() or not typed.isdigit():
            raise DomainError(N_("Enter the headcount as a whole number."), field="direct_headcount")
        typed = typed.lstrip("0") or "0"
        value = int(typed) if len(typed) <= len(str(HEADCOUNT_MAX)) else HEADCOUNT_MAX + 1  # int() refuses 4,300+ digits
    if value < 0:
        raise DomainError(N_("The headcount cannot be negative."), field="direct_headcount")
    if value > HEADCOUNT_MAX:
        raise DomainError(N_("At most {limit}."), field="direct_headcount", limit=HEADCOUNT_MAX)
    return value
