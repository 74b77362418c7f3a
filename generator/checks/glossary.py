"""Checks of `content/glossary.yaml`."""

from __future__ import annotations

from generator.checks.text import check_text
from generator.content.loader import GlossarySource, dotted
from generator.content.pages import term_id
from generator.content.problems import Problems


def check_glossary(source: GlossarySource, problems: Problems) -> None:
    """Each word (a term or one of its other forms) belongs to one entry only; no raw HTML."""

    def add(loc: tuple, message: str, hint: str | None = None) -> None:
        line, column = source.source_map.locate(loc)
        problems.add(source.path, line, column, dotted(loc), message, hint)

    owners: dict[str, tuple[int, str]] = {}  # word → (entry index, entry term)
    for index, entry in enumerate(source.glossary.terms):
        for j, form in enumerate(entry.forms):
            loc = ("terms", index, "term") if j == 0 else ("terms", index, "also", j - 1)
            if form.casefold() in owners:
                owner_index, owner = owners[form.casefold()]
                add(loc, f"{form!r} is already in the glossary"
                    + (f" (under {owner!r})" if owner_index != index else ""))
            else:
                owners[form.casefold()] = (index, entry.term)
        if not term_id(entry.term):
            add(("terms", index, "term"), "a term needs at least one letter or digit")
        for name in ("term", "definition"):
            check_text(getattr(entry, name),
                       lambda message, hint=None, loc=("terms", index, name): add(loc, message, hint))

