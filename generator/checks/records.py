"""Checks that span fields or files, run after each record has passed its schema.

The schema (model.py) says what a field may hold; this module says what must hold between
fields and files: doses and units that make sense, citations and reviewer ids that exist,
an approval by someone qualified, a change log that agrees with the review date, no raw
HTML or unsafe links, reviews not overdue, no TODO left in a submitted guide, no two
medicines with one name.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from generator.checks.interactions import check_interactions
from generator.checks.review import check_overdue
from generator.checks.review import check_review as check_record_review
from generator.checks.text import check_text, iter_text, repeated_citation
from generator.content.loader import REVIEWERS_FILE, Catalog, MedicineSource, dotted
from generator.content.problems import Problems, display_path
from generator.content.sanitize import content_problems
from generator.content.sourcemap import Loc
from generator.model.citations import CITATION
from generator.model.records import (
    PLAUSIBLE_AMOUNTS,
    SLUG_PATTERN,
    Amount,
    Medicine,
    PumpCare,
    unit_family,
)

TODO = re.compile(r"\bTODO\b")


def check_catalog(catalog: Catalog, today: dt.date, *, allow_overdue: bool = False,
                  check_one=None, check_store=None) -> Problems:
    """Every problem in the catalog. `check_one` checks one medicine as `check_medicine`
    does, `check_store` the interaction store as `check_interactions` does (cached checkers
    can stand in)."""
    check_one = check_one or check_medicine
    check_store = check_store or check_interactions
    problems = Problems()
    seen_names: dict[str, MedicineSource] = {}
    for source in catalog.medicines:
        check_one(source, today, problems, allow_overdue=allow_overdue)
        check_review(source, catalog, problems, today)
        name = source.record.generic_name.casefold()
        if name in seen_names:
            line, column = source.source_map.locate(("generic_name",))
            problems.add(source.path, line, column, "generic_name",
                         f"another medicine already uses this name "
                         f"({display_path(seen_names[name].path)})")
        seen_names.setdefault(name, source)
    check_brand_names(catalog, seen_names, problems)
    for page in catalog.pages:
        check_markdown(page.body, page.path, page.body_line, problems)
        check_front_matter(page.path, page.front_matter.model_dump(mode="json"),
                           page.body_line, problems)
    check_shared_texts(catalog, problems)
    check_store(catalog, today, problems, allow_overdue=allow_overdue)
    return problems


def check_front_matter(path, fields: dict, body_line: int, problems: Problems) -> None:
    """The content allowlist over a Markdown file's front matter (titles reach headings,
    navigation and the page's <title>)."""
    head = path.read_text(encoding="utf-8").splitlines()[:body_line]
    for loc, text in iter_text(fields):
        line = next((n for n, line_text in enumerate(head, start=1)
                     if line_text.startswith(f"{loc[0]}:")), 1)
        check_text(text, lambda message, hint=None, loc=loc, line=line: problems.add(
            path, line, 1, dotted(loc), message, hint))


def check_shared_texts(catalog: Catalog, problems: Problems) -> None:
    """The content allowlist over the files every page shares: site.yaml, classes.yaml and
    reviewers.yaml (each text reaches pages and handouts; `glossary` checks its own)."""
    shared = []
    if catalog.site is not None and catalog.site_map is not None:
        shared.append((catalog.root / "site.yaml", catalog.site, catalog.site_map))
    if catalog.classes is not None:
        shared.append((catalog.classes.path, catalog.classes.record, catalog.classes.source_map))
    if catalog.reviewers and catalog.reviewers_map is not None:
        shared.append((catalog.root / REVIEWERS_FILE,
                       {"reviewers": [r.model_dump(mode="json") for r in
                                      catalog.reviewers.values()]}, catalog.reviewers_map))
    for path, record, source_map in shared:
        data = record if isinstance(record, dict) else record.model_dump(mode="json")
        for loc, text in iter_text(data):
            line, column = source_map.locate(loc)
            check_text(text, lambda message, hint=None, loc=loc, line=line, column=column:
                       problems.add(path, line, column, dotted(loc), message, hint))


def check_brand_names(catalog: Catalog, by_name: dict[str, MedicineSource],
                      problems: Problems) -> None:
    """A brand name must not be another medicine's generic name: readers would land on the
    wrong guide."""
    for source in catalog.medicines:
        for index, brand in enumerate(source.record.brand_names):
            other = by_name.get(brand.name.casefold())
            if other is not None and other is not source:
                line, column = source.source_map.locate(("brand_names", index, "name"))
                problems.add(source.path, line, column, f"brand_names[{index}].name",
                             f"{brand.name!r} is the generic name of another medicine "
                             f"({display_path(other.path)})")


def check_review(source: MedicineSource, catalog: Catalog, problems: Problems,
                 today: dt.date | None = None) -> None:
    """A medicine's review against the review rules (`checks.review`)."""
    def report(loc: Loc, message: str, hint: str | None = None) -> None:
        line, column = source.source_map.locate(loc)
        problems.add(source.path, line, column, dotted(loc), message, hint)

    check_record_review(source.record.review, catalog.reviewers,
                        display_path(catalog.root / REVIEWERS_FILE), report,
                        changes=source.record.changes, today=today)


def check_medicine(source: MedicineSource, today: dt.date, problems: Problems, *,
                   allow_overdue: bool = False) -> None:
    record, path, smap = source.record, source.path, source.source_map

    def report(loc: Loc, message: str, hint: str | None = None, severity: str = "error"):
        line, column = smap.locate(loc)
        problems.add(path, line, column, dotted(loc), message, hint, severity)

    if not re.fullmatch(SLUG_PATTERN, source.slug):
        problems.add(source.path.parent, 1, 1, "(folder)",
                     "folder name must be lowercase words joined by hyphens",
                     "it becomes the web address, e.g. baclofen")

    slug_from_name = slugify(record.generic_name)
    if slug_from_name and slug_from_name != source.slug:
        line, column = smap.locate(("generic_name",))
        problems.add(path, line, column, "generic_name",
                     f"generic name {record.generic_name!r} does not match the folder name "
                     f"{source.slug!r}", f"expected the folder medicines/{slug_from_name}",
                     "warning")

    for loc, amount in amounts_in(record):
        check_magnitude(amount, loc, report)
    form_ids = [form.id for form in record.forms]
    for index, form in enumerate(record.forms):
        check_strength_units(form, ("forms", index), report)
    for index, form_id in enumerate(form_ids):
        if form_ids.index(form_id) != index:
            report(("forms", index, "id"), f"form id {form_id!r} is used twice")
    for index, brand in enumerate(record.brand_names):
        for j, form_id in enumerate(brand.forms):
            if form_id not in form_ids:
                report(("brand_names", index, "forms", j), f"no form with id {form_id!r}",
                       "known forms: " + ", ".join(form_ids))
    for j, form_id in enumerate(record.stopping.fda_boxed_warning_forms):
        if form_id not in form_ids:
            report(("stopping", "fda_boxed_warning_forms", j), f"no form with id {form_id!r}",
                   "known forms: " + ", ".join(form_ids))
    for index, regimen in enumerate(record.dosing.regimens):
        for j, form_id in enumerate(regimen.forms):
            if form_id not in form_ids:
                report(("dosing", "regimens", index, "forms", j),
                       f"no form with id {form_id!r}", "known forms: " + ", ".join(form_ids))
        check_regimen(regimen, ("dosing", "regimens", index), report)

    if record.has_pump and record.pump_care is None:
        report(("forms",), "an intrathecal form needs a pump_care section",
               "add `pump_care:` with " + ", ".join(PumpCare.model_fields))
    if record.pump_care is not None and not record.has_pump:
        report(("pump_care",), "pump_care is only for medicines with an intrathecal form")

    keys = [ref.key for ref in record.references]
    cited: set[str] = set()
    for loc, text in iter_text(record.model_dump(mode="json", by_alias=True)):
        for match in CITATION.finditer(text):
            cited.add(match.group(1))
            if match.group(1) not in keys:
                report(loc, f"cites unknown reference [^{match.group(1)}]",
                       "add it under references: or fix the key")
        check_text(text, lambda message, hint=None, loc=loc: report(loc, message, hint))
    for prose in source.prose:
        check_markdown(prose.body, prose.path, prose.body_line, problems)
        check_front_matter(prose.path, {"title": prose.title}, prose.body_line, problems)
        for offset, line_text in enumerate(prose.body.splitlines()):
            for match in CITATION.finditer(line_text):
                cited.add(match.group(1))
                if match.group(1) not in keys:
                    problems.add(prose.path, prose.body_line + offset, match.start() + 1,
                                 "(body)", f"cites unknown reference [^{match.group(1)}]")
    for index, ref in enumerate(record.references):
        if ref.key not in cited:
            report(("references", index, "key"), f"reference {ref.key!r} is never cited",
                   severity="warning")

    check_overdue(record.review, today, record.generic_name, report,
                  allow_overdue=allow_overdue)

    check_todo_markers(source, problems)


def check_todo_markers(source: MedicineSource, problems: Problems) -> None:
    """TODO markers left by `medguide new`: a warning while the record is a draft, an
    error once it is submitted for review (half-written guides never reach patients)."""
    draft = source.record.review.is_draft
    severity = "warning" if draft else "error"
    hint = ("fill this in, then delete the TODO" if draft
            else "fill this in and delete the TODO, or set review.status back to draft")
    for number, line_text in enumerate(source.text.splitlines(), start=1):
        for match in TODO.finditer(line_text):
            field = ("(comment)" if line_text.lstrip().startswith("#")
                     else source.source_map.field_at(number))
            problems.add(source.path, number, match.start() + 1, field,
                         "unfinished: TODO marker", hint, severity)
    for prose in source.prose:
        for offset, line_text in enumerate(prose.body.splitlines()):
            for match in TODO.finditer(line_text):
                problems.add(prose.path, prose.body_line + offset, match.start() + 1, "(body)",
                             "unfinished: TODO marker", hint, severity)


def check_strength_units(form, loc: Loc, report) -> None:
    """A tablet's strength is a mass (mg per tablet); a liquid's is a concentration (mg/mL).
    A volume alone is never a strength."""
    for index, strength in enumerate(form.strengths):
        family = unit_family(strength.unit)
        where = loc + ("strengths", index, "unit")
        if family == "volume":
            report(where, f"{strength.unit} is a volume, not a strength",
                   "write how much medicine is in it, such as mg or mg/mL")
        elif form.dosage_form.strength_family == "mass" and family != "mass":
            report(where, f"the strength of a {form.dosage_form.value.replace('_', ' ')} is an "
                   f"amount per unit (mcg, mg or g), not {strength.unit}")
        elif form.dosage_form.strength_family == "concentration" and family != "concentration":
            report(where, f"the strength of a {form.dosage_form.value.replace('_', ' ')} is an "
                   f"amount per mL (mcg/mL or mg/mL), not {strength.unit}")


BASE_UNITS = {"mass": "mg", "concentration": "mg/mL", "volume": "mL"}


def amounts_in(record: Medicine) -> Iterator[tuple[Loc, Amount]]:
    """Every amount of a record (strengths and doses) with where it is written."""
    for index, form in enumerate(record.forms):
        for j, strength in enumerate(form.strengths):
            yield ("forms", index, "strengths", j), strength
    for index, regimen in enumerate(record.dosing.regimens):
        loc = ("dosing", "regimens", index)
        if regimen.starting_dose:
            yield loc + ("starting_dose", "amount"), regimen.starting_dose.amount
        if regimen.increase:
            yield loc + ("increase", "by"), regimen.increase.by
        if regimen.usual_daily_range:
            yield loc + ("usual_daily_range", "low"), regimen.usual_daily_range.low
            yield loc + ("usual_daily_range", "high"), regimen.usual_daily_range.high
        if regimen.maximum_daily_dose:
            yield loc + ("maximum_daily_dose",), regimen.maximum_daily_dose


def check_magnitude(amount: Amount, loc: Loc, report) -> None:
    family = unit_family(amount.unit)
    low, high = PLAUSIBLE_AMOUNTS[family]
    if not low <= amount.base <= high:
        base = BASE_UNITS[family]
        report(loc + ("value",), f"{amount_words(amount)} is outside the plausible range "
               f"for an amount in {amount.unit} ({low:g} to {high:g} {base})",
               "check the number and the unit")


def number_words(value: float) -> str:
    return f"{value:.6g}"


def amount_words(amount: Amount) -> str:
    """`900 mcg = 0.9 mg`: an amount, and in the family's base unit when that differs, so a
    comparison between micrograms and milligrams explains itself."""
    text = f"{number_words(amount.value)} {amount.unit}"
    base = BASE_UNITS.get(unit_family(amount.unit))
    if base and base != amount.unit:
        text += f" = {number_words(amount.base)} {base}"
    return text


def check_regimen(regimen, loc: Loc, report) -> None:
    """Doses in one regimen must agree: same unit family, start <= range <= maximum."""
    start = regimen.starting_dose
    maximum = regimen.maximum_daily_dose
    usual = regimen.usual_daily_range
    amounts: list[tuple[Loc, Amount]] = []
    if start:
        amounts.append((loc + ("starting_dose", "amount"), start.amount))
    if regimen.increase:
        amounts.append((loc + ("increase", "by"), regimen.increase.by))
    if usual:
        amounts += [(loc + ("usual_daily_range", "low"), usual.low),
                    (loc + ("usual_daily_range", "high"), usual.high)]
    if maximum:
        amounts.append((loc + ("maximum_daily_dose",), maximum))
    for where, amount in amounts:
        if unit_family(amount.unit) == "concentration":
            report(where + ("unit",), f"a dose is an amount (mcg, mg, g or mL), not a "
                   f"concentration ({amount.unit})")
            return
    families = {unit_family(a.unit) for _, a in amounts}
    if len(families) > 1:
        first = amounts[0][1].unit
        for where, amount in amounts:
            if unit_family(amount.unit) != unit_family(first):
                report(where + ("unit",), f"unit {amount.unit} does not match {first} "
                       "used elsewhere in this regimen")
        return
    if usual and usual.low.base > usual.high.base:
        report(loc + ("usual_daily_range",),
               f"low ({amount_words(usual.low)}) is greater than high "
               f"({amount_words(usual.high)})")
    if maximum and start:
        times = start.times_per_day or 1
        daily_start = start.amount.base * times
        if daily_start > maximum.base:
            per_day = (f"{number_words(daily_start)} {BASE_UNITS[unit_family(start.amount.unit)]}"
                       f" a day: {start.amount.value:g} {start.amount.unit} {times} times a day"
                       if times > 1 else amount_words(start.amount))
            report(loc + ("maximum_daily_dose",),
                   f"maximum daily dose ({amount_words(maximum)}) is less than the starting "
                   f"daily dose ({per_day})")
    if maximum and usual and usual.high.base > maximum.base:
        report(loc + ("usual_daily_range", "high"),
               f"usual range goes up to {amount_words(usual.high)}, above the maximum "
               f"daily dose ({amount_words(maximum)})")
    if regimen.increase and not start:
        report(loc + ("increase",), "an increase needs a starting_dose to increase from")
    if (start and regimen.increase and start.times_per_day and regimen.increase.times_per_day
            and start.times_per_day != regimen.increase.times_per_day):
        report(loc + ("increase", "times_per_day"),
               f"the increase is for doses taken {regimen.increase.times_per_day} times a day, "
               f"but the starting dose is taken {start.times_per_day} times a day")
    if maximum:
        for index, note in enumerate(regimen.notes):
            for statement, daily in dose_statements(note):
                if unit_family(daily.unit) == unit_family(maximum.unit) and (
                        daily.base > maximum.base * (1 + 1e-9)):
                    report(loc + ("notes", index),
                           f"{statement!r} makes {format_amount(daily)} a day, more than the "
                           f"maximum daily dose of {format_amount(maximum)}",
                           "fix the note or maximum_daily_dose")


COUNT_WORDS = {"once": 1, "twice": 2, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
               "six": 6, "seven": 7, "eight": 8}
_COUNT = r"(?:\d+|one|two|three|four|five|six|seven|eight)"
_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(mcg|mg|g|mL)\b")
# "N times a day", "N or M times a day", "twice a day", "every N hours", "a day", "daily"
_FREQUENCY = re.compile(
    rf"\b(?:(?P<n>{_COUNT})(?:\s+(?:or|to)\s+(?P<m>{_COUNT}))?\s+times?\s+(?:a|per|each)\s+day"
    rf"|(?P<word>once|twice)\s+(?:a|per|each)\s+day"
    rf"|every\s+(?P<hours>\d+)\s+hours"
    rf"|(?P<daily>(?:a|per|each)\s+day|daily))\b", re.IGNORECASE)


def dose_statements(text: str) -> Iterator[tuple[str, Amount]]:
    """Doses a sentence states with how often ("20 mg four times a day"), as (the words,
    the daily total they make). Frequency words apply to the amounts just before them."""
    for sentence in re.split(r"(?<=[.;!?])\s+", " ".join(text.split())):
        start = 0
        for freq in _FREQUENCY.finditer(sentence):
            amounts = list(_AMOUNT.finditer(sentence, start, freq.start()))
            start = freq.end()
            if not amounts:
                continue
            if freq.group("daily"):
                per_day = 1
            elif freq.group("word"):
                per_day = COUNT_WORDS[freq.group("word").lower()]
            elif freq.group("hours"):
                per_day = max(1, 24 // max(1, int(freq.group("hours"))))
            else:
                counts = [freq.group("n"), freq.group("m")]
                per_day = max(int(c) if c.isdigit() else COUNT_WORDS[c.lower()]
                              for c in counts if c)
            unit = amounts[-1].group(2)
            largest = max(float(a.group(1)) for a in amounts if a.group(2) == unit)
            words = sentence[amounts[0].start():freq.end()]
            yield words, Amount(value=largest * per_day, unit=unit)


def format_amount(value: Amount) -> str:
    number = value.value
    return f"{int(number) if float(number).is_integer() else number:g} {value.unit}"


def slugify(name: str) -> str:
    """The folder name (and web address) a generic name gives: lowercase words and hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", name.casefold()))


def check_markdown(body: str, path, first_line: int, problems: Problems) -> None:
    """The content allowlist, line by line, over a Markdown body (code blocks are text)."""
    in_code = False
    for offset, line_text in enumerate(body.splitlines()):
        if line_text.lstrip().startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        for column, message, hint in content_problems(line_text, markdown=True):
            problems.add(path, first_line + offset, column, "(body)", message, hint)
        if found := repeated_citation(line_text):
            problems.add(path, first_line + offset, found[0], "(body)", *found[1:])
