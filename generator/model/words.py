"""Everyday words for what records hold: the one table of each, shared by the pages, the
handouts and the checker. Keyed by the enums' values (the enums are `str`s, so a member
finds its words too)."""

from __future__ import annotations

from collections.abc import Iterable

from generator.model.records import Form, Route

# How pages list a form ("Forms: tablets, liquid (oral solution)").
FORM_WORDS = {
    "tablet": "tablets", "capsule": "capsules",
    "extended_release_tablet": "extended-release tablets",
    "extended_release_capsule": "extended-release capsules",
    "orally_disintegrating_tablet": "orally disintegrating tablets (melt on the tongue)",
    "oral_solution": "liquid (oral solution)", "oral_suspension": "liquid (oral suspension)",
    "oral_granules": "granules", "injection": "injection", "rectal_gel": "rectal gel",
    "nasal_spray": "nasal spray",
}
ROUTE_WORDS = {
    "by_mouth": "taken by mouth",
    "intrathecal": "given by a needle or a pump into the fluid around the spinal cord",
    "injection": "given by injection", "rectal": "put into the back passage (rectum)",
    "nasal": "sprayed into the nose",
}
POPULATION_WORDS = {
    "adults": "Adults", "children": "Children", "older_adults": "Older adults",
    "kidney_problems": "People with kidney problems",
    "liver_problems": "People with liver problems",
}
# A guide's review status, as its page states it.
STATUS_WORDS = {
    "draft": "Draft", "submitted": "Submitted", "under_review": "Under review",
    "approved": "Approved",
}
PRESCRIPTION_WORDS = {
    "prescription_only": "Prescription only",
    "controlled": "Prescription only (controlled medicine)",
    "over_the_counter": "Available without a prescription",
}
# An interaction's severity, as pages and the checker name it.
SEVERITY_WORDS = {"major": "Serious", "moderate": "Moderate", "minor": "Minor"}
# Short words for forms, for titles, links and notes ("tablets and liquid", "pump").
SHORT_FORM_WORDS = {
    "tablet": "tablets", "capsule": "capsules",
    "extended_release_tablet": "tablets", "extended_release_capsule": "capsules",
    "orally_disintegrating_tablet": "tablets", "oral_solution": "liquid",
    "oral_suspension": "liquid", "oral_granules": "granules", "injection": "injection",
    "rectal_gel": "rectal gel", "nasal_spray": "nasal spray",
}
# What kind of interaction a rule is, as its page heads it.
KIND_WORDS = {
    "drowsiness": "Adds to sleepiness and dizziness",
    "blood_levels": "Changes the amount of medicine in the blood",
    "blood_pressure": "Adds to low blood pressure",
    "other": "Other effects",
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
