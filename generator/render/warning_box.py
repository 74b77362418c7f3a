"""What the warning box at the top of a medicine's pages and handouts is called.

A black-bordered box means "FDA boxed warning" on a label, so the site gives that name only
to a warning the US label carries as one (`warning_kind: fda_boxed_warning`), and only for
the forms whose label carries it. Our own advice about stopping keeps the same box, just as
visible, under a heading that says what it is. The page, its JSON-LD and the handouts all take
their words from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from generator.model.records import Form, Medicine, WarningKind
from generator.model.words import forms_in_words
from generator.render.plaintext import inline_plain

FDA_HEADING = "FDA boxed warning"


@dataclass(frozen=True)
class WarningBox:
    heading: str
    note: str  # whose warning it is, in a sentence or two

    def structured(self, text: str) -> str:
        """The JSON-LD `warning` of a Drug: the kind of warning, then the warning."""
        return f"{self.heading}. {self.note} {inline_plain(text)}"


def warning_box(medicine: Medicine, forms: Iterable[Form] | None = None) -> WarningBox | None:
    """The box for a page about `forms` (default: every form of the medicine), or None when
    the medicine shows no box."""
    stopping = medicine.stopping
    if not stopping.shows_warning_box:
        return None
    forms = list(forms if forms is not None else medicine.forms)
    if stopping.warning_kind is WarningKind.fda_boxed_warning:
        fda_ids = set(stopping.fda_boxed_warning_forms) or {form.id for form in medicine.forms}
        covered = [form for form in forms if form.id in fda_ids]
        others = [form for form in forms if form.id not in fda_ids]
    else:
        covered, others = [], forms
    if not covered:
        return WarningBox(f"Important: do not stop {medicine.generic_name} suddenly",
                          f"There is no FDA boxed warning for {naming(medicine, others)}. This "
                          "is our advice, based on the warnings in the label.")
    if not others:
        return WarningBox(FDA_HEADING, "This is the strongest kind of warning the FDA puts on "
                          "a medicine's label.")
    return WarningBox(f"{FDA_HEADING} for {naming(medicine, covered)}",
                      f"For {naming(medicine, others)}, this is our advice, based on the "
                      "warnings in the label.")


def naming(medicine: Medicine, forms: list[Form]) -> str:
    """ "baclofen" for all its forms, "baclofen tablets and liquid" for some."""
    if {form.id for form in forms} == {form.id for form in medicine.forms}:
        return medicine.generic_name
    words = forms_in_words(forms)
    if words == "pump":
        return f"the {medicine.generic_name} pump"
    return f"{medicine.generic_name} {words}"
