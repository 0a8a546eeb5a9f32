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
        return f"{self.path}:{self.line}: {self.field}: {self.message}"


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
