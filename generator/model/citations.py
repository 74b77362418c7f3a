"""Citations: how a text cites one of its record's references (`[^label]`), the one
pattern every stage uses."""

from __future__ import annotations

import re

from generator.model.records import Reference

CITATION = re.compile(r"\[\^([^\]\s]+)\]")
# The same reference cited twice in a row (`[^a][^a]`): it would read "1, 1".
REPEATED_CITATION = re.compile(r"\[\^([^\]\s]+)\]\s*\[\^\1\]")


def references_cited(markdown: str, references: list[Reference]) -> list[Reference]:
    """References cited in `markdown`, in order of first citation."""
    by_key = {ref.key: ref for ref in references}
    order: list[str] = []
    for match in CITATION.finditer(markdown):
        if match.group(1) not in order and match.group(1) in by_key:
            order.append(match.group(1))
    return [by_key[key] for key in order]
