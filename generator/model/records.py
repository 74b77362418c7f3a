"""The medicine record: what an editor writes in `content/medicines/<slug>/medicine.yaml`.

Every model forbids unknown keys, so a misspelled field is an error rather than silently
ignored text. Free text may use inline Markdown (emphasis, links) and cite a reference with
`[^key]`; raw HTML is rejected (see `checks/text.py`).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
HTTPS_URL_PATTERN = r"^https://\S+$"
SITE_URL_PATTERN = r"^https?://\S+/$"
LANGUAGE_PATTERN = r"^[a-z]{2}(-[A-Z]{2})?$"
# Each pattern in plain words, for an editor's message.
PATTERN_WORDS = {
    SLUG_PATTERN:
        "must be lowercase letters and digits, words joined by hyphens (like editorial-team)",
    HTTPS_URL_PATTERN: "must be a web address starting with https://",
    SITE_URL_PATTERN: "must be a web address starting with https:// and ending with /",
    LANGUAGE_PATTERN: "must be a language code like en or en-US",
}

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]


class Record(BaseModel):
    """Base for every part of a record: unknown keys are errors."""

    # Attribute docstrings become descriptions in the JSON Schema (`medguide schema`), which
    # editors see as hints while typing.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# ---------------------------------------------------------------- units and amounts

# Units an editor may use. Grouped into families so a maximum can be compared with a start.
MASS_UNITS = {"mcg": 0.001, "mg": 1.0, "g": 1000.0}
CONCENTRATION_UNITS = {"mcg/mL": 0.001, "mg/mL": 1.0}
VOLUME_UNITS = {"mL": 1.0}
TIME_UNITS = {"hours": 1.0, "days": 24.0, "weeks": 168.0, "months": 730.0}

# Plausible amounts per family, in its base unit (mg, mg/mL, mL): a dose, a day's total or
# a strength outside these is a typo (300,000 mg, 1e9 mg a day), not a guide. Wide on
# purpose: from a fraction of a microgram (intrathecal doses) to 10 g a day.
PLAUSIBLE_AMOUNTS = {"mass": (0.0001, 10_000.0), "concentration": (0.0001, 1_000.0),
                     "volume": (0.01, 500.0)}

Unit = Literal["mcg", "mg", "g", "mcg/mL", "mg/mL", "mL"]
TimeUnit = Literal["hours", "days", "weeks", "months"]


def unit_family(unit: str) -> str:
    for family, units in (("mass", MASS_UNITS), ("concentration", CONCENTRATION_UNITS),
                          ("volume", VOLUME_UNITS), ("time", TIME_UNITS)):
        if unit in units:
            return family
    raise ValueError(f"unknown unit {unit!r}")


def in_base_unit(value: float, unit: str) -> float:
    """The amount in the base unit of its family (mg, mg/mL, mL, hours)."""
    for units in (MASS_UNITS, CONCENTRATION_UNITS, VOLUME_UNITS, TIME_UNITS):
        if unit in units:
            return value * units[unit]
    raise ValueError(f"unknown unit {unit!r}")


class Amount(Record):
    # Infinity and NaN are numbers to YAML (.inf, .nan) but never a dose.
    value: Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)]
    unit: Unit

    @property
    def base(self) -> float:
        return in_base_unit(self.value, self.unit)


class Duration(Record):
    value: Annotated[int, Field(gt=0, strict=True)]
    unit: TimeUnit


# ---------------------------------------------------------------- identity and forms


class PrescriptionStatus(str, Enum):
    prescription_only = "prescription_only"
    controlled = "controlled"
    over_the_counter = "over_the_counter"


class Route(str, Enum):
    by_mouth = "by_mouth"
    intrathecal = "intrathecal"
    injection = "injection"
    rectal = "rectal"
    nasal = "nasal"


class DosageForm(str, Enum):
    tablet = "tablet"
    capsule = "capsule"
    extended_release_tablet = "extended_release_tablet"
    extended_release_capsule = "extended_release_capsule"
    orally_disintegrating_tablet = "orally_disintegrating_tablet"
    oral_solution = "oral_solution"
    oral_suspension = "oral_suspension"
    oral_granules = "oral_granules"
    injection = "injection"
    rectal_gel = "rectal_gel"
    nasal_spray = "nasal_spray"

    @property
    def strength_family(self) -> str | None:
        """How a strength of this form is measured: a solid per unit (mg per tablet, a
        "mass"), a liquid per mL (a "concentration"); None where either is written."""
        return STRENGTH_FAMILIES.get(self)


STRENGTH_FAMILIES = {
    DosageForm.tablet: "mass", DosageForm.capsule: "mass",
    DosageForm.extended_release_tablet: "mass", DosageForm.extended_release_capsule: "mass",
    DosageForm.orally_disintegrating_tablet: "mass", DosageForm.oral_granules: "mass",
    DosageForm.oral_solution: "concentration", DosageForm.oral_suspension: "concentration",
}


class Form(Record):
    id: Slug
    route: Route
    dosage_form: DosageForm
    strengths: Annotated[list[Amount], Field(min_length=1)]
    group: Slug
    """Forms in one group share a handout, e.g. `oral` for tablets and liquid, `pump`."""
    note: Text | None = None


class BrandName(Record):
    name: Text
    forms: list[Slug] = []
    note: Text | None = None


class DrugClass(Record):
    name: Text
    plain: Text


# ---------------------------------------------------------------- uses and dosing


class Uses(Record):
    approved: Annotated[list[Text], Field(min_length=1)]
    off_label: list[Text] = []
    not_for: list[Text] = []


class Population(str, Enum):
    adults = "adults"
    children = "children"
    older_adults = "older_adults"
    kidney_problems = "kidney_problems"
    liver_problems = "liver_problems"


class Dose(Record):
    """One dose, and how many times a day it is taken (the words are derived from the number)."""

    amount: Amount
    times_per_day: Annotated[int, Field(ge=1, le=8, strict=True)] | None = None
    """How many doses a day, as a number (the page writes "twice a day" from 2)."""


class DoseIncrease(Record):
    by: Amount
    every: Duration
    times_per_day: Annotated[int, Field(ge=1, le=8, strict=True)] | None = None


class DailyRange(Record):
    low: Amount
    high: Amount


class Regimen(Record):
    forms: Annotated[list[Slug], Field(min_length=1)]
    population: Population
    use: Text | None = None
    """What these doses are for, when one population has different doses for different uses."""
    starting_dose: Dose | None = None
    increase: DoseIncrease | None = None
    usual_daily_range: DailyRange | None = None
    maximum_daily_dose: Amount | None = None
    notes: list[Text] = []


class Dosing(Record):
    how_to_take: Annotated[list[Text], Field(min_length=1)]
    regimens: Annotated[list[Regimen], Field(min_length=1)]
    how_long: list[Text] = []


# ---------------------------------------------------------------- safety sections


class MissedDose(Record):
    what_to_do: Annotated[list[Text], Field(min_length=1)]


class Overdose(Record):
    signs: Annotated[list[Text], Field(min_length=1)]
    what_to_do: Annotated[list[Text], Field(min_length=1)]


class SideEffects(Record):
    common: Annotated[list[Text], Field(min_length=1)]
    call_prescriber: Annotated[list[Text], Field(min_length=1)]
    emergency: Annotated[list[Text], Field(min_length=1)]


class WarningKind(str, Enum):
    """What the warning in the box at the top of every page is. Readers know a black box as
    the FDA's strongest warning, so the site names each kind differently."""

    fda_boxed_warning = "fda_boxed_warning"  # the US label carries it as a boxed warning
    stopping_advice = "stopping_advice"  # our own advice: the label has no boxed warning


class Stopping(Record):
    withdrawal_risk: Annotated[bool, Field(strict=True)]
    """true if stopping suddenly is dangerous: every page then shows the warning box."""
    boxed_warning: Text | None = None
    """The warning shown in a box at the top of every page: the FDA boxed warning in plain
    words, or our own advice about stopping (say which in warning_kind). Required when
    withdrawal_risk is true."""
    warning_kind: WarningKind | None = None
    """fda_boxed_warning if the US label carries boxed_warning as an FDA boxed warning,
    stopping_advice if it is our own advice (the label has no boxed warning). Required with
    boxed_warning."""
    fda_boxed_warning_forms: list[Slug] = []
    """With fda_boxed_warning, when not every form's label carries it: the ids of the forms
    whose label does (e.g. only the pump). For the other forms it is shown as our advice."""
    risk: Annotated[list[Text], Field(min_length=1)]
    symptoms: list[Text] = []
    taper: Annotated[list[Text], Field(min_length=1)]
    get_help_if: list[Text] = []

    @model_validator(mode="after")
    def _boxed_warning_with_risk(self) -> "Stopping":
        if self.withdrawal_risk and not self.boxed_warning:
            raise ValueError("boxed_warning is required when withdrawal_risk is true")
        if self.boxed_warning and self.warning_kind is None:
            raise ValueError("warning_kind is required with boxed_warning: fda_boxed_warning "
                             "if the US label has it as a boxed warning, else stopping_advice")
        if self.fda_boxed_warning_forms and self.warning_kind is not WarningKind.fda_boxed_warning:
            raise ValueError("fda_boxed_warning_forms is only for warning_kind: fda_boxed_warning")
        return self

    @property
    def shows_warning_box(self) -> bool:
        """An FDA boxed warning is always shown; our stopping advice when stopping is risky."""
        return bool(self.boxed_warning) and (
            self.withdrawal_risk or self.warning_kind is WarningKind.fda_boxed_warning)


class MriAdvice(Record):
    """What to do before an MRI scan. The rules differ by pump make and model, and a scan can
    make some pumps release too much medicine, so this is never left to a list of travel tips."""

    advice: Annotated[list[Text], Field(min_length=1)]
    """Shown in a box of its own on the pump care page and on the pump handout."""
    wallet_card: Text
    """A line or two for emergency staff, printed on the wallet card (it must fit the card)."""


class WarningSigns(Record):
    """Signs to act on, shown as the list of a care box; the page's template sets its urgency."""

    signs: Annotated[list[Text], Field(min_length=1)]
    note: Text | None = None
    """What the signs can mean, shown after the list."""


class PumpCare(Record):
    refills: Annotated[list[Text], Field(min_length=1)]
    alarm: Annotated[list[Text], Field(min_length=1)]
    infection_signs: Annotated[list[Text], Field(min_length=1)]
    missed_refill: Annotated[list[Text], Field(min_length=1)]
    before_an_mri: MriAdvice
    too_much_medicine: WarningSigns
    """Signs that the pump gave too much medicine (after a refill, a dose change or a pump
    problem): shown under "Call 911 or go to the emergency room if…"."""
    catheter_tip_mass: WarningSigns
    """Signs of an inflammatory mass at the tip of the pump's tube: shown under "Call your pump
    team today if…"."""
    travel_and_scans: Annotated[list[Text], Field(min_length=1)]


class Severity(str, Enum):
    major = "major"
    moderate = "moderate"
    minor = "minor"


class Caution(Record):
    topic: Text
    text: Text


class Safety(Record):
    do_not_take_if: Annotated[list[Text], Field(min_length=1)]
    cautions: list[Caution] = []
    pregnancy: Annotated[list[Text], Field(min_length=1)]
    breastfeeding: Annotated[list[Text], Field(min_length=1)]
    driving: Annotated[list[Text], Field(min_length=1)]
    storage: Annotated[list[Text], Field(min_length=1)]
    disposal: Annotated[list[Text], Field(min_length=1)]


class Alternative(Record):
    name: Text
    text: Text


class Reference(Record):
    key: Slug
    title: Text
    publisher: Text
    year: Annotated[int, Field(ge=1900, le=2100, strict=True)]
    url: Annotated[str, StringConstraints(pattern=HTTPS_URL_PATTERN)] | None = None


# ---------------------------------------------------------------- review


class ReviewStatus(str, Enum):
    draft = "draft"
    submitted = "submitted"
    under_review = "under_review"
    approved = "approved"


ReviewerId = Slug


class Review(Record):
    status: ReviewStatus
    written_by: Annotated[list[ReviewerId], Field(min_length=1)]
    """Ids from content/reviewers.yaml of who wrote the guide."""
    reviewed_by: list[ReviewerId] = []
    """Ids from content/reviewers.yaml of who reviewed it; required when approved."""
    last_reviewed: dt.date
    """Date of the last review (YYYY-MM-DD); not before the newest change."""
    next_review_due: dt.date
    """Date the next review is due (YYYY-MM-DD); a published build stops after it."""

    @property
    def is_draft(self) -> bool:
        """A draft is the editor's work in progress: never published, never overdue."""
        return self.status is ReviewStatus.draft

    def overdue_on(self, day: dt.date) -> bool:
        """Whether the review is past due on `day`: the one comparison every stage (checks,
        pages, caches, the review report) asks."""
        return not self.is_draft and self.next_review_due < day

    def dated_after(self, day: dt.date) -> bool:
        """A review dated after `day` (a typo, or written ahead): an error until that day."""
        return self.last_reviewed > day

    @model_validator(mode="after")
    def _due_after_reviewed(self) -> "Review":
        if self.next_review_due <= self.last_reviewed:
            raise ValueError("next_review_due must be after last_reviewed")
        return self


class Change(Record):
    """One entry of a medicine's change log, shown to readers as "What changed"."""

    date: dt.date
    """When the change was made (YYYY-MM-DD)."""
    what: Text
    """What changed, in words a reader understands."""
    by: ReviewerId
    """Id from content/reviewers.yaml of who made the change."""


class Reviewer(Record):
    """Someone who writes or reviews guides: a person (name) or a team (role)."""

    id: ReviewerId
    name: Text | None = None
    role: Text | None = None
    credentials: Text | None = None

    @model_validator(mode="after")
    def _name_or_role(self) -> "Reviewer":
        if not (self.name or self.role):
            raise ValueError("a reviewer needs a name or a role")
        return self

    @property
    def byline(self) -> str:
        """How readers see them: "Name, credentials (role)" or "Role, credentials"."""
        text = self.name or self.role or ""
        if self.credentials:
            text += f", {self.credentials}"
        if self.name and self.role:
            text += f" ({self.role})"
        return text


class ReviewerList(Record):
    """`content/reviewers.yaml`: everyone a record may name, listed once."""

    reviewers: Annotated[list[Reviewer], Field(min_length=1)]


# ---------------------------------------------------------------- the record


class Medicine(Record):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True,
                              use_attribute_docstrings=True)

    generic_name: Text
    pronunciation: Text
    summary: Text
    brand_names: list[BrandName] = []
    drug_class: DrugClass
    # Ids from content/classes.yaml, so class-wide interaction rules apply to this medicine.
    classes: list[Slug] = []
    prescription_status: PrescriptionStatus
    forms: Annotated[list[Form], Field(min_length=1)]
    uses: Uses
    how_it_works: Annotated[list[Text], Field(min_length=1)]
    dosing: Dosing
    missed_dose: MissedDose
    overdose: Overdose
    side_effects: SideEffects
    stopping: Stopping
    pump_care: PumpCare | None = None
    safety: Safety
    alternatives: list[Alternative] = []
    questions_to_ask: Annotated[list[Text], Field(min_length=1)]
    references: list[Reference] = []
    review: Review
    changes: Annotated[list[Change], Field(min_length=1)]
    """The change log: date, what changed and by whom. Pages show it as "What changed"."""
    disclaimers: list[Text] = []

    @property
    def has_pump(self) -> bool:
        return any(form.route is Route.intrathecal for form in self.forms)


# ---------------------------------------------------------------- interactions


class ClassType(str, Enum):
    """What the other side of an interaction is, when it is not a medicine with a guide here."""

    medicine_class = "class"  # a group of medicines, e.g. opioids
    medicine = "medicine"  # one medicine without its own guide on this site, e.g. fluvoxamine
    substance = "substance"  # alcohol, cannabis


class InteractingClass(Record):
    """One entry of `content/classes.yaml`."""

    id: Slug
    type: ClassType
    name: Text
    plain: Text
    examples: list[Text] = []


class ClassList(Record):
    classes: Annotated[list[InteractingClass], Field(min_length=1)]


class InteractionKind(str, Enum):
    """How two things interact, in a few fixed words a patient can scan."""

    drowsiness = "drowsiness"  # adds to sleepiness, dizziness, slowed breathing
    blood_levels = "blood_levels"  # changes how much medicine is in the blood
    blood_pressure = "blood_pressure"  # adds to low blood pressure
    other = "other"


class Interaction(Record):
    """One file in `content/interactions/`: a rule for a pair of medicines, a medicine and a
    class, or two classes. Text is written so it reads right on either side's page."""

    between: Annotated[list[Slug], Field(min_length=2, max_length=2)]
    kinds: Annotated[list[InteractionKind], Field(min_length=1)]
    severity: Severity
    # The short answer. Required when the rule gives the page of a pair of medicines.
    summary: Text | None = None
    what_happens: Text
    watch_for: list[Text] = []
    what_to_do: Text
    higher_risk: list[Text] = []
    references: list[Reference] = []
    review: Review


# ---------------------------------------------------------------- site-wide content


class SiteSettings(Record):
    """`content/site.yaml`: what every page shares."""

    name: Text
    description: Text
    url: Annotated[str, StringConstraints(pattern=SITE_URL_PATTERN)]
    language: Annotated[str, StringConstraints(pattern=LANGUAGE_PATTERN)]
    emergency_number: Text
    poison_control_number: Text
    disclaimers: Annotated[list[Text], Field(min_length=1)]


PageId = Literal["overview", "how-to-take", "side-effects", "missed-or-extra-doses",
                 "stopping-safely", "pump-care", "interactions", "other-safety-information"]


class GlossaryScope(str, Enum):
    """Which pages explain a glossary word where they use it."""

    all_pages = "all_pages"
    pump_medicines = "pump_medicines"  # only pages of a medicine with a pump (intrathecal) form


class GlossaryTerm(Record):
    """One entry of `content/glossary.yaml`: a word patients meet, in plain words."""

    term: Text
    definition: Text
    # Other forms of the word to recognise on pages (plurals, -ing forms), e.g. [seizures].
    also: list[Text] = []
    scope: GlossaryScope = GlossaryScope.all_pages
    """Where pages explain the word: all_pages, or pump_medicines for a meaning that holds only
    on the pages of a medicine with a pump ("refill" of a pump, not of a prescription). The
    Glossary page lists every word."""

    @property
    def forms(self) -> list[str]:
        """The words that name this entry on a page: the term, then its other forms."""
        return [self.term, *self.also]


class Glossary(Record):
    terms: Annotated[list[GlossaryTerm], Field(min_length=1)]


class ProseFrontMatter(Record):
    """Front matter of a Markdown file in a medicine's folder: where its prose goes."""

    page: PageId
    title: Text


class SitePageFrontMatter(Record):
    """Front matter of a site-wide page in `content/pages/`."""

    title: Text
    description: Text
    nav_title: Text | None = None
