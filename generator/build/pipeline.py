"""The core pipeline, without MkDocs: load content → validate → render pages and nav →
check the rendered pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Callable

from generator.build.cache import (
    CoreCache,
    PickleCache,
    code_digest,
    collector_paused,
    digest,
    file_digest,
    folder_digest,
    shared_inputs_digest,
)
from generator.build.handouts import (
    HandoutBuild,
    HandoutProblem,
    HandoutSettings,
    build_handouts,
    render_put_off,
)
from generator.build.progress import Phases
from generator.build.workers import run_calls
from generator.checks.glossary import check_glossary
from generator.checks.interactions import check_interactions
from generator.checks.invariants import check_pages
from generator.checks.records import check_catalog, check_medicine
from generator.content.interactions import InteractionIndex
from generator.content.loader import (
    INTERACTIONS_DIR,
    Catalog,
    MedicineSource,
    load_catalog,
    load_medicine,
    load_rule,
)
from generator.content.pages import CHECKER_DATA_URI, CHECKER_URI, Page, build_nav
from generator.content.problems import Problems
from generator.render.catalog import render_catalog
from generator.render.interaction_pages import checker_data
from generator.render.preview import STAND_IN_SITE_SETTINGS, add_problem_banners
from generator.render.templates import TemplateProblem

# The code loaded records are made by (their cache keys depend on it).
LOADER = load_medicine.__module__


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
    # The preview's first pass put off some PDFs: this renders them into the cache.
    render_put_off: Callable[[], None] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems.errors


def build_site(content_dir: Path, templates_dir: Path, *, include_drafts: bool = False,
               today: dt.date | None = None, preview: bool = False,
               allow_overdue: bool = False, handouts: HandoutSettings | None = None,
               cache: CoreCache | None = None, phases: Phases | None = None) -> SiteBuild:
    """Run every step and collect every problem, even after the first error, so one run
    reports them all.

    `preview` is the editor's live preview: drafts are shown (marked), overdue reviews carry
    a banner instead of failing, and each page shows the problems found in it.
    `allow_overdue` publishes guides whose review is overdue (with the banner), reporting
    each as a warning: the explicit override for the production build.
    With `handouts` settings, the PDF handouts are built first, so the pages can link them
    with their size and page count.
    With a `cache`, unchanged medicines are neither parsed, checked nor rendered again; what
    must be done is spread over all cores. The result is the same either way. Each step's
    time is added to `phases`."""
    if cache:
        cache.begin()
    with collector_paused():
        return _build_site(content_dir, templates_dir, include_drafts=include_drafts,
                           today=today or dt.date.today(), preview=preview,
                           allow_overdue=allow_overdue, handouts=handouts, cache=cache,
                           phases=phases or Phases())


def _build_site(content_dir: Path, templates_dir: Path, *, include_drafts: bool,
                today: dt.date, preview: bool, allow_overdue: bool,
                handouts: HandoutSettings | None, cache: CoreCache | None, phases: Phases
                ) -> SiteBuild:
    with phases.phase("load"):
        catalog, problems = load_catalog(content_dir, partial(load_fast, cache))
    result = SiteBuild(problems, catalog)
    shared = None
    if cache:
        shared = shared_inputs_digest(content_dir, templates_dir, content_dir / INTERACTIONS_DIR,
                                      cache.rule_digests, extra=(
            code_digest(__name__), overdue_digest(catalog, today),
            repr((include_drafts, preview, allow_overdue)), identities_digest(catalog.medicines)))
    overdue_ok = allow_overdue or preview
    with phases.phase("check"):
        if cache:
            check_medicines_ahead(cache, shared, catalog.medicines, today, overdue_ok)
        problems.extend(check_catalog(
            catalog, today, allow_overdue=overdue_ok,
            check_one=partial(check_cached, cache, shared) if cache else None,
            check_store=partial(check_store_cached, cache, shared) if cache else None))
        if catalog.glossary is not None:
            check_glossary(catalog.glossary, problems)
    shown = [m for m in catalog.medicines
             if include_drafts or preview or not m.record.review.is_draft]
    # A record with errors is not rendered (but in the preview): its errors are reported
    # already, and rendering it would only add template errors that follow from them.
    withheld = set(catalog.failed_medicines)
    if not preview:
        withheld |= medicines_with_errors(problems, content_dir)
        shown = [m for m in shown if m.slug not in withheld]
    if catalog.site is None:
        if not preview:
            # Nothing can be rendered without the site's settings; their problems are
            # reported, and everything else has been checked.
            return result
        # The preview goes on with placeholder settings, so a slip in site.yaml does not
        # hide every page; the slip itself is a banner on the home page.
        catalog.site = STAND_IN_SITE_SETTINGS
    # One filter for every output: pages, pair pages, the checker's data and the handouts.
    rules = [r for r in catalog.interactions
             if include_drafts or preview or not r.record.review.is_draft]
    index = InteractionIndex(catalog, shown, rules)
    # The pairs follow from the rules, the classes and the medicines' identities and
    # classes (all in `shared`) and from which medicines are shown.
    pairs_key = digest(shared, "pairs", *(m.slug for m in shown)) if cache else None
    if cache and cache.resolved_pairs and cache.resolved_pairs[0] == pairs_key:
        index.reuse_pairs(cache.resolved_pairs[1])
    if handouts is not None and not problems.errors:
        with phases.phase("handouts"):
            try:
                result.handouts = build_handouts(
                    catalog, shown, templates_dir, handouts,
                    plans=cache.handout_plans if cache else None,
                    inputs={m.slug: cache.derived_key(shared, "handouts", cache.folder_digests.get(
                        m.path.parent) or folder_digest(m.path.parent))
                        for m in shown} if cache else None, index=index)
                if result.handouts.put_off:
                    result.render_put_off = partial(
                        render_put_off, catalog, shown, templates_dir, handouts, index,
                        set(result.handouts.put_off))
            except HandoutProblem as exc:
                problems.add(exc.path, exc.line, 1, exc.field, exc.message, exc.hint)
            except TemplateProblem as exc:
                problems.add(exc.path, exc.line, 1, "(template)", exc.message)
    with phases.phase("render"):
        result.pages = render_catalog(catalog, shown, templates_dir, index, today=today,
                                      problems=problems,
                                      handouts=result.handouts.by_medicine(),
                                      renderer=partial(render_medicines_fast, cache,
                                                       shared),
                                      pair_renderer=partial(render_pairs_fast, cache,
                                                            shared))
        result.files[CHECKER_DATA_URI] = checker_data_cached(cache, shared, index, shown)
    if cache and not (cache.resolved_pairs and cache.resolved_pairs[0] == pairs_key):
        cache.resolved_pairs = (pairs_key, index.pair_rules())
    with phases.phase("check pages"):
        # A page whose template failed is already reported: links to it are not broken
        # too.
        failed = {problem.page for problem in problems.items if problem.page}
        problems.extend(check_pages(result.pages, catalog, templates_dir,
                                    published={m.slug for m in shown}, failed=failed,
                                    withheld=withheld))
    result.nav = build_nav(catalog, shown,
                           checker=any(p.src_uri == CHECKER_URI for p in result.pages),
                           mark_drafts=preview)
    if preview:
        result.pages, result.nav = add_problem_banners(
            result.pages, result.nav, problems.items, catalog, content_dir, templates_dir)
    if cache and result.ok:
        cache.prune()
    return result


def _load_one(load, item: Path, cache: PickleCache | None, key: str | None
              ) -> tuple[tuple, bool]:
    """The loaded record and its problems, and whether they were stored in the cache."""
    found = Problems()
    outcome = load(item, found), found
    stored = cache is not None and outcome[0] is not None and not found.errors
    if stored:
        cache.put(key, outcome)  # in the worker, so the writing is spread over the cores too
    return outcome, stored


def _load_cached(load, items: list[Path], keys: dict[Path, str] | None,
                 cache: PickleCache | None, label: str, problems: Problems) -> list:
    """`load` each item (as `load(item, problems)`): from the cache under its key when it is
    there, the others over all cores. Problems come in item order, as a plain load gives
    them."""
    loaded = {}
    if keys is not None:
        for item in items:
            hit = cache.get(keys[item])
            if hit is not None:
                loaded[item] = hit
    missing = [item for item in items if item not in loaded]
    calls = [partial(_load_one, load, item, cache, keys[item] if keys else None)
             for item in missing]
    for item, (outcome, stored) in zip(missing, run_calls(calls, label)):
        loaded[item] = outcome
        if stored:
            # Stored by a worker: kept in memory here too, so the preview's first save
            # gets it back without reading the file (and as the object the build used).
            cache.remember(keys[item], outcome)
    sources = []
    for item in items:
        source, found = loaded[item]
        problems.extend(found)
        sources.append(source)
    return sources


def load_fast(cache: CoreCache | None, load, paths: list[Path], problems: Problems
              ) -> list:
    """`load_catalog`'s loader: each record from the cache when its files are unchanged,
    the others over all cores. A medicine is a folder (keyed by the files in it); classes
    and interaction rules are files."""
    keys = None
    if cache and load is load_medicine:
        for folder in paths:
            cache.folder_digests[folder] = folder_digest(folder)
        keys = {folder: record_key(folder, cache) for folder in paths}
    elif cache:
        digests = {path: file_digest(path) for path in paths}
        if load is load_rule:
            cache.rule_digests = digests
        keys = {path: cache.derived_key(load.__name__, code_digest(LOADER), str(path), value)
                for path, value in digests.items()}
    label = {load_medicine: "loading medicines", load_rule: "loading interactions"}
    return _load_cached(load, paths, keys, cache.records if cache else None,
                        label.get(load, "loading"), problems)


def record_key(folder: Path, cache: CoreCache) -> str:
    """A loaded record depends on its folder's files and on the code that loads it."""
    return cache.derived_key("record", code_digest(LOADER), cache.folder_digests[folder])


def check_key(cache: CoreCache, shared: str, source: MedicineSource, today: dt.date,
              allow_overdue: bool) -> str:
    folder = source.path.parent
    # The date matters only through whether this review is overdue (`shared` covers the
    # others), so the cache stays good from one day to the next.
    overdue = source.record.review.overdue_on(today)
    return cache.derived_key("check", shared, str(overdue), str(allow_overdue), source.slug,
                             cache.folder_digests.get(folder) or folder_digest(folder))


def _check_one(source: MedicineSource, today: dt.date, allow_overdue: bool,
               cache: PickleCache, key: str) -> Problems:
    found = Problems()
    check_medicine(source, today, found, allow_overdue=allow_overdue)
    cache.put(key, found)
    return found


def check_medicines_ahead(cache: CoreCache, shared: str, medicines: list[MedicineSource],
                          today: dt.date, allow_overdue: bool) -> None:
    """Check the medicines the cache has no findings for, over all cores, into the cache."""
    missing = [(source, key) for source in medicines if not cache.checks.has(
        key := check_key(cache, shared, source, today, allow_overdue))]
    found = run_calls([partial(_check_one, source, today, allow_overdue, cache.checks, key)
                       for source, key in missing], "checking medicines")
    for (_, key), problems in zip(missing, found):
        cache.checks.remember(key, problems)


def check_cached(cache: CoreCache, shared: str, source: MedicineSource, today: dt.date,
                 problems: Problems, *, allow_overdue: bool = False) -> None:
    """`check_medicine`, reusing last time's findings when nothing it reads changed."""
    key = check_key(cache, shared, source, today, allow_overdue)
    found = cache.checks.get(key)
    if found is None:
        found = _check_one(source, today, allow_overdue, cache.checks, key)
    problems.extend(found)


def overdue_digest(catalog: Catalog, today: dt.date) -> str:
    """Which reviews (of medicines and interaction rules) are overdue on `today`: all that
    the date changes in pages and checks. Keys made with it, rather than with the date, keep
    the caches good from one day to the next."""
    reviews = [(str(m.path), m.record.review) for m in catalog.medicines]
    reviews += [(str(r.path), r.record.review) for r in catalog.interactions]
    return digest(*sorted(path for path, review in reviews if review.overdue_on(today)),
                  # and which are dated in the future (an error until that day)
                  *sorted(f"future {path}" for path, review in reviews
                          if review.dated_after(today)))


def check_store_cached(cache: CoreCache, shared: str, catalog: Catalog, today: dt.date,
                       problems: Problems, *, allow_overdue: bool = False) -> None:
    """`check_interactions`, reusing last time's findings while the store, the medicines'
    identities and class memberships, and which reviews are overdue (all in `shared`) are
    as they were."""
    key = digest("interaction checks", shared, str(allow_overdue))
    found = cache.checks.get(key)
    if not isinstance(found, Problems):
        found = Problems()
        check_interactions(catalog, today, found, allow_overdue=allow_overdue)
        cache.checks.put(key, found)
    problems.extend(found)


def identities_digest(medicines: list[MedicineSource]) -> str:
    """What one medicine's pages may show of the others: names, brands, class, the classes
    it belongs to (interaction rules), its review status (published or not)."""
    return digest(*(
        "|".join([m.slug, m.record.generic_name,
                  ",".join(b.name for b in m.record.brand_names),
                  m.record.drug_class.model_dump_json(),
                  ",".join(getattr(m.record, "classes", None) or []),
                  m.record.review.status.value])
        for m in sorted(medicines, key=lambda m: m.slug)))


def render_medicines_fast(cache: CoreCache | None, shared: str | None, calls
                          ) -> list[tuple[list[Page], Problems | None]]:
    """Each medicine's pages (and the problems rendering found): from the cache when
    nothing they depend on changed, the others rendered over all cores."""
    keys: dict[int, str] = {}
    if cache:
        for index, (source, _, handouts) in enumerate(calls):
            folder = source.path.parent
            folder_key = cache.folder_digests.get(folder) or folder_digest(folder)
            keys[index] = cache.derived_key(shared, source.slug, folder_key, repr(handouts))
    return _cached_or_rendered(cache, keys, [call[1] for call in calls], _render_one,
                               "rendering medicines")


def render_pairs_fast(cache: CoreCache | None, shared: str | None, calls) -> list[Page]:
    """Each interaction pair's page: from the cache when neither medicine's record nor the
    shared content (the interaction store among it) changed, the others over all cores."""
    keys: dict[int, str] = {}
    if cache:
        for index, (pair, _) in enumerate(calls):
            folders = [pair.first.path.parent, pair.second.path.parent]
            keys[index] = cache.derived_key(shared, "pair", pair.uri, *(
                cache.folder_digests.get(f) or folder_digest(f) for f in folders))
    return _cached_or_rendered(cache, keys, [call[1] for call in calls], _render_pair,
                               "rendering interaction pages")


def _cached_or_rendered(cache: CoreCache | None, keys: dict[int, str], renders: list,
                        render_and_store, label: str) -> list:
    """`renders[i]()` for each i: from the page cache under `keys[i]` when it is there, the
    others over all cores (`render_and_store` renders one and caches it in the worker)."""
    rendered: dict[int, Any] = {}
    if cache:
        for index, key in keys.items():
            hit = cache.pages.get(key)
            if hit is not None:
                rendered[index] = hit
    missing = [index for index in range(len(renders)) if index not in rendered]
    jobs = [partial(render_and_store, renders[index], cache.pages if cache else None,
                    keys.get(index)) for index in missing]
    for index, (outcome, stored) in zip(missing, run_calls(jobs, label)):
        rendered[index] = outcome
        if stored:  # by a worker: kept in memory here too (see `_load_cached`)
            cache.pages.remember(keys[index], outcome)
    return [rendered[index] for index in range(len(renders))]


def checker_data_cached(cache: CoreCache | None, shared: str | None, index: InteractionIndex,
                        shown: list[MedicineSource]) -> str:
    """The checker's JSON: from the cache while the interaction store, the medicines'
    identities and which of them are published are as they were."""
    if not cache:
        return checker_data(index)
    key = digest(shared, "checker", *sorted(m.slug for m in shown))
    data = cache.pages.get(key)
    if not isinstance(data, str):
        data = checker_data(index)
        cache.pages.put(key, data)
    return data


def _render_pair(render, cache: PickleCache | None, key: str | None) -> tuple[Page, bool]:
    """The pair's page, and whether it was stored in the cache."""
    page = render()
    if cache is not None:
        cache.put(key, page)
    return page, cache is not None


def _render_one(render, cache: PickleCache | None, key: str | None) -> tuple[tuple, bool]:
    """A medicine's pages and problems, and whether they were stored in the cache."""
    pages, found = outcome = render()
    stored = cache is not None and not found
    if stored:
        cache.put(key, outcome)  # in the worker, so the writing is spread over the cores too
    return outcome, stored


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
