"""Time spent in the named steps of one build, for `mkdocs build -v` and the benchmark."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from time import perf_counter


class Clock:
    """Seconds per step, added up over the build; `str()` gives `step=1.234 … total=…`.

    A step timed within another counts for itself only: the outer one is charged the rest, so the
    total is the time spent in steps, each second counted once.
    """

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._inner: list[float] = []  # per open step, the seconds of the steps timed within it

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        start = perf_counter()
        self._inner.append(0.0)
        try:
            yield
        finally:
            elapsed = perf_counter() - start
            self.spent[step] = self.spent.get(step, 0.0) + elapsed - self._inner.pop()
            if self._inner:
                self._inner[-1] += elapsed

    def reset(self) -> None:
        self.spent = {}
        self._inner = []

    def __str__(self) -> str:
        return line(self.spent)


def line(spent: dict[str, float]) -> str:
    """`step=1.234 … total=…`, the steps in the order they were first timed."""
    parts = [*spent.items(), ("total", sum(spent.values()))]
    return " ".join(f"{step}={seconds:.3f}" for step, seconds in parts)


def parse(line: str) -> dict[str, float]:
    """The steps of a line written by `str(Clock)` (anything before the first step is ignored)."""
    return {step: float(value) for step, _, value in (part.partition("=") for part in line.split()) if value}
