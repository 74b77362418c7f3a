"""Checks that span fields or files, run after each record has passed its schema.

The schema (model.py) says what a field may hold; this module says what must hold between
fields: doses that make sense, citations that exist, no raw HTML, reviews not overdue.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from .loader import Catalog, MedicineSource, dotted
from .model import Amount, Medicine, unit_family
from .problems import Problems
from .sourcemap import Loc

CITATION = re.compile(r"\[\^([^\]\s]+)\]")
RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<\s*[A-Za-z]+[\s/]")
UNSAFE_URL = re.compile(r"\]\(\s*(javascript|data|vbscript):", re.IGNORECASE)


def check_catalog(catalog: Catalog, today: dt.date, check_one=None) -> Problems:
    """Every problem in the catalog. `check_one(source, today, problems)` checks one medicine
    (a cached checker can stand in for `check_medicine`)."""
    check_one = check_one or check_medicine
    problems = Problems()
    seen_names: dict[str, MedicineSource] = {}
    for source in catalog.medicines:
        check_one(source, today, problems)
        name = source.record.generic_name.casefold()
        if name in seen_names:
            line, column = source.source_map.locate(("generic_name",))
            problems.add(source.path, line, column, "generic_name",
                         f"another medicine already uses this name "
                         f"({seen_names[name].path})")
        seen_names.setdefault(name, source)
    for page in catalog.pages:
        check_markdown(page.body, page.path, page.body_line, problems)
    return problems


def check_medicine(source: MedicineSource, today: dt.date, problems: Problems) -> None:
    record, path, smap = source.record, source.path, source.source_map

    def report(loc: Loc, message: str, hint: str | None = None, severity: str = "error"):
        line, column = smap.locate(loc)
        problems.add(path, line, column, dotted(loc), message, hint, severity)

    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", source.slug):
        problems.add(source.path.parent, 1, 1, "(folder)",
                     "folder name must be lowercase words joined by hyphens",
                     "it becomes the web address, e.g. baclofen")

    form_ids = [form.id for form in record.forms]
    for index, form_id in enumerate(form_ids):
        if form_ids.index(form_id) != index:
            report(("forms", index, "id"), f"form id {form_id!r} is used twice")
    for index, brand in enumerate(record.brand_names):
        for j, form_id in enumerate(brand.forms):
            if form_id not in form_ids:
                report(("brand_names", index, "forms", j), f"no form with id {form_id!r}",
                       "known forms: " + ", ".join(form_ids))
    for index, regimen in enumerate(record.dosing.regimens):
        for j, form_id in enumerate(regimen.forms):
            if form_id not in form_ids:
                report(("dosing", "regimens", index, "forms", j),
                       f"no form with id {form_id!r}", "known forms: " + ", ".join(form_ids))
        check_regimen(regimen, ("dosing", "regimens", index), report)

    if record.has_pump and record.pump_care is None:
        report(("forms",), "an intrathecal form needs a pump_care section",
               "add `pump_care:` with refills, alarm, infection_signs, missed_refill, "
               "travel_and_scans")
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

    if record.review.next_review_due < today:
        report(("review", "next_review_due"),
               f"review of {record.generic_name} was due on "
               f"{record.review.next_review_due.isoformat()} and is overdue",
               "review the content, then update review.last_reviewed and next_review_due")


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
    families = {unit_family(a.unit) for _, a in amounts}
    if len(families) > 1:
        first = amounts[0][1].unit
        for where, amount in amounts:
            if unit_family(amount.unit) != unit_family(first):
                report(where + ("unit",), f"unit {amount.unit} does not match {first} "
                       "used elsewhere in this regimen")
        return
    if usual and usual.low.base > usual.high.base:
        report(loc + ("usual_daily_range",), "low is greater than high")
    if maximum and start:
        daily_start = start.amount.base * (start.times_per_day or 1)
        if daily_start > maximum.base:
            report(loc + ("maximum_daily_dose",),
                   "maximum daily dose is less than the starting daily dose")
    if maximum and usual and usual.high.base > maximum.base:
        report(loc + ("usual_daily_range", "high"), "usual range goes above the maximum")
    if regimen.increase and not start:
        report(loc + ("increase",), "an increase needs a starting_dose to increase from")


def check_text(text: str, report) -> None:
    if RAW_HTML.search(text):
        report("raw HTML is not allowed in content",
               "write plain text; the site adds all formatting")
    if UNSAFE_URL.search(text):
        report("links must use https:// addresses")


def check_markdown(body: str, path, first_line: int, problems: Problems) -> None:
    in_code = False
    for offset, line_text in enumerate(body.splitlines()):
        if line_text.lstrip().startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        match = RAW_HTML.search(line_text) or UNSAFE_URL.search(line_text)
        if match:
            problems.add(path, first_line + offset, match.start() + 1, "(body)",
                         "raw HTML is not allowed in content" if RAW_HTML.search(line_text)
                         else "links must use https:// addresses",
                         "write Markdown only; the site adds all formatting")


def iter_text(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, str]]:
    if isinstance(value, str):
        yield loc, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from iter_text(item, loc + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_text(item, loc + (index,))


def published(medicine: Medicine, *, include_drafts: bool) -> bool:
    return include_drafts or medicine.review.status.value != "draft"
