"""Everyday words for what records hold, shared by the pages and the handouts."""

from __future__ import annotations

from collections.abc import Iterable

from .model import Form, Route

# Short words for forms, for titles, links and notes ("tablets and liquid", "pump").
SHORT_FORM_WORDS = {
    "tablet": "tablets", "capsule": "capsules",
    "extended_release_tablet": "tablets", "extended_release_capsule": "capsules",
    "orally_disintegrating_tablet": "tablets", "oral_solution": "liquid",
    "oral_suspension": "liquid", "oral_granules": "granules", "injection": "injection",
    "rectal_gel": "rectal gel", "nasal_spray": "nasal spray",
}


def join_words(items: Iterable[str]) -> str:
    """["a", "b", "c"] → "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def forms_in_words(forms: Iterable[Form]) -> str:
    """What the forms are, in a few words: "tablets and liquid", "pump"."""
    words: list[str] = []
    for form in forms:
        word = ("pump" if form.route is Route.intrathecal
                else SHORT_FORM_WORDS[form.dosage_form.value])
        if word not in words:
            words.append(word)
    return join_words(words)
