"""The core pipeline, without MkDocs: load content → validate → render pages and nav."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .loader import Catalog, load_catalog
from .interaction_pages import checker_data
from .interactions import InteractionIndex
from .pages import CHECKER_DATA_URI, CHECKER_URI, Page, build_nav
from .problems import Problems
from .render import SEVERITY_WORDS, TemplateProblem, render_catalog
from .validate import check_catalog, published


@dataclass
class SiteBuild:
    """Result of the core pipeline: pages and nav when there were no errors."""

    problems: Problems
    catalog: Catalog | None = None
    pages: list[Page] = field(default_factory=list)
    nav: list = field(default_factory=list)
    # Files that are not pages (the checker's JSON): {path in the site: text}
    files: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def build_site(content_dir: Path, templates_dir: Path, *, include_drafts: bool = False,
               today: dt.date | None = None) -> SiteBuild:
    catalog, problems = load_catalog(content_dir)
    result = SiteBuild(problems, catalog)
    if catalog is None:
        return result
    problems.extend(check_catalog(catalog, today or dt.date.today()))
    if problems.errors:
        return result
    medicines = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts)]
    index = InteractionIndex(catalog, medicines, [
        r for r in catalog.interactions if published(r.record, include_drafts=include_drafts)])
    try:
        result.pages = render_catalog(catalog, medicines, templates_dir, index)
    except TemplateProblem as exc:
        problems.add(exc.path, exc.line, 1, "(template)", exc.message)
        return result
    result.files[CHECKER_DATA_URI] = checker_data(index, SEVERITY_WORDS)
    pair_pages = [p for p in result.pages if p.src_uri.startswith("interactions/")
                  and p.src_uri != CHECKER_URI]
    result.nav = build_nav(catalog, medicines, pair_pages)
    return result
