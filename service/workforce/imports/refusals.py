"""What every sheet import answers when it refuses a sheet: each problem with its row and column.

The roster, contract, attendance, pay-amount and assessment sheet imports share it, and so does the job that
runs an import and stores its row errors; it sits here, below all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.errors import Refused


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str
    # A warning the uploader may confirm by uploading again with its box ticked (the bank accounts' card
    # check digit), not an error to correct; a refusal lists it so that nothing is written unseen.
    warning: bool = False


class ImportRefused(Refused):
    """Every problem a sheet has, row by row; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors
