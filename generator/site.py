"""The core pipeline, without MkDocs: load content → validate → render pages and nav →
check the rendered pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .glossary import check_glossary
from .invariants import check_pages
from .handouts import HandoutBuild, HandoutProblem, HandoutSettings, build_handouts
from .loader import Catalog, load_catalog
from .interaction_pages import checker_data
from .interactions import InteractionIndex
from .pages import CHECKER_DATA_URI, CHECKER_URI, Page, build_nav
from .preview import add_problem_banners
from .problems import Problems
from .render import SEVERITY_WORDS, render_catalog
from .validate import check_catalog, published


@dataclass
class SiteBuild:
    """Result of the core pipeline. Outside the preview, pages are only to be published
    when there were no errors."""

    problems: Problems
    catalog: Catalog | None = None
    pages: list[Page] = field(default_factory=list)
    nav: list = field(default_factory=list)
    # Files that are not pages (the checker's JSON): {path in the site: text}
    files: dict[str, str] = field(default_factory=dict)
    handouts: HandoutBuild = field(default_factory=HandoutBuild)

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def build_site(content_dir: Path, templates_dir: Path, *, include_drafts: bool = False,
               today: dt.date | None = None, preview: bool = False,
               allow_overdue: bool = False, handouts: HandoutSettings | None = None
               ) -> SiteBuild:
    """Run every step and collect every problem, even after the first error, so one run
    reports them all.

    `preview` is the editor's live preview: drafts are shown (marked), overdue reviews carry
    a banner instead of failing, and each page shows the problems found in it.
    `allow_overdue` publishes guides whose review is overdue (with the banner), reporting
    each as a warning: the explicit override for the production build.
    With `handouts` settings, the PDF handouts are built first, so the pages can link them
    with their size and page count."""
    today = today or dt.date.today()
    catalog, problems = load_catalog(content_dir)
    result = SiteBuild(problems, catalog)
    if catalog is not None:
        problems.extend(check_catalog(catalog, today, allow_overdue=allow_overdue or preview))
        if catalog.glossary is not None:
            check_glossary(catalog.glossary, problems)
        shown = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts or preview)]
        if not preview:
            # A record with errors is not rendered: its errors are reported already, and
            # rendering it would only add template errors that follow from them.
            broken = medicines_with_errors(problems, content_dir)
            shown = [m for m in shown if m.slug not in broken]
        index = InteractionIndex(catalog, shown, [
            r for r in catalog.interactions
            if published(r.record, include_drafts=include_drafts or preview)])
        if handouts is not None and not problems.errors:
            try:
                result.handouts = build_handouts(catalog, shown, templates_dir, handouts)
            except HandoutProblem as exc:
                problems.add(exc.path, exc.line, 1, exc.field, exc.message, exc.hint)
        result.pages = render_catalog(catalog, shown, templates_dir, index, today=today,
                                      problems=problems,
                                      handouts=result.handouts.by_medicine())
        result.files[CHECKER_DATA_URI] = checker_data(index, SEVERITY_WORDS)
        pair_pages = [p for p in result.pages if p.src_uri.startswith("interactions/")
                      and p.src_uri != CHECKER_URI]
        # A page whose template failed is already reported: links to it are not broken too.
        failed = {problem.page for problem in problems.items if problem.page}
        problems.extend(check_pages(result.pages, catalog, templates_dir,
                                    published={m.slug for m in shown}, failed=failed))
        result.nav = build_nav(catalog, shown, pair_pages, mark_drafts=preview)
    if preview:
        result.pages, result.nav = add_problem_banners(
            result.pages, result.nav, problems.items, catalog, content_dir, templates_dir)
    return result


def medicines_with_errors(problems: Problems, content_dir: Path) -> set[str]:
    medicines_dir = (content_dir / "medicines").resolve()
    slugs = set()
    for problem in problems.errors:
        try:
            relative = Path(problem.path).resolve().relative_to(medicines_dir)
        except ValueError:
            continue
        if relative.parts:
            slugs.add(relative.parts[0])
    return slugs
