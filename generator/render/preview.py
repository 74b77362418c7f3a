"""The editor's preview: every page that can be shown, each carrying the problems in it.

`medguide check` prints problems; the preview puts the same problems on the pages they
affect, as a banner, so an editor sees them while reading. A record that cannot be loaded
or a page whose template fails still gets a page (saying why), so the preview never stops.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import jinja2

from generator.content.loader import (
    RECORD_FILE,
    Catalog,
    MedicineSource,
    markdown_files,
    medicine_folders,
)
from generator.content.pages import (
    MEDICINE_PAGE_KINDS,
    MEDICINES_INDEX_URI,
    Page,
    display_name,
    page_kinds_for,
)
from generator.content.problems import Problem
from generator.model.records import SiteSettings
from generator.render.catalog import make_environment
from generator.render.templates import front_matter

# Which page shows a record's field. Fields not listed (review, changes, references,
# disclaimers, whole-file problems) appear on every page of the medicine.
FIELD_PAGE = {
    "generic_name": "overview", "pronunciation": "overview", "summary": "overview",
    "brand_names": "overview", "drug_class": "overview", "prescription_status": "overview",
    "uses": "overview", "how_it_works": "overview", "alternatives": "overview",
    "questions_to_ask": "overview",
    "forms": "how-to-take", "dosing": "how-to-take",
    "side_effects": "side-effects",
    "missed_dose": "missed-or-extra-doses", "overdose": "missed-or-extra-doses",
    "stopping": "stopping-safely", "pump_care": "pump-care", "classes": "interactions",
    "safety": "other-safety-information",
}
HOME = "index.md"
# What the preview's pages show while content/site.yaml cannot be loaded.
STAND_IN_SITE_SETTINGS = SiteSettings.model_construct(
    name="Medicine Guide (site.yaml has problems)", description="",
    url="http://127.0.0.1:8000/", language="en", emergency_number="911",
    poison_control_number="1-800-222-1222",
    disclaimers=["content/site.yaml could not be loaded: see the problems on the home page."])
FRONT_MATTER_END = re.compile(r"\A---\n.*?\n---\n\n?", re.DOTALL)


def add_problem_banners(pages: list[Page], nav: list, problems: list[Problem],
                        catalog: Catalog, content_dir: Path, templates_dir: Path
                        ) -> tuple[list[Page], list]:
    """The preview's pages and nav: `pages` with a banner on each page that has problems,
    plus a stand-in page for each page that could not be rendered."""
    medicines = {s.slug: s for s in catalog.medicines}
    expected = expected_pages(catalog, content_dir)
    by_page: dict[str, list[Problem]] = {}
    for problem in problems:
        for uri in pages_for(problem, medicines, content_dir):
            by_page.setdefault(uri, []).append(problem)
    env = make_environment(templates_dir)
    result = []
    rendered = {page.src_uri for page in pages}
    for page in pages:
        found = sorted(set(problems)) if page.src_uri == HOME else by_page.get(page.src_uri)
        result.append(with_banner(page, found, env) if found else page)
    for uri, (title, medicine) in expected.items():
        if uri not in rendered:
            found = sorted(set(problems)) if uri == HOME else by_page.get(uri, [])
            result.append(stand_in_page(uri, title, medicine, found, env))
    nav = list(nav) if nav else [{title: uri} for uri, (title, _) in expected.items()]
    for slug in sorted(catalog.failed_medicines):
        nav.insert(2 if len(nav) >= 2 else len(nav),
                   {f"{slug} (has problems)": f"medicines/{slug}/index.md"})
    return result, nav


def expected_pages(catalog: Catalog, content_dir: Path
                   ) -> dict[str, tuple[str, str | None]]:
    """Every page the preview should have: uri -> (title for a stand-in, medicine slug)."""
    expected: dict[str, tuple[str, str | None]] = {HOME: ("Home", None)}
    for path in markdown_files(content_dir / "pages"):
        expected.setdefault(f"{path.stem}.md", (path.stem.replace("-", " ").capitalize(), None))
    expected[MEDICINES_INDEX_URI] = ("Medicines A–Z", None)
    loaded = {s.slug: s for s in catalog.medicines}
    for slug in (f.name for f in medicine_folders(content_dir)):
        source = loaded.get(slug)
        if source is None:
            # Every page the medicine may have, so an editor reading any of them sees why
            # (instead of "not found") when the record stops loading.
            for kind in MEDICINE_PAGE_KINDS:
                expected[kind.src_uri(slug)] = (f"{slug}: cannot be shown", slug)
            continue
        name = display_name(source.record)
        for kind in page_kinds_for(source.record):
            expected[kind.src_uri(slug)] = (f"{name}: {kind.nav_title}", slug)
    return expected


def pages_for(problem: Problem, medicines: dict[str, MedicineSource], content_dir: Path
              ) -> list[str]:
    """The pages that show `problem`."""
    if problem.page:
        return [problem.page]
    try:
        relative = Path(problem.path).resolve().relative_to(content_dir.resolve())
    except ValueError:
        return [HOME]  # templates and other files outside content
    parts = relative.parts
    if len(parts) >= 2 and parts[0] == "medicines":
        slug = parts[1]
        source = medicines.get(slug)
        if source is None:
            return [kind.src_uri(slug) for kind in MEDICINE_PAGE_KINDS]
        kinds = {kind.id: kind.src_uri(slug) for kind in page_kinds_for(source.record)}
        if relative.name == RECORD_FILE:
            top = re.split(r"[.\[]", problem.field, maxsplit=1)[0]
            kind = FIELD_PAGE.get(top)
            if kind is None:
                return list(kinds.values())
            return [kinds.get(kind, kinds["overview"])]
        prose = next((p for p in source.prose if p.path.resolve() == Path(problem.path).resolve()),
                     None)
        return [kinds.get(prose.page if prose else "overview", kinds["overview"])]
    if len(parts) == 2 and parts[0] == "pages":
        return [f"{Path(parts[1]).stem}.md"]
    return [HOME]


def banner_html(problems: list[Problem], env: jinja2.Environment, *, everything: bool) -> str:
    heading = (f"The preview found {count(problems)} in the content." if everything
               else f"{count(problems)} on this page.")
    try:
        return env.from_string(
            '{% from "partials/problems_banner.md.j2" import problems_banner %}'
            "{{ problems_banner(problems, heading) }}").render(problems=problems, heading=heading)
    except Exception:  # the templates themselves may be what is broken
        items = "".join(f"<li>{html.escape(str(p))}</li>\n" for p in problems)
        return (f'<div class="banner banner--problems" role="alert">\n'
                f"<p><strong>{html.escape(heading)}</strong></p>\n<ul>\n{items}</ul>\n</div>\n")


def count(problems: list[Problem]) -> str:
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' * (errors != 1)}")
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return " and ".join(parts) or "no problems"


def with_banner(page: Page, problems: list[Problem], env: jinja2.Environment) -> Page:
    banner = banner_html(problems, env, everything=page.src_uri == HOME)
    match = FRONT_MATTER_END.match(page.markdown)
    head, body = (page.markdown[: match.end()], page.markdown[match.end():]) if match else (
        "", page.markdown)
    return Page(page.src_uri, page.title, page.nav_title, page.description,
                head + banner + "\n" + body, page.medicine)


def stand_in_page(uri: str, title: str, medicine: str | None, problems: list[Problem],
                  env: jinja2.Environment) -> Page:
    description = "This page cannot be shown until its problems are fixed."
    where = "They are listed above" if problems else "They are listed on the home page"
    body = (f"# {html.escape(title)}\n\n{description} {where}; `medguide check` lists them "
            "too.\n")
    page = Page(uri, title, title, description,
                front_matter({"title": title, "description": description}) + body, medicine)
    return with_banner(page, problems, env) if problems else page
