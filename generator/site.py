"""The core pipeline, without MkDocs: load content → validate → render pages and nav."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from .cache import CoreCache, digest, folder_digest, shared_inputs_digest
from .loader import Catalog, MedicineSource, load_catalog, load_medicine
from .progress import phase
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
               today: dt.date | None = None, cache: CoreCache | None = None) -> SiteBuild:
    """Load, check and render everything. With a `cache`, unchanged medicines are neither
    parsed nor rendered again (the result is the same either way)."""
    today = today or dt.date.today()
    with phase("load"):
        loader = cached_loader(cache) if cache else load_medicine
        catalog, problems = load_catalog(content_dir, loader)
    result = SiteBuild(problems, catalog)
    if catalog is None:
        return result
    with phase("check"):
        problems.extend(check_catalog(catalog, today))
    if problems.errors:
        return result
    medicines = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts)]
    with phase("render"):
        renderer = None
        if cache:
            shared = shared_inputs_digest(content_dir, templates_dir, extra=(
                today.isoformat(), str(include_drafts), identities_digest(medicines)))
            renderer = cached_renderer(cache, shared)
        try:
            result.pages = render_catalog(catalog, medicines, templates_dir, renderer)
        except TemplateProblem as exc:
            problems.add(exc.path, exc.line, 1, "(template)", exc.message)
            return result
        result.nav = build_nav(catalog, medicines)
    if cache:
        cache.prune()
    return result


def cached_loader(cache: CoreCache):
    """`load_medicine`, reusing the record loaded last time when the folder is unchanged."""
    def load(folder: Path, problems: Problems) -> MedicineSource | None:
        key = cache.folder_digests[folder] = folder_digest(folder)
        hit = cache.records.get(key)
        if hit is not None:
            source, found = hit
            problems.extend(found)
            return source
        found = Problems()
        source = load_medicine(folder, found)
        problems.extend(found)
        if source is not None and not found.errors:
            cache.records.put(key, (source, found))
        return source
    return load


def identities_digest(medicines: list[MedicineSource]) -> str:
    """What one medicine's pages may show of the others: names, brands and class."""
    return digest(*(
        "|".join([m.slug, m.record.generic_name,
                  ",".join(b.name for b in m.record.brand_names),
                  m.record.drug_class.model_dump_json()])
        for m in sorted(medicines, key=lambda m: m.slug)))


def cached_renderer(cache: CoreCache, shared: str):
    def render(source: MedicineSource, render_pages) -> list[Page]:
        folder = source.path.parent
        folder_key = cache.folder_digests.get(folder) or folder_digest(folder)
        key = digest(shared, source.slug, folder_key)
        pages = cache.pages.get(key)
        if pages is None:
            pages = render_pages()
            cache.pages.put(key, pages)
        return pages
    return render
