"""How long each build phase took, and progress on long builds.

A terminal gets a progress bar redrawn in place; anything else (CI, a log file) gets a plain
line at every tenth of the way, so logs stay short and readable.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from typing import Iterator, TextIO

# Fewer items than this finish too fast for progress to be worth printing.
PROGRESS_MIN_ITEMS = 200


class Phases:
    """Wall-clock seconds per named phase, in the order phases first ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time a step of the build under `name` (adds up when the same step runs again). An
        error that escapes it is noted with the step, for the message that reports it."""
        start = time.perf_counter()
        try:
            yield
        except Exception as exc:
            if not any(note.startswith(PHASE_NOTE) for note in getattr(exc, "__notes__", ())):
                exc.add_note(PHASE_NOTE + name)
            raise
        finally:
            self.add(name, time.perf_counter() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def summary(self) -> str:
        return summary(self.seconds)


def summary(seconds: dict[str, float]) -> str:
    """Phase times as a line: "load 0.03 s, check 0.00 s, ..."."""
    return ", ".join(f"{name} {value:.2f} s" for name, value in seconds.items())


# How `Phases.phase` notes the step an error escaped from.
PHASE_NOTE = "medguide phase: "


def failed_phase(exc: BaseException) -> str | None:
    """The step of the build `exc` escaped from, if it escaped from one."""
    for note in getattr(exc, "__notes__", ()):
        if note.startswith(PHASE_NOTE):
            return note.removeprefix(PHASE_NOTE)
    return None


def interactive(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """Progress through `total` items: a bar on a terminal, plain lines elsewhere."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None,
                 minimum: int = PROGRESS_MIN_ITEMS) -> None:
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.enabled = total >= minimum
        self.bar = self.enabled and interactive(self.stream)
        self.start = time.perf_counter()
        self.next_tenth = 1

    def advance(self, count: int = 1) -> None:
        if not self.enabled:
            return
        self.done = min(self.total, self.done + count)
        fraction = self.done / self.total
        elapsed = time.perf_counter() - self.start
        if self.bar:
            width = 30
            filled = int(width * fraction)
            self.stream.write(f"\r{self.label} [{'#' * filled}{' ' * (width - filled)}] "
                              f"{self.done}/{self.total} {elapsed:.0f} s")
            self.stream.flush()
        elif self.done * 10 >= self.next_tenth * self.total:
            self.stream.write(f"{self.label}: {self.done}/{self.total} "
                              f"({fraction:.0%}, {elapsed:.1f} s)\n")
            self.stream.flush()
            while self.done * 10 >= self.next_tenth * self.total:
                self.next_tenth += 1

    def close(self) -> None:
        if self.bar:
            self.stream.write("\n")
            self.stream.flush()
