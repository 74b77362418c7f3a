"""Render records into page Markdown through the Jinja templates in `templates/pages/`.

Independent of MkDocs: the output is a list of `Page` objects. Templates run with
StrictUndefined (a missing field fails with the template's name and line) and HTML
autoescaping (text from content cannot become markup).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from pathlib import Path
from typing import Callable

import jinja2
import yaml

from .loader import Catalog, MedicineSource, Prose
from .model import Amount, Duration, Reference
from .pages import (MEDICINES_INDEX_URI, ONE_PAGE_LIST_MAX, Page, display_name,
                    letter_groups, page_kinds_for)
from .validate import CITATION

PAGE_TEMPLATES = "pages"

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
    "intrathecal": "given by a pump into the fluid around the spinal cord",
    "injection": "given by injection", "rectal": "put into the back passage (rectum)",
    "nasal": "sprayed into the nose",
}
POPULATION_WORDS = {
    "adults": "Adults", "children": "Children", "older_adults": "Older adults",
    "kidney_problems": "People with kidney problems",
    "liver_problems": "People with liver problems",
}
STATUS_WORDS = {
    "draft": "Draft", "submitted": "Submitted", "under_review": "Under review",
    "approved": "Approved",
}
PRESCRIPTION_WORDS = {
    "prescription_only": "Prescription only",
    "controlled": "Prescription only (controlled medicine)",
    "over_the_counter": "Available without a prescription",
}
SEVERITY_WORDS = {"major": "Serious", "moderate": "Moderate", "minor": "Minor"}


class TemplateProblem(Exception):
    """A template failed: names the template file and line."""

    def __init__(self, path: str, line: int, message: str):
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message

    def __reduce__(self):  # so it can travel back from a worker process
        return TemplateProblem, (self.path, self.line, self.message)


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def amount(value: Amount) -> str:
    return f"{number(value.value)} {value.unit}"


def times_a_day(count: int | None) -> str:
    if count is None:
        return ""
    return {1: "once a day", 2: "twice a day"}.get(count, f"{count} times a day")


def duration(value: Duration) -> str:
    unit = value.unit[:-1] if value.value == 1 else value.unit
    return f"{value.value} {unit}"


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def join_words(items: list[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        amount=amount, times_a_day=times_a_day, duration=duration, join_words=join_words,
        number=number, long_date=long_date,
        form_words=FORM_WORDS.__getitem__, route_words=ROUTE_WORDS.__getitem__,
        population_words=POPULATION_WORDS.__getitem__, status_words=STATUS_WORDS.__getitem__,
        prescription_words=PRESCRIPTION_WORDS.__getitem__,
        severity_words=SEVERITY_WORDS.__getitem__, prose_body=prose_markdown,
    )
    return env


def render_template(env: jinja2.Environment, template_name: str, **context) -> str:
    name = template_name
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(exc.filename or exc.name or name, exc.lineno or 1,
                              exc.message or "syntax error") from None
    except (jinja2.UndefinedError, TypeError, KeyError, AttributeError) as exc:
        path, line = _template_location(exc, name)
        raise TemplateProblem(path, line, str(exc)) from None


def _template_location(exc: BaseException, name: str) -> tuple[str, int]:
    """The innermost template frame of a rendering error (Jinja keeps template paths and
    lines in its tracebacks)."""
    location = (name, 1)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".j2", ".html")):
            location = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return location


# libyaml's emitter writes the same YAML as PyYAML's, several times faster.
FAST_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def front_matter(meta: dict) -> str:
    return "---\n" + yaml.dump(meta, Dumper=FAST_DUMPER, sort_keys=True,
                                allow_unicode=True) + "---\n\n"


def references_cited(markdown: str, references: list[Reference]) -> list[Reference]:
    """References cited in `markdown`, in order of first citation."""
    by_key = {ref.key: ref for ref in references}
    order: list[str] = []
    for match in CITATION.finditer(markdown):
        if match.group(1) not in order and match.group(1) in by_key:
            order.append(match.group(1))
    return [by_key[key] for key in order]


def render_medicine(env: jinja2.Environment, catalog: Catalog, source: MedicineSource
                    ) -> list[Page]:
    medicine = source.record
    kinds = page_kinds_for(medicine)
    name = display_name(medicine)
    pages = []
    for kind in kinds:
        title = kind.heading.format(name=name if kind.heading.startswith("{name}")
                                    else medicine.generic_name)
        context = dict(
            site=catalog.site, medicine=medicine, slug=source.slug, name=name, kind=kind,
            kinds=kinds, title=title, prose=[p for p in source.prose if p.page == kind.id],
        )
        body = render_template(env, f"{PAGE_TEMPLATES}/medicine/{kind.id}.md.j2", **context)
        body += render_template(env, f"{PAGE_TEMPLATES}/medicine/_footer.md.j2",
                                references=references_cited(body, medicine.references),
                                **context)
        description = f"{kind.nav_title} for {medicine.generic_name}: " + medicine.summary
        meta = {
            "title": title, "description": description[:300],
            "medicine": source.slug, "page_kind": kind.id,
            "review_status": medicine.review.status.value,
            "last_reviewed": medicine.review.last_reviewed.isoformat(),
            "next_review_due": medicine.review.next_review_due.isoformat(),
        }
        pages.append(Page(kind.src_uri(source.slug), title, kind.nav_title, description,
                          front_matter(meta) + body, source.slug))
    return pages


def render_catalog(catalog: Catalog, medicines: list[MedicineSource], templates_dir: Path,
                   renderer: Callable[[list[tuple[MedicineSource, Callable[[], list[Page]]]]],
                                      list[list[Page]]] | None = None) -> list[Page]:
    """Every page of the site, as Markdown. `medicines` are the ones to publish.

    `renderer` gets each medicine with a call that renders its pages, and returns their pages
    in order: it may take them from a cache, or spread the calls over several processes."""
    env = make_environment(templates_dir)
    pages: list[Page] = []
    ordered = sorted(medicines, key=lambda s: s.record.generic_name.casefold())
    short_list = ordered if len(ordered) <= ONE_PAGE_LIST_MAX else []
    letters = letter_groups(ordered) if not short_list else []
    for page in catalog.pages:
        fm = page.front_matter
        body = render_template(env, f"{PAGE_TEMPLATES}/site_page.md.j2", site=catalog.site,
                               page=fm, body=jinja2.utils.markupsafe.Markup(page.body),
                               medicines=short_list, name=page.name)
        meta = {"title": fm.title, "description": fm.description}
        pages.append(Page(f"{page.name}.md", fm.title, fm.nav_title or fm.title,
                          fm.description, front_matter(meta) + body))
    title = "Medicines A–Z"
    description = f"Every medicine in {catalog.site.name}, from A to Z."
    body = render_template(env, f"{PAGE_TEMPLATES}/medicines_index.md.j2", site=catalog.site,
                           medicines=short_list, letters=letters, title=title)
    pages.append(Page(MEDICINES_INDEX_URI, title, title, description,
                      front_matter({"title": title, "description": description}) + body))
    for letter in letters:
        letter_title = f"Medicines A–Z: {letter.label}"
        letter_description = (f"Medicines in {catalog.site.name} whose names start with "
                              f"{letter.label}.")
        body = render_template(env, f"{PAGE_TEMPLATES}/medicines_letter.md.j2",
                               site=catalog.site, letter=letter, letters=letters,
                               title=letter_title)
        pages.append(Page(letter.src_uri, letter_title, letter_title, letter_description,
                          front_matter({"title": letter_title,
                                        "description": letter_description}) + body,
                          in_nav=False))
    calls = [(source, partial(render_medicine, env, catalog, source)) for source in ordered]
    for medicine_pages in (renderer(calls) if renderer else [call() for _, call in calls]):
        pages.extend(medicine_pages)
    return pages


def prose_markdown(prose: Prose) -> jinja2.utils.markupsafe.Markup:
    """An editor's Markdown, already checked to hold no raw HTML, passed through unescaped."""
    return jinja2.utils.markupsafe.Markup(prose.body.strip())
