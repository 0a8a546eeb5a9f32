"""Ledger errors: one fault in the records, reported as PATH:LINE: FIELD: MESSAGE."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Error:
    path: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        field = self.field.replace(": ", ":")  # a key may hold ": "; the format must stay parseable
        return f"{self.path}:{self.line}: {field}: {self.message}".translate(_ONE_LINE)


# One error, one line: quoted record text (and file names) may hold line breaks or terminal controls.
_ONE_LINE = str.maketrans({c: repr(chr(c))[1:-1] for c in (*range(0x20), 0x7F, 0x85, 0x2028, 0x2029) if c != 0x09})


class LedgerError(Exception):
    """The ledger cannot be used: carries every error found."""

    def __init__(self, errors: list[Error]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def show(value: object, limit: int = 40) -> str:
    """A found value as quoted in a message, cut short."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"“{text}”"
