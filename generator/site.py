"""The core pipeline, without MkDocs: load content → validate → render pages and nav."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .glossary import check_glossary
from .loader import Catalog, load_catalog
from .pages import Page, build_nav
from .problems import Problems
from .render import TemplateProblem, render_catalog
from .validate import check_catalog, published


@dataclass
class SiteBuild:
    """Result of the core pipeline: pages and nav when there were no errors."""

    problems: Problems
    catalog: Catalog | None = None
    pages: list[Page] = field(default_factory=list)
    nav: list = field(default_factory=list)

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
    if catalog.glossary is not None:
        check_glossary(catalog.glossary, problems)
    if problems.errors:
        return result
    medicines = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts)]
    try:
        result.pages = render_catalog(catalog, medicines, templates_dir)
    except TemplateProblem as exc:
        problems.add(exc.path, exc.line, 1, "(template)", exc.message)
        return result
    result.nav = build_nav(catalog, medicines)
    return result
