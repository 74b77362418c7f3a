"""The core pipeline, without MkDocs: load content → validate → render pages and nav."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .cache import (CoreCache, PickleCache, code_digest, collector_paused, digest, folder_digest,
                    shared_inputs_digest)
from .loader import Catalog, MedicineSource, load_catalog, load_medicine
from .parallel import run_calls
from .progress import phase
from .pages import Page, build_nav
from .problems import Problems
from .render import TemplateProblem, render_catalog
from .validate import check_catalog, check_medicine, published


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
    parsed nor rendered again; what must be done is spread over all cores. The result is the
    same either way."""
    with collector_paused():
        return _build_site(content_dir, templates_dir, include_drafts, today or dt.date.today(),
                           cache)


def _build_site(content_dir: Path, templates_dir: Path, include_drafts: bool, today: dt.date,
                cache: CoreCache | None) -> SiteBuild:
    with phase("load"):
        catalog, problems = load_catalog(content_dir, partial(load_medicines_fast, cache))
    result = SiteBuild(problems, catalog)
    if catalog is None:
        return result
    shared = None
    if cache:
        shared = shared_inputs_digest(content_dir, templates_dir, extra=(
            today.isoformat(), str(include_drafts), identities_digest(catalog.medicines)))
    with phase("check"):
        if cache:
            check_medicines_ahead(cache, shared, catalog.medicines, today)
        problems.extend(check_catalog(catalog, today, partial(check_cached, cache, shared)
                                      if cache else None))
    if problems.errors:
        return result
    medicines = [m for m in catalog.medicines
                 if published(m.record, include_drafts=include_drafts)]
    with phase("render"):
        try:
            result.pages = render_catalog(catalog, medicines, templates_dir,
                                          partial(render_medicines_fast, cache, shared))
        except TemplateProblem as exc:
            problems.add(exc.path, exc.line, 1, "(template)", exc.message)
            return result
        result.nav = build_nav(catalog, medicines)
    if cache:
        cache.prune()
    return result


def _load_one(folder: Path, cache: PickleCache | None, key: str | None
              ) -> tuple[MedicineSource | None, Problems]:
    found = Problems()
    outcome = load_medicine(folder, found), found
    if cache is not None and outcome[0] is not None and not found.errors:
        cache.put(key, outcome)  # in the worker, so the writing is spread over the cores too
    return outcome


def load_medicines_fast(cache: CoreCache | None, folders: list[Path], problems: Problems
                        ) -> list[MedicineSource | None]:
    """Load medicine folders: from the cache when unchanged, the others over all cores."""
    loaded: dict[Path, tuple[MedicineSource | None, Problems]] = {}
    if cache:
        for folder in folders:
            cache.folder_digests[folder] = folder_digest(folder)
            hit = cache.records.get(record_key(folder, cache))
            if hit is not None:
                loaded[folder] = hit
    missing = [folder for folder in folders if folder not in loaded]
    calls = [partial(_load_one, folder, cache.records if cache else None,
                     record_key(folder, cache) if cache else None) for folder in missing]
    for folder, outcome in zip(missing, run_calls(calls, "loading medicines")):
        loaded[folder] = outcome
        if cache:
            cache.records.used.add(record_key(folder, cache))
    sources = []
    for folder in folders:  # problems in folder order, as a plain load gives them
        source, found = loaded[folder]
        problems.extend(found)
        sources.append(source)
    return sources


def check_key(cache: CoreCache, shared: str, source: MedicineSource, today: dt.date) -> str:
    folder = source.path.parent
    return digest("check", shared, today.isoformat(), source.slug,
                  cache.folder_digests.get(folder) or folder_digest(folder))


def _check_one(source: MedicineSource, today: dt.date, cache: PickleCache, key: str
               ) -> Problems:
    found = Problems()
    check_medicine(source, today, found)
    cache.put(key, found)
    return found


def check_medicines_ahead(cache: CoreCache, shared: str, medicines: list[MedicineSource],
                          today: dt.date) -> None:
    """Check the medicines the cache has no findings for, over all cores, into the cache."""
    missing = [(source, key) for source in medicines
               if not cache.checks.has(key := check_key(cache, shared, source, today))]
    found = run_calls([partial(_check_one, source, today, cache.checks, key)
                       for source, key in missing], "checking medicines")
    for (_, key), problems in zip(missing, found):
        cache.checks.remember(key, problems)


def check_cached(cache: CoreCache, shared: str, source: MedicineSource, today: dt.date,
                 problems: Problems) -> None:
    """`check_medicine`, reusing last time's findings when nothing it reads changed."""
    key = check_key(cache, shared, source, today)
    found = cache.checks.get(key)
    if found is None:
        found = _check_one(source, today, cache.checks, key)
    problems.extend(found)


def record_key(folder: Path, cache: CoreCache) -> str:
    """A loaded record depends on its folder's files and on the code that loads it."""
    return digest("record", code_digest(), cache.folder_digests[folder])


def identities_digest(medicines: list[MedicineSource]) -> str:
    """What one medicine's pages may show of the others: names, brands and class."""
    return digest(*(
        "|".join([m.slug, m.record.generic_name,
                  ",".join(b.name for b in m.record.brand_names),
                  m.record.drug_class.model_dump_json()])
        for m in sorted(medicines, key=lambda m: m.slug)))


def render_medicines_fast(cache: CoreCache | None, shared: str | None, calls
                          ) -> list[list[Page]]:
    """Each medicine's pages: from the cache when nothing they depend on changed, the
    others rendered over all cores."""
    rendered: dict[int, list[Page]] = {}
    keys: dict[int, str] = {}
    if cache:
        for index, (source, _) in enumerate(calls):
            folder = source.path.parent
            folder_key = cache.folder_digests.get(folder) or folder_digest(folder)
            keys[index] = digest(shared, source.slug, folder_key)
            hit = cache.pages.get(keys[index])
            if hit is not None:
                rendered[index] = hit
    missing = [index for index in range(len(calls)) if index not in rendered]
    jobs = [partial(_render_one, calls[index][1], cache.pages if cache else None,
                    keys.get(index)) for index in missing]
    for index, pages in zip(missing, run_calls(jobs, "rendering medicines")):
        rendered[index] = pages
        if cache:
            cache.pages.used.add(keys[index])
    return [rendered[index] for index in range(len(calls))]


def _render_one(render, cache: PickleCache | None, key: str | None) -> list[Page]:
    pages = render()
    if cache is not None:
        cache.put(key, pages)  # in the worker, so the writing is spread over the cores too
    return pages
