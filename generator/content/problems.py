"""Problems found in content, reported as `path:line:column: field: message`."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    column: int
    field: str
    message: str
    hint: str | None = None
    # "error", "warning", or "note": what an error takes down with it ("3 interaction rules
    # that name baclofen were skipped"), shown after the errors and not counted.
    severity: str = "error"
    # The generated page the problem belongs to, when it is known (a template failing on
    # one page); the preview shows the problem there.
    page: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        if self.severity == "note":
            return f"{self.path}: note: {self.message}"
        text = f"{self.path}:{self.line}:{self.column}: {self.field}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        if self.severity != "error":
            text = f"{text} [{self.severity}]"
        return text


# A problem as `str(Problem)` writes it (an error, with or without a hint).
PROBLEM_LINE = re.compile(r"(?P<path>\S+?):(?P<line>\d+):(?P<column>\d+): (?P<field>[^:]+?): "
                          r"(?P<message>.*?)(?: \((?P<hint>[^()]*)\))?$", re.DOTALL)


def parse_problem(text: str) -> Problem | None:
    """The problem `text` states, if it is one written as `str(Problem)` (as a plugin's
    exception message may be), else None."""
    match = PROBLEM_LINE.fullmatch(text.strip())
    if not match:
        return None
    return Problem(match["path"], int(match["line"]), int(match["column"]), match["field"],
                   match["message"], match["hint"])


@dataclass
class Problems:
    """Collects every problem of a run, so an editor sees them all at once."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int, column: int, field_name: str, message: str,
            hint: str | None = None, severity: str = "error", page: str | None = None) -> None:
        self.items.append(Problem(display_path(path), line, column, field_name, message, hint,
                                  severity, page))

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    # Sorted, each reported once: a broken template fails every page that uses it, but is
    # one problem to fix (problems that differ only in `page` are equal).
    @property
    def errors(self) -> list[Problem]:
        return sorted({p for p in self.items if p.severity == "error"})

    @property
    def warnings(self) -> list[Problem]:
        return sorted({p for p in self.items if p.severity == "warning"})

    @property
    def notes(self) -> list[Problem]:
        return sorted({p for p in self.items if p.severity == "note"})

    @property
    def in_report_order(self) -> list[Problem]:
        """As the editor reads them: the root problems first, then what they took down (notes),
        then warnings."""
        return self.errors + self.notes + self.warnings

    def __bool__(self) -> bool:
        return bool(self.items)


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory when possible: short and clickable in editors."""
    return _relative_to(str(path), os.getcwd())


@functools.lru_cache(maxsize=1024)
def _relative_to(path: str, cwd: str) -> str:
    # Remembered: the checks name the same few files for each of a thousand medicines,
    # and resolving a path reads every folder on its way.
    try:
        return str(Path(path).resolve().relative_to(Path(cwd).resolve()))
    except ValueError:
        return path
