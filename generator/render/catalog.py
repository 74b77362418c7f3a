"""Render records into page Markdown through the Jinja templates in `templates/pages/`.

Independent of MkDocs: the output is a list of `Page` objects. Templates run with
StrictUndefined (a missing field fails with the template's name and line) and HTML
autoescaping (text from content cannot become markup).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Callable

import jinja2

from generator.content.interactions import InteractionIndex
from generator.content.loader import Catalog, MedicineSource, Prose
from generator.content.pages import (
    GLOSSARY_URI,
    MEDICINES_INDEX_URI,
    ONE_PAGE_LIST_MAX,
    SEARCH_URI,
    Page,
    display_name,
    letter_groups,
    page_kinds_for,
    term_id,
)
from generator.content.problems import Problems
from generator.model.citations import CITATION, references_cited
from generator.model.records import Amount, Duration
from generator.model.review_date import guide_date
from generator.model.words import (
    FORM_WORDS,
    KIND_WORDS,
    POPULATION_WORDS,
    PRESCRIPTION_WORDS,
    ROUTE_WORDS,
    SEVERITY_WORDS,
    STATUS_WORDS,
    join_words,
)
from generator.render.interaction_pages import (
    cited,
    namespaced_references,
    render_interaction_pages,
    source_key,
)
from generator.render.plaintext import inline_plain, shorten
from generator.render.review import review_view
from generator.render.templates import TemplateProblem, front_matter, render_template
from generator.render.warning_box import warning_box

PAGE_TEMPLATES = "pages"
# Search engines show about this many characters of a meta description.
DESCRIPTION_LIMIT = 160



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


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        # Compiling the templates took half of a check's time. Jinja's own cache (a
        # private folder of this user's, keyed by template path and source checksum)
        # makes it a file read; the output does not depend on it.
        bytecode_cache=jinja2.FileSystemBytecodeCache(),
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
        term_id=term_id,
        kind_words=KIND_WORDS.__getitem__, cited=cited, plain=inline_plain,
    )
    return env





def render_medicine(env: jinja2.Environment, catalog: Catalog, source: MedicineSource,
                    today: dt.date | None = None, problems: Problems | None = None,
                    index: InteractionIndex | None = None, handouts: Sequence = ()
                    ) -> list[Page]:
    """The pages of one medicine. With `problems`, a page whose template fails is reported
    there and left out (the preview shows the rest); without, the failure is raised."""
    medicine = source.record
    kinds = page_kinds_for(medicine)
    name = display_name(medicine)
    review = review_view(source, catalog, today or dt.date.today())
    interactions = index.for_medicine(source.slug) if index is not None else []
    references = list(medicine.references) + namespaced_references(interactions)
    # A rule citing a source the medicine's own record lists uses the medicine's footnote,
    # so no page lists one source twice.
    own_keys = {source_key(ref): ref.key for ref in medicine.references}
    pages = []
    for kind in kinds:
        title = kind.heading.format(name=name if kind.heading.startswith("{name}")
                                    else medicine.generic_name)
        context = dict(
            site=catalog.site, medicine=medicine, slug=source.slug, name=name, kind=kind,
            kinds=kinds, title=title, prose=[p for p in source.prose if p.page == kind.id],
            review=review, interactions=interactions, handouts=handouts,
            warning=warning_box(medicine),
        )
        try:
            body = render_template(env, f"{PAGE_TEMPLATES}/medicine/{kind.id}.md.j2",
                                   **context)
            body = CITATION.sub(lambda m: f"[^{own_keys.get(m.group(1), m.group(1))}]", body)
            body += render_template(env, f"{PAGE_TEMPLATES}/medicine/_footer.md.j2",
                                    references=references_cited(body, references),
                                    **context)
        except TemplateProblem as exc:
            if problems is None:
                raise
            problems.add(exc.path, exc.line, 1, "(template)", exc.message,
                         page=kind.src_uri(source.slug))
            continue
        description = shorten(page_description(kind, medicine, name), DESCRIPTION_LIMIT)
        meta = {
            "title": title, "description": description,
            "medicine": source.slug,
            # the date the page shows (see review_date.py), also the sitemap's lastmod
            "guide_date": review.dated.date.isoformat(),
        }
        pages.append(Page(kind.src_uri(source.slug), title, kind.nav_title, description,
                          front_matter(meta) + body, source.slug))
    return pages


def a_to_z(medicines: list[MedicineSource]) -> list[dict]:
    """Generic and brand names, A to Z. A brand entry points to its generic medicine."""
    entries = [{"name": display_name(s.record), "slug": s.slug, "generic": None,
                "summary": s.record.summary, "brands": [b.name for b in s.record.brand_names]}
               for s in medicines]
    entries += [{"name": brand.name, "slug": s.slug, "generic": s.record.generic_name,
                 "summary": None, "brands": []}
                for s in medicines for brand in s.record.brand_names]
    entries.sort(key=lambda e: (e["name"].casefold(), e["generic"] or ""))
    for entry in entries:
        first = entry["name"][:1].upper()
        entry["letter"] = first if first.isalpha() else "#"
    return entries


def page_description(kind, medicine, name: str) -> str:
    """Capitalised name at the start of a sentence, the generic name as written elsewhere
    (the same rule as page headings)."""
    if not kind.description:
        return inline_plain(medicine.summary)
    return kind.description.format(
        name=name if kind.description.startswith("{name}") else medicine.generic_name)


def newest_review(medicines: list[MedicineSource]) -> dict:
    """`lastmod` for pages that list medicines: the newest date among theirs."""
    if not medicines:
        return {}
    return {"lastmod": max(guide_date(m.record.review, [c.date for c in m.record.changes]).date
                           for m in medicines).isoformat()}


def render_catalog(catalog: Catalog, medicines: list[MedicineSource], templates_dir: Path,
                   index: InteractionIndex | None = None, *, today: dt.date | None = None,
                   problems: Problems | None = None,
                   handouts: Mapping[str, Sequence] | None = None,
                   renderer: Callable | None = None,
                   pair_renderer: Callable | None = None) -> list[Page]:
    """Every page of the site, as Markdown. `medicines` are the ones to publish; `index`
    holds the published interactions; `handouts` (by medicine slug) are the printable PDFs
    their pages link to.

    Without `problems` the first template failure is raised; with it, every failing page
    is reported there and left out, and the other pages are still rendered.

    `renderer` gets each medicine with a call that renders it (giving its pages and the
    problems found) and its handouts, and returns the calls' results in order: it may take
    them from a cache, or spread the calls over several processes."""
    env = make_environment(templates_dir)
    if index is None:
        index = InteractionIndex(catalog, medicines)
    pages: list[Page] = []
    ordered = sorted(medicines, key=lambda s: s.record.generic_name.casefold())

    def render_or_report(uri: str, template: str, **context) -> str | None:
        try:
            return render_template(env, template, **context)
        except TemplateProblem as exc:
            if problems is None:
                raise
            problems.add(exc.path, exc.line, 1, "(template)", exc.message, page=uri)
            return None

    short_list = ordered if len(ordered) <= ONE_PAGE_LIST_MAX else []
    entries = a_to_z(ordered)
    letters = letter_groups(entries) if not short_list else []
    for page in catalog.pages:
        fm = page.front_matter
        body = render_or_report(f"{page.name}.md", f"{PAGE_TEMPLATES}/site_page.md.j2",
                                site=catalog.site, page=fm,
                                body=jinja2.utils.markupsafe.Markup(page.body),
                                medicines=short_list, name=page.name)
        if body is None:
            continue
        meta = {"title": fm.title, "description": fm.description}
        if page.name == "index":
            meta.update(newest_review(ordered))
        pages.append(Page(f"{page.name}.md", fm.title, fm.nav_title or fm.title,
                          fm.description, front_matter(meta) + body))
    title = "Medicines A–Z"
    description = f"Every medicine in {catalog.site.name}, from A to Z."
    body = render_or_report(MEDICINES_INDEX_URI, f"{PAGE_TEMPLATES}/medicines_index.md.j2",
                            site=catalog.site, medicines=ordered, title=title,
                            entries=[] if letters else entries, letters=letters)
    if body is not None:
        pages.append(Page(MEDICINES_INDEX_URI, title, title, description,
                          front_matter({"title": title, "description": description,
                                        # its headings are single letters: one wrapping row
                                        "toc_layout": "letters",
                                        **newest_review(ordered)}) + body))
    for letter in letters:
        letter_title = f"Medicines A–Z: {letter.label}"
        letter_description = (f"Medicines in {catalog.site.name} whose names start with "
                              f"{letter.label}.")
        body = render_or_report(letter.src_uri, f"{PAGE_TEMPLATES}/medicines_letter.md.j2",
                                site=catalog.site, letter=letter, letters=letters,
                                title=letter_title)
        if body is not None:
            listed = {e["slug"] for e in letter.entries}
            pages.append(Page(letter.src_uri, letter_title, letter_title, letter_description,
                              front_matter({"title": letter_title,
                                            "description": letter_description,
                                            **newest_review([m for m in ordered
                                                             if m.slug in listed])}) + body,
                              in_nav=False))
    if catalog.glossary is not None:
        pages.append(render_glossary(env, catalog))
    pages.append(render_search(env, catalog))
    calls = [(source, partial(render_one_medicine, env, catalog, source, today,
                              problems is not None, index,
                              (handouts or {}).get(source.slug, ())),
              (handouts or {}).get(source.slug, ())) for source in ordered]
    for medicine_pages, found in (renderer(calls) if renderer else
                                  [call() for _, call, _ in calls]):
        pages.extend(medicine_pages)
        if found is not None:
            problems.extend(found)
    pages.extend(render_interaction_pages(env, catalog, index, today or dt.date.today(),
                                          pair_renderer=pair_renderer))
    return pages


def render_one_medicine(env: jinja2.Environment, catalog: Catalog, source: MedicineSource,
                        today: dt.date | None, collect: bool, index, handouts: Sequence
                        ) -> tuple[list[Page], Problems | None]:
    """`render_medicine` giving back the problems it found (with `collect`) rather than
    adding them to a shared list, so it can run in another process."""
    found = Problems() if collect else None
    return render_medicine(env, catalog, source, today, found, index, handouts), found


def render_glossary(env: jinja2.Environment, catalog: Catalog) -> Page:
    title = "Glossary: medical words explained"
    description = "Plain meanings of the medical words used in this guide."
    terms = sorted(catalog.glossary.terms, key=lambda t: t.term.casefold())
    body = render_template(env, f"{PAGE_TEMPLATES}/glossary.md.j2", site=catalog.site,
                           title=title, terms=terms)
    # The Glossary does not link its own words to itself.
    meta = {"title": title, "description": description, "glossary_links": False}
    return Page(GLOSSARY_URI, title, "Glossary", description, front_matter(meta) + body)


def render_search(env: jinja2.Environment, catalog: Catalog) -> Page:
    title = "Search"
    description = f"Search {catalog.site.name}."
    body = render_template(env, f"{PAGE_TEMPLATES}/search.md.j2", site=catalog.site,
                           title=title)
    # Drawn by the theme's search.html; not indexed, not in the navigation (the search box
    # on every page leads here).
    meta = {"title": title, "description": description, "template": "search.html",
            "search_index": False, "glossary_links": False}
    return Page(SEARCH_URI, title, title, description, front_matter(meta) + body,
                in_nav=False)


def prose_markdown(prose: Prose) -> jinja2.utils.markupsafe.Markup:
    """An editor's Markdown, already checked to hold no raw HTML, passed through unescaped."""
    return jinja2.utils.markupsafe.Markup(prose.body.strip())
