"""The core pipeline, without MkDocs: load content → validate → render pages and nav."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .handouts import HandoutBuild, HandoutProblem, HandoutSettings, build_handouts
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
    handouts: HandoutBuild = field(default_factory=HandoutBuild)

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def build_site(content_dir: Path, templates_dir: Path, *, include_drafts: bool = False,
               today: dt.date | None = None, handouts: HandoutSettings | None = None
               ) -> SiteBuild:
    """Load, check and render the site. With `handouts` settings, the PDF handouts are built
    first, so the pages can link them with their size and page count."""
    catalog, problems = load_catalog(content_dir)
    result = SiteBuild(problems, catalog)
    if catalog is None:
        return result
    problems.extend(check_catalog(catalog, today or dt.date.today()))
    if problems.errors:
        return result
    medicines = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts)]
    try:
        if handouts is not None:
            result.handouts = build_handouts(catalog, medicines, templates_dir, handouts)
        result.pages = render_catalog(catalog, medicines, templates_dir,
                                      handouts=result.handouts.by_medicine())
    except HandoutProblem as exc:
        problems.add(exc.path, exc.line, 1, exc.field, exc.message, exc.hint)
        return result
    except TemplateProblem as exc:
        problems.add(exc.path, exc.line, 1, "(template)", exc.message)
        return result
    result.nav = build_nav(catalog, medicines)
    return result
