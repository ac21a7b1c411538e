"""What every sheet import answers when it refuses a sheet: each problem with its row and column.

The roster, contract, attendance, pay-amount and assessment sheet imports share it, and so does the job that
runs an import and stores its row errors; it sits here, below all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def refused_rows(error: Exception, messages: Mapping[str, str]) -> list[RowError]:
    """What an upload form shows when it is refused: the sheet's problems row by row, or the form's own
    messages (no file, a file too large) as lines without a row."""
    if isinstance(error, ImportRefused):
        return list(error.errors)
    return [RowError(0, "", message) for message in messages.values()]
