"""Checks of one text field, wherever it is: the content allowlist and the length limit."""

from __future__ import annotations

from typing import Any, Iterator

from generator.content.sanitize import content_problems
from generator.content.sourcemap import Loc
from generator.model.citations import REPEATED_CITATION

# The longest text of the bundled content is a boxed warning of 431 characters.
MAX_FIELD_CHARS = 1000


def check_text(text: str, report) -> None:
    """Report (as `report(message, hint)`) what in one field's text breaks the content
    allowlist (`sanitize.content_problems`) or is longer than a field may be."""
    for _, message, hint in content_problems(text):
        report(message, hint)
    if found := repeated_citation(text):
        report(*found[1:])
    if len(text) > MAX_FIELD_CHARS:
        report(f"text is {len(text):,} characters; at most {MAX_FIELD_CHARS:,} are allowed "
               "in one field", "split it into shorter points: patients read one point at a "
               "time, on a phone")


def repeated_citation(text: str) -> tuple[int, str, str] | None:
    """A reference cited twice in a row, as (column, message, hint): the page would show
    its number twice ("1, 1")."""
    match = REPEATED_CITATION.search(text)
    if match is None:
        return None
    return (match.start() + 1, f"cites [^{match.group(1)}] twice in a row",
            "cite it once; to cite two sources, use two keys")


def iter_text(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_text(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_text(item, loc + (index,))
