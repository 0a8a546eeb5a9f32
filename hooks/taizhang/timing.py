"""Time spent in the named steps of one build, for `mkdocs build -v` and the benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter


class Clock:
    """Seconds per step, added up over the build; `str()` gives `step=1.234 … total=…`."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        start = perf_counter()
        try:
            yield
        finally:
            self.spent[step] = self.spent.get(step, 0.0) + perf_counter() - start

    def reset(self) -> None:
        self.spent = {}

    def __str__(self) -> str:
        parts = [*self.spent.items(), ("total", sum(self.spent.values()))]
        return " ".join(f"{step}={seconds:.3f}" for step, seconds in parts)


def parse(line: str) -> dict[str, float]:
    """The steps of a line written by `str(Clock)` (anything before the first step is ignored)."""
    return {step: float(value) for step, _, value in (part.partition("=") for part in line.split()) if value}
