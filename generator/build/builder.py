"""medguide's own build loop around MkDocs' structures: parallel and incremental.

This is the one module that uses MkDocs' private API, written against MkDocs 1.6.1:
`mkdocs.commands.build._populate_page`, `_build_theme_template` and `_build_extra_template`,
a copy of `_build_page` that gives the page's bytes instead of writing them (`_page_html`),
and a subclass swapped in as the class of `Files`. A new MkDocs version is checked here first
(`tests/build/test_builder.py` compares with `mkdocs build`).

It runs MkDocs' plugin events in the order `mkdocs.commands.build.build` does and gives the
same files, byte for byte (tested), with these differences:

- Pages are converted and written by worker processes, one per core.
- A page is converted and written only when something it depends on changed since the last
  build into the same folder: its Markdown, its (reduced) navigation, whether the pages it
  links to exist, or anything every page depends on (theme, configuration, medguide's code).
  Anchor links of skipped pages are still checked, against anchors remembered from last time.
- Every build makes the whole next site in a work folder next to the site: a full build
  (first build, or theme, configuration or code changed) writes every file; a fast rebuild
  writes what changed and hard-links the rest from the site. Only when everything worked is
  the work folder swapped with the site in one step (renameat2), so a failed, interrupted or
  killed build leaves the site as it was. Files whose bytes did not change stay the same
  files (same date), and a rebuild with nothing changed swaps nothing. What a killed build
  leaves behind is cleaned up by the next one.

What is remembered lives in `<cache_dir>/site-<hash of the site folder>.pickle`. If the site
folder no longer matches it (edited by hand, or built by plain `mkdocs build`), the next build
is a full one.

Plugins see one difference: page events run in the worker processes and only for pages being
built, and `on_env` runs before pages are read. Page events must therefore not collect data
across pages, and a plugin that writes files in `on_post_build` must write all of them on every
build (unchanged ones are not rewritten on disk).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import gc
import glob
import hashlib
import json
import logging
import multiprocessing
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import markdown
import mkdocs
from mkdocs import utils as mkdocs_utils
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import Files, InclusionLevel, get_files, set_exclusions
from mkdocs.structure.nav import get_navigation
from mkdocs.structure.pages import Page

from generator.build import progress, workers
from generator.build.cache import (
    code_digest,
    digest,
    file_digest,
    remove_stale_temp_files,
    tree_digest,
    write_atomically,
)
from generator.build.search_index import SEARCH_BUNDLE
from generator.content.problems import Problems, parse_problem
from generator.render.templates import template_failure

log = logging.getLogger("medguide")

MANIFEST_VERSION = 2
# Below this many pages to build, starting worker processes costs more than it saves.
PARALLEL_MIN_PAGES = 64
CHUNK_PAGES = 32
WORKER_CHUNKS = 24


class BuildFailed(Exception):
    """The build stopped; the site folder was left as it was."""

    def __init__(self, message: str, problems=None):
        super().__init__(message)
        self.problems = problems  # content problems, when that is why


@dataclass
class BuildReport:
    mode: str  # "full" or "incremental"
    pages: int = 0
    pages_built: int = 0
    files_written: int = 0
    files_removed: int = 0
    phases: dict[str, float] = field(default_factory=dict)
    warnings: list = field(default_factory=list)  # content warnings (e.g. overdue overrides)
    changed: set[str] = field(default_factory=set)  # files written or removed (incremental)
    deferred_handouts: list[str] = field(default_factory=list)  # see `build(defer_handouts)`


def build(config_file: Path, site_dir: Path, *, jobs: int | None = None,
          plugin_options: dict | None = None, preview: bool = False,
          defer_handouts: bool = False, session: PreviewSession | None = None) -> BuildReport:
    """Build the site of `config_file` into `site_dir`, reusing the last build where it can.
    `plugin_options` override the medguide plugin's options in mkdocs.yml. A `preview` build
    is the editor's (`serve`): drafts shown, problems as banners on their pages, MkDocs'
    warnings logged rather than stopping it, and the search index made only once. With
    `defer_handouts` too, changed PDFs are not rendered yet (`BuildReport.deferred_handouts`):
    the last build's stand in for them. With a `session`, what the build made is kept there
    for the preview's next save (`PreviewSession.update`)."""
    phases = progress.Phases()
    site_dir = site_dir.resolve()
    config = load_config(config_file=str(config_file), site_dir=str(site_dir))
    if preview:
        config["strict"] = False
    # MkDocs keeps plugin objects from one configuration to the next in a process: what is
    # set on ours here is put back afterwards.
    plugin = config.plugins.get("medguide")
    saved = {name: plugin.config[name] for name in plugin_options or {}}
    for name, value in (plugin_options or {}).items():
        plugin.config[name] = value
    if plugin is not None:
        plugin.search_by_builder = True  # the search index is built below, not in post_build
        plugin.defer_handouts = preview and defer_handouts
        plugin.phases = phases
    config.plugins.on_startup(command="serve" if preview else "build", dirty=False)
    try:
        with build_lock(site_dir), workers.using(jobs):
            recover_site(site_dir)
            if cache_dir := _cache_dir(config, Path(config_file)):
                remove_stale_temp_files(cache_dir)
            return _build(config, Path(config_file), site_dir, workers.worker_count(), phases,
                          preview, session)
    finally:
        config.plugins.on_shutdown()
        if plugin is not None:
            plugin.search_by_builder = plugin.defer_handouts = False
            plugin.phases = None
            for name, value in saved.items():
                plugin.config[name] = value
        gc.unfreeze()
        if session is not None and session.state is not None:
            session.keep()


@dataclass
class PreviewState:
    """MkDocs' structures of the preview's last build, and what it remembers of each page."""

    config_file: Path
    config_digest: str  # of mkdocs.yml: a change to it means a new configuration
    config: MkDocsConfig
    files: RecordingFiles
    nav: Any
    env: Any
    doc_files: list
    site_dir: Path
    manifest: dict
    manifest_path: Path | None
    base_keys: dict[str, str]  # each page's key, but for its links (`_page_keys`)
    page_inputs: dict[str, str]  # what each page's HTML shows besides its Markdown
    unsaved: bool = False  # the site changed since its record was written

    @functools.cached_property
    def files_by_uri(self) -> dict:
        """The files by source path: a save looks up every page's (a save never changes which
        files there are)."""
        return {file.src_uri: file for file in self.files}


class PreviewSession:
    """What `medguide serve` keeps in memory from one save to the next.

    After a build, MkDocs' configuration, files, navigation and theme stay here. A save is
    then applied by `update`: the core pipeline runs again (unchanged medicines come from its
    caches), each page's new Markdown is compared with what its file holds, and only the
    pages whose key changed (`_page_keys`: the same rule the build uses) are converted and
    written into the site, with any changed handout and data file. A save that changes which
    pages there are, their titles or dates, the theme, the settings or the shared content is
    not applied here (`update` gives None): the caller builds.

    Of the plugins' events, a save runs only the medguide plugin's content step
    (`load_content`) and the page events of the pages it converts: a plugin that works in
    `on_files`, `on_nav` or `on_post_build` would need a build."""

    def __init__(self, jobs: int | None = None) -> None:
        """`jobs`: how many worker processes a save may use (None: one per core), as
        `build(jobs=)` for a build."""
        self.state: PreviewState | None = None
        self.jobs = jobs

    def update(self, *, defer_handouts: bool = False) -> BuildReport | None:
        state, self.state = self.state, None  # kept again only if this update works
        if state is None or not state.config_file.is_file() \
                or file_digest(state.config_file) != state.config_digest:
            return None
        config = state.config
        plugin = config.plugins.get("medguide")
        if plugin is None:
            return None
        phases = progress.Phases()
        plugin.defer_handouts, plugin.phases = defer_handouts, phases
        try:
            with build_lock(state.site_dir), workers.using(self.jobs):
                report = _update(state, plugin, phases, defer_handouts)
        except Exception as exc:
            if (failed := _build_failure(exc, config)) is not None:
                raise failed from None
            raise
        finally:
            plugin.defer_handouts, plugin.phases = False, None
        if report is not None:
            self.state = state
            self.keep()
        return report

    def keep(self) -> None:
        """What the preview keeps lives on from save to save: the garbage collector need not
        scan it again. A full collection at a thousand medicines takes most of a second,
        and comes in the middle of some save. (Cyclic garbage made up to now stays until
        the next build, which collects everything again.)"""
        gc.freeze()

    def put_off_handouts(self) -> Callable[[], None] | None:
        """What renders the PDFs the last pass put off (`build(defer_handouts)`) into the
        cache, on this session's worker processes, for the preview to run in the
        background; None when none were put off."""
        plugin = self.state.config.plugins.get("medguide") if self.state else None
        site_build = getattr(plugin, "site_build", None)
        render = site_build.render_put_off if site_build is not None else None
        return None if render is None else functools.partial(self._with_jobs, render)

    def _with_jobs(self, call: Callable[[], None]) -> None:
        with workers.using(self.jobs):
            call()

    def save(self) -> None:
        """Write the site's record if a pass left it to the next one: the preview is
        stopping, and its next start should find the site as it is (an unrecorded site is
        built again in full)."""
        state = self.state
        if state is not None and state.unsaved and state.manifest_path:
            _write_manifest(state.manifest_path, state.manifest)
            state.unsaved = False

    @property
    def unsaved(self) -> bool:
        """The site changed since its record was last written: a pass without
        `defer_handouts` writes it."""
        return self.state is not None and self.state.unsaved


def _site_structure(plugin) -> tuple:
    """What a save must not change for `PreviewSession.update` to apply it: which pages and
    files there are, the navigation and the pages' dates (the sitemap)."""
    site_build = plugin.site_build
    return ([page.src_uri for page in site_build.pages], repr(site_build.nav),
            sorted(plugin.page_dates.items()), plugin.site_date, sorted(site_build.files),
            [handout.file_name for handout in site_build.handouts.handouts])


def _update(state: PreviewState, plugin, phases: progress.Phases, defer_handouts: bool
            ) -> BuildReport | None:
    config, files = state.config, state.files
    before = _site_structure(plugin)
    site_build = plugin.load_content(config)
    if _site_structure(plugin) != before or \
            _site_key(config, state.config_file, plugin) != state.manifest["site_key"]:
        return None
    site_key = state.manifest["site_key"]
    # The new Markdown, data files and handouts into MkDocs' files.
    written: dict[str, bytes | Path] = {}
    changed_sources = set()
    by_uri = state.files_by_uri
    for page in site_build.pages:
        file = by_uri[page.src_uri]
        if file.content_string != page.markdown:
            file.content_string = page.markdown
            changed_sources.add(page.src_uri)
    for src_uri, text in site_build.files.items():
        file = by_uri[src_uri]
        if file.content_string != text:
            file.content_string = text
            written[file.dest_uri] = text.encode("utf-8")
    for handout in site_build.handouts.handouts:
        file = by_uri[handout.src_uri]
        if file.abs_src_path != str(handout.path):
            file.abs_src_path = str(handout.path)
            written[file.dest_uri] = handout.path
            state.manifest["static"][file.dest_uri] = _static_signature(file)
    # Which pages to convert: the build's own rule, applied to the pages that may have
    # changed (the others' keys cannot have: their Markdown and inputs are as they were).
    inputs = {file.src_uri: plugin.page_inputs(file.src_uri) for file in state.doc_files}
    candidates = [file for file in state.doc_files if file.src_uri in changed_sources
                  or inputs[file.src_uri] != state.page_inputs[file.src_uri]]
    state.page_inputs = inputs
    state.base_keys.update(_page_keys(candidates, state.nav, site_key, plugin))
    remembered = state.manifest["pages"]
    keys = _with_links({file.src_uri: state.base_keys[file.src_uri] for file in candidates},
                       _remembered_links(state.manifest), files)
    to_build = [file for file in candidates
                if remembered[file.src_uri]["key"] != keys[file.src_uri]]
    with phases.phase("pages"):
        for file in to_build:
            html, info = _convert_page(file.page, config, files, state.doc_files, state.nav,
                                       state.env)
            info["key"] = _with_links({file.src_uri: state.base_keys[file.src_uri]},
                                      {file.src_uri: info["links"]}, files)[file.src_uri]
            remembered[file.src_uri] = info
            if html is not None:
                written[file.dest_uri] = html
        _restore_pages(to_build, files, remembered)
        for file in to_build:
            file.page.validate_anchor_links(files=files,
                                            log_level=config.validation.links.anchors)
    report = BuildReport("live", pages=len(state.doc_files), pages_built=len(to_build))
    with phases.phase("write"):
        site_files = state.manifest["files"]
        for name, data in sorted(written.items()):
            content = data.read_bytes() if isinstance(data, Path) else data
            sha = hashlib.sha256(content).hexdigest()
            if name in site_files and site_files[name][0] == sha:
                continue
            path = state.site_dir / name
            _replace(path, content)
            site_files[name] = _file_state(path, sha)
            report.files_written += 1
            report.changed.add(name)
        # The site's record follows the site, so the next build (after a restart) starts
        # from here. Writing it takes a moment at a thousand medicines: a save's first pass
        # leaves it to the pass after it (`PreviewSession.unsaved`).
        state.unsaved |= bool(report.changed)
        if state.unsaved and not defer_handouts and state.manifest_path:
            _write_manifest(state.manifest_path, state.manifest)
            state.unsaved = False
    report.phases = dict(phases.seconds)
    report.deferred_handouts = list(site_build.handouts.deferred)
    return report


def _replace(path: Path, data: bytes) -> None:
    """Write a file of the site in one step (a reader gets the old file or the new one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.new")
    temp.write_bytes(data)
    os.replace(temp, path)


class RecordingFiles(Files):
    """MkDocs' Files, noting which paths each page asks for (the pages it links to)."""

    recording: set[str] | None = None

    def get_file_from_path(self, path: str):
        if self.recording is not None:
            self.recording.add(path)
        return super().get_file_from_path(path)


class WarningLog(logging.Handler):
    """MkDocs' warnings, as plain messages: they cross from worker processes to the build,
    which stops on any of them in strict mode and reports each where it was written."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _build(config: MkDocsConfig, config_file: Path, site_dir: Path, jobs: int,
           phases: progress.Phases, preview: bool, session: PreviewSession | None = None
           ) -> BuildReport:
    warnings = WarningLog()
    if config.strict:
        logging.getLogger("mkdocs").addHandler(warnings)
    work_dir: Path | None = None
    plugin = config.plugins.get("medguide")
    try:
        site_dir.parent.mkdir(parents=True, exist_ok=True)
        work_dir = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-",
                                         dir=site_dir.parent))
        # Everything MkDocs and plugins write goes to the work folder: a whole new site in a
        # full build, only what is new or changed in an incremental one.
        config["site_dir"] = str(work_dir)
        # What the pipeline loads lives until the end of this one-shot build: the garbage
        # collector need not scan it, neither while it is made nor after (frozen).
        gc.disable()
        try:
            config = config.plugins.on_config(config)
        finally:
            gc.freeze()
            gc.enable()
        cache_dir = _cache_dir(config, config_file)
        manifest_path = (cache_dir / f"site-{digest(str(site_dir))[:16]}.pickle"
                         if cache_dir else None)
        old = _read_manifest(manifest_path, site_dir)
        config.plugins.on_pre_build(config=config)

        with phases.phase("prepare"):
            files = get_files(config)
            env = config.theme.get_env()
            files.add_files_from_theme(env, config)
            files = config.plugins.on_files(files, config=config)
            set_exclusions(files, config)
            files.__class__ = RecordingFiles
            nav = get_navigation(files, config)
            nav = config.plugins.on_nav(nav, config=config, files=files)
            doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
            for file in doc_files:
                if file.page is None:
                    Page(None, file, config)
            site_key = _site_key(config, config_file, plugin)
            base_keys = _page_keys(doc_files, nav, site_key, plugin)
            keys = _with_links(base_keys, _remembered_links(old), files)
            mode = "incremental" if old and old["site_key"] == site_key else "full"
            if mode == "full":
                old = None
            to_build = [f for f in doc_files
                        if old is None or old["pages"].get(f.src_uri, {}).get("key")
                        != keys[f.src_uri]]
        report = BuildReport(mode, pages=len(doc_files), pages_built=len(to_build))
        log.info(f"{mode} build: {len(to_build)} of {len(doc_files)} pages to build")

        env = config.plugins.on_env(env, config=config, files=files)
        with phases.phase("static files"):
            statics = _copy_static_files(files, old)

        with phases.phase("pages"):
            results = _build_pages(to_build, config, files, doc_files, nav, env, jobs)
            warnings.messages += results.pop("__warnings__")
            remembered = _remember_pages(doc_files, results, old)
            # A page built now is remembered under a key with the links it has now; the
            # others keep the key they were matched with.
            built_keys = _with_links({src: base_keys[src] for src in results},
                                     {src: remembered[src]["links"] for src in results}, files)
            for src, info in remembered.items():
                info["key"] = built_keys.get(src) or keys[src]
            _restore_pages(doc_files, files, remembered)
            log_level = config.validation.links.anchors
            for file in doc_files:
                file.page.validate_anchor_links(files=files, log_level=log_level)
            _abort_on_warnings(warnings, plugin, config)

        with phases.phase("static files"):
            # After the pages, as MkDocs does: the sitemap lists every page's metadata.
            for template in config.theme.static_templates:
                mkdocs_build._build_theme_template(template, env, files, config, nav)
            for template in config.extra_templates:
                mkdocs_build._build_extra_template(template, files, config, nav)

        config.plugins.on_post_build(config=config)
        _abort_on_warnings(warnings, plugin, config)
        search = _search_index(plugin)

        # A build makes the next site complete in the work folder and swaps it in at once.
        # The preview changes its folder in place instead: linking thousands of unchanged
        # files into the work folder would be most of a save's rebuild, and the live-reload
        # server holds every request until the rebuild is done anyway.
        # (Not when the search index is to be made: Pagefind reads the whole work folder.)
        old_files = old["files"] if old else {}
        old_index = {name for name in old_files if name.startswith(SEARCH_FOLDER + "/")}
        in_place = preview and old is not None and (search is None or bool(old_index))
        with phases.phase("write"):
            produced = {f.dest_uri for f in files if f.inclusion.is_included()}
            known_shas = {info["dest"]: info["sha"] for info in remembered.values()}
            new_files: dict[str, list] = {}
            _stage(work_dir, site_dir, old_files, produced, known_shas, new_files, report,
                   link_kept=not in_place)
        pages_changed = any(name.endswith(".html") for name in report.changed)
        # The preview indexes once: Pagefind reads every page, far longer than a save's
        # rebuild at a few hundred medicines.
        if search and (not old_index or (pages_changed and not preview)):
            with phases.phase("search"):
                search(work_dir, work_dir / SEARCH_FOLDER)
            _stage(work_dir, site_dir, old_files, set(), {}, new_files, report,
                   link_kept=not in_place)
        elif search:
            _stage(work_dir, site_dir, old_files, old_index, {}, new_files, report,
                   link_kept=not in_place)
        removed = set(old_files) - set(new_files)
        report.files_removed = len(removed)
        report.changed |= removed
        with phases.phase("write"):
            if in_place:
                _move_in(work_dir, site_dir, report.changed - removed, removed)
            elif old is None or report.changed:
                _swap_in(work_dir, site_dir)
            remove_tree(work_dir)  # the old site, or an unused copy
            work_dir = None
        # Written after the swap: if the build is killed in between, the site no longer
        # matches the old manifest and the next build is a full one.
        manifest = {"version": MANIFEST_VERSION, "site_key": site_key,
                    "pages": remembered, "static": statics, "files": new_files}
        if manifest_path and manifest != old:
            _write_manifest(manifest_path, manifest)
        report.phases = dict(phases.seconds)
        report.warnings = list(plugin.site_build.problems.warnings) if plugin else []
        report.deferred_handouts = list(plugin.site_build.handouts.deferred) if plugin else []
        if session is not None and plugin is not None:
            config["site_dir"] = str(site_dir)
            session.state = PreviewState(
                Path(config_file), file_digest(config_file), config, files, nav, env,
                doc_files, site_dir, manifest, manifest_path, base_keys,
                {file.src_uri: plugin.page_inputs(file.src_uri) for file in doc_files})
        return report
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        if (failed := _build_failure(exc, config)) is not None:
            raise failed from None
        raise
    finally:
        logging.getLogger("mkdocs").removeHandler(warnings)
        if work_dir is not None:
            remove_tree(work_dir)


def _build_failure(exc: Exception, config: MkDocsConfig) -> BuildFailed | None:
    """What stopped a build, as the editor is to read it (None: medguide's own defect)."""
    if isinstance(exc, BuildFailed):
        return exc
    plugin = config.plugins.get("medguide")
    site_build = getattr(plugin, "site_build", None)
    if site_build is not None and not site_build.ok:
        return BuildFailed("content has errors", site_build.problems)
    if isinstance(exc, BuildError):
        located = parse_problem(str(exc))  # a plugin's problem with its file and line
        return BuildFailed(str(exc), Problems([located]) if located else None)
    if isinstance(exc, Abort):
        return BuildFailed(exc.message if hasattr(exc, "message") else str(exc))
    if (failure := template_failure(exc)) is not None:  # a theme template
        problems = Problems()
        problems.add(failure.path, failure.line, 1, "(template)", failure.message)
        return BuildFailed(str(failure), problems)
    return None


def _abort_on_warnings(warnings: WarningLog, plugin, config: MkDocsConfig) -> None:
    if not warnings.messages:
        return
    problems = plugin.warning_problems(warnings.messages, config) if plugin else None
    raise BuildFailed(f"stopped on {len(warnings.messages)} MkDocs warning(s) in strict mode: "
                      + "; ".join(warnings.messages), problems)


SEARCH_FOLDER = SEARCH_BUNDLE


def _search_index(plugin):
    """How to index the site for search (`index(site, output)`), or None when the site has
    no search. The medguide plugin leaves this to the fast build, which indexes only after
    pages changed, and the whole site (not only what changed)."""
    if plugin is None or not plugin.config.get("search_index", False):
        return None
    from generator.build.search_index import SearchIndexError, build_search_index

    def index(site: Path, output: Path) -> None:
        try:
            build_search_index(site, output)
        except (SearchIndexError, OSError) as exc:
            raise BuildFailed(f"search index: {exc}") from None
    return index


def _cache_dir(config: MkDocsConfig, config_file: Path) -> Path | None:
    plugin = config.plugins.get("medguide")
    name = getattr(plugin, "config", {}).get("cache_dir") if plugin else None
    return config_file.resolve().parent / name if name else None


# ---------------------------------------------------------------- what a page depends on

def _site_key(config: MkDocsConfig, config_file: Path, plugin) -> str:
    """Hash of what every page depends on: theme, settings, Markdown extensions, shared
    content (site settings, glossary, ...), code."""
    settings = {name: _stable_repr(config.get(name)) for name in (
        "site_name", "site_url", "site_description", "site_author", "copyright",
        "use_directory_urls", "markdown_extensions", "mdx_configs", "extra", "extra_css",
        "extra_javascript", "repo_url", "edit_uri", "docs_dir")}
    settings["theme"] = repr(sorted((k, repr(v)) for k, v in config.theme.items()))
    return digest(
        str(MANIFEST_VERSION), mkdocs.__version__, markdown.__version__,
        code_digest(__name__, type(plugin).__module__ if plugin is not None else __name__),
        json.dumps(settings, sort_keys=True),
        plugin.shared_inputs() if plugin is not None else "",
        *(tree_digest(Path(folder)) for folder in config.theme.dirs),
    )


def _stable_repr(value) -> str:
    """`repr`, but extension objects by their class (their address changes every run; what
    they do is medguide's code and the shared content, both in the site key)."""
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_stable_repr(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_stable_repr(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (str, int, float, bool, type(None))):
        return repr(value)
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


def _item_signature(item) -> list:
    return [item.title, getattr(item, "url", None), bool(item.is_section)]


def _remembered_links(old: dict | None) -> dict[str, list[str]]:
    return {src: info.get("links", []) for src, info in old["pages"].items()} if old else {}


def _with_links(base_keys: dict[str, str], links: dict[str, list[str]], files: Files
                ) -> dict[str, str]:
    """Complete each page's key with which of the pages it links to exist."""
    known = {f.src_uri for f in files}
    return {src: digest(base, json.dumps([[link, link in known]
                                          for link in links.get(src, [])]))
            for src, base in base_keys.items()}


def _page_keys(doc_files, nav, site_key: str, plugin) -> dict[str, str]:
    """Each page's key, but for its links: a hash of everything its HTML depends on."""
    top = json.dumps([_item_signature(i) for i in nav.items if not i.is_section])
    sections: dict[int, list] = {}  # made once per section, not once per page in it
    keys = {}
    for file in doc_files:
        page = file.page
        section = page.parent
        if section is not None and id(section) not in sections:
            sections[id(section)] = [section.title,
                                     [_item_signature(c) for c in section.children]]
        neighbours = [
            sections[id(section)] if section else None,
            _item_signature(page.previous_page) if page.previous_page else None,
            _item_signature(page.next_page) if page.next_page else None,
            page.title, page.url, page.is_homepage,
        ]
        keys[file.src_uri] = digest(
            site_key, top, file.src_uri, hashlib.sha256(file.content_bytes).hexdigest(),
            json.dumps(neighbours),
            plugin.page_inputs(file.src_uri) if plugin is not None else "")
    return keys


# ---------------------------------------------------------------- building pages

# What the pages of the pool in progress are built from, in each worker process (set there
# by `_receive_job`).
_JOB: dict[str, Any] = {}


def _build_pages(to_build, config, files, doc_files, nav, env, jobs: int) -> dict:
    """Read, convert and write `to_build`; returns what each page links to and its anchors."""
    job = dict(config=config, files=files, doc_files=doc_files, nav=nav, env=env,
               pages=to_build)
    indices = list(range(len(to_build)))
    chunks = [indices[i:i + CHUNK_PAGES] for i in range(0, len(indices), CHUNK_PAGES)]
    bar = progress.Progress("pages", len(to_build))
    results: dict = {"__warnings__": []}

    def collect(chunk_result):
        pages, messages = chunk_result
        for src_uri, info in pages:
            results[src_uri] = info
        results["__warnings__"] += messages
        bar.advance(len(pages))

    try:
        if jobs > 1 and len(to_build) >= PARALLEL_MIN_PAGES:
            context = multiprocessing.get_context("fork")
            # Objects made so far are only read by the workers: keep the garbage collector
            # from touching (and so copying) them in every worker.
            gc.freeze()
            # A worker's memory grows as it touches (and so copies) what it shares with this
            # process; a fresh fork after WORKER_CHUNKS chunks keeps it bounded.
            # Forked workers get the job as it is (a fork copies, nothing is pickled).
            with context.Pool(min(jobs, len(chunks)), initializer=_receive_job,
                              initargs=(job,), maxtasksperchild=WORKER_CHUNKS) as pool:
                for chunk_result in pool.imap_unordered(_build_chunk_of_job, chunks):
                    collect(chunk_result)
        else:
            for chunk in chunks:
                collect(_build_chunk(job, chunk, count_warnings=False))
    finally:
        bar.close()
    return results


def _receive_job(job: dict[str, Any]) -> None:
    _JOB.update(job)


def _build_chunk_of_job(indices: list[int]):
    return _build_chunk(_JOB, indices)


def _build_chunk(job: dict[str, Any], indices: list[int], count_warnings: bool = True):
    """Build some pages (in a worker, or in the main process)."""
    config, files = job["config"], job["files"]
    counter = WarningLog()
    if count_warnings:  # in the main process the build's own log sees the warnings
        logging.getLogger("mkdocs").addHandler(counter)
    try:
        out = []
        for index in indices:
            page = job["pages"][index].page
            html, info = _convert_page(page, config, files, job["doc_files"], job["nav"],
                                       job["env"])
            if html is not None:
                mkdocs_utils.write_file(html, page.file.abs_dest_path)
            out.append((page.file.src_uri, info))
        return out, counter.messages
    finally:
        logging.getLogger("mkdocs").removeHandler(counter)


def _convert_page(page: Page, config: MkDocsConfig, files: RecordingFiles, doc_files, nav,
                  env) -> tuple[bytes | None, dict]:
    """A page's HTML (None: MkDocs skips a page whose output is empty) and what the build
    remembers of it: MkDocs' `_populate_page`, then its `_build_page` without the writing."""
    files.recording = links = set()
    try:
        mkdocs_build._populate_page(page, config, files)
    finally:
        files.recording = None
    html = _page_html(page, config, doc_files, nav, env)
    info = {
        "dest": page.file.dest_uri,
        "sha": hashlib.sha256(html).hexdigest() if html is not None else None,
        "meta": page.meta, "update_date": page.update_date,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": sorted(links),
        "anchor_links": {to.src_uri: dict(sorted(anchors.items()))
                         for to, anchors in (page.links_to_anchors or {}).items()},
    }
    # Converted and summed up: its text is not needed again, so memory stays flat.
    page.markdown = page.content = None
    page.toc = []
    return html, info


def _page_html(page: Page, config: MkDocsConfig, doc_files, nav, env) -> bytes | None:
    """`mkdocs.commands.build._build_page` (1.6.1), giving the bytes instead of writing
    them: the preview writes a changed page into its site itself."""
    config._current_page = page
    try:
        page.active = True
        context = mkdocs_build.get_context(nav, doc_files, config, page)
        template = env.get_template(page.meta.get("template", "main.html"))
        context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
        output = template.render(context)
        output = config.plugins.on_post_page(output, page=page, config=config)
        if not output.strip():
            log.info(f"Page skipped: '{page.file.src_uri}'. Generated empty output.")
            return None
        return output.encode("utf-8", errors="xmlcharrefreplace")
    except Exception as exc:
        message = f"Error building page '{page.file.src_uri}':"
        if not isinstance(exc, BuildError):
            message += f" {exc}"
        log.error(message)
        raise
    finally:
        page.active = False
        config._current_page = None


def _remember_pages(doc_files, results, old) -> dict:
    remembered = {}
    for file in doc_files:
        info = results.get(file.src_uri)
        remembered[file.src_uri] = dict(info if info is not None
                                        else old["pages"][file.src_uri])
    return remembered


def _restore_pages(doc_files, files: Files, remembered: dict) -> None:
    """Give every page what its last conversion found (metadata, date, anchors, anchor
    links), so the sitemap can list it and links between pages can be checked without
    converting it again."""
    for file in doc_files:
        info = remembered[file.src_uri]
        page = file.page
        page.meta = info["meta"]
        page.update_date = info["update_date"]
        page.present_anchor_ids = set(info["anchors"])
        page.links_to_anchors = {}
        for target, anchors in info["anchor_links"].items():
            to = files.get_file_from_path(target)
            if to is not None:
                page.links_to_anchors[to] = dict(anchors)


# ---------------------------------------------------------------- the site folder

def _static_signature(file) -> list:
    if file.abs_src_path and file._content is None:
        stat = os.stat(file.abs_src_path)
        return [file.abs_src_path, stat.st_size, stat.st_mtime_ns]
    return [hashlib.sha256(file.content_bytes).hexdigest()]


def _copy_static_files(files: Files, old: dict | None) -> dict[str, list]:
    """Copy static files (theme assets, handouts) to the work folder, but in an incremental
    build only those whose source changed since the last build copied them."""
    signatures = {}
    for file in files:
        if file.is_documentation_page() or not file.inclusion.is_included():
            continue
        signature = signatures[file.dest_uri] = _static_signature(file)
        if (old and old.get("static", {}).get(file.dest_uri) == signature
                and file.dest_uri in old["files"]):
            continue  # already in the site, from the same source
        file.copy_file()
    return signatures


def _file_state(path: Path, sha: str | None = None) -> list:
    stat = path.stat()
    if sha is None:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return [sha, stat.st_size, stat.st_mtime_ns]


def _listing(folder: Path) -> dict[str, Path]:
    found = {}
    prefix = len(str(folder)) + 1
    for root, dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            found[path[prefix:]] = Path(path)
    return found


def _stats(folder: Path) -> dict[str, list[int]]:
    """[size, modification time] of every file under `folder`, by relative path."""
    found = {}
    prefix = len(str(folder)) + 1
    for root, dirs, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            stat = os.stat(path)
            found[path[prefix:]] = [stat.st_size, stat.st_mtime_ns]
    return found


def _read_manifest(path: Path | None, site_dir: Path) -> dict | None:
    """The last build's record, if the site folder is still exactly what it wrote."""
    if path is None or not path.is_file() or not site_dir.is_dir():
        return None
    try:
        with open(path, "rb") as handle:
            manifest = pickle.load(handle)
    except Exception:  # unreadable: build in full
        return None
    if not isinstance(manifest, dict) or manifest.get("version") != MANIFEST_VERSION:
        return None
    files = manifest.get("files", {})
    on_disk = _stats(site_dir)
    if on_disk.keys() != files.keys():
        return None
    if any(state != files[name][1:] for name, state in on_disk.items()):
        return None
    return manifest


def _write_manifest(path: Path, data: dict) -> None:
    write_atomically(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))


def _stage(work_dir: Path, site_dir: Path, old_files: dict, keep: set[str],
           known_shas: dict[str, str], files: dict, report: BuildReport, *,
           link_kept: bool = True) -> None:
    """Make `work_dir` hold the whole next site. A file written there with the bytes the
    site already has becomes a hard link to the site's copy (it keeps its date, so nothing
    downstream sees a change); the site's files in `keep` that were not written again are
    linked in. `files` gets the state of each file staged (name -> [sha, size, mtime])."""
    for name, path in _listing(work_dir).items():
        if name in files:
            continue  # staged by an earlier call
        sha = known_shas.get(name) or hashlib.sha256(path.read_bytes()).hexdigest()
        if name in old_files and old_files[name][0] == sha:
            _link(site_dir / name, path, replace=True)
            files[name] = old_files[name]
        else:
            files[name] = _file_state(path, sha)
            report.files_written += 1
            report.changed.add(name)
    for name in sorted(keep - set(files)):
        if name in old_files:
            if link_kept:
                _link(site_dir / name, work_dir / name)
            files[name] = old_files[name]


def _move_in(work_dir: Path, site_dir: Path, written: set[str], removed: set[str]) -> None:
    """The preview's in-place update: move what changed into the site, remove what went."""
    for name in sorted(written):
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(work_dir / name, target)
    for name in sorted(removed):
        path = site_dir / name
        path.unlink(missing_ok=True)
        while path.parent != site_dir and not any(path.parent.iterdir()):
            path.parent.rmdir()  # a folder left empty, e.g. of a medicine taken out
            path = path.parent


def _link(source: Path, target: Path, *, replace: bool = False) -> None:
    """Hard-link `source` at `target` (a copy with the same date where links are refused,
    as for an immutable file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".link-{target.name}") if replace else target
    try:
        os.link(source, temp)
    except OSError:
        shutil.copy2(source, temp)
    if replace:
        os.replace(temp, target)


# renameat2(2): swap two paths in one step.
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_LIBC = ctypes.CDLL(None, use_errno=True)


def _swap_in(staging: Path, site_dir: Path) -> None:
    """Put the staged site in place of the old one in a single step, so that a reader, or a
    build killed at any moment, finds the old site or the new one and never a mix. The old
    site ends up at `staging`."""
    staging.chmod(0o755)  # mkdtemp makes private folders; a site is for everyone to read
    if not site_dir.exists():
        staging.rename(site_dir)
        staging.mkdir()
        return
    if hasattr(_LIBC, "renameat2") and _LIBC.renameat2(
            _AT_FDCWD, os.fsencode(staging), _AT_FDCWD, os.fsencode(site_dir),
            _RENAME_EXCHANGE) == 0:
        return
    code = ctypes.get_errno()
    if code not in (0, errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        raise OSError(code, os.strerror(code), str(site_dir))
    # A file system without the exchange: two renames. A kill between them leaves the old
    # site under `.<site>-old-<pid>`, which the next build puts back (`recover_site`).
    aside = site_dir.with_name(f".{site_dir.name}-old-{os.getpid()}")
    site_dir.rename(aside)
    staging.rename(site_dir)
    aside.rename(staging)


def recover_site(site_dir: Path) -> None:
    """Undo what a killed build left next to `site_dir`: put back a site moved aside and
    remove unfinished work folders. The caller holds the build lock."""
    parent, name = site_dir.parent, site_dir.name
    if not parent.is_dir():
        return
    aside = sorted(parent.glob(f".{glob.escape(name)}-old-*"))
    if aside and not site_dir.exists():
        aside.pop().rename(site_dir)
    for leftover in aside + sorted(parent.glob(f".{glob.escape(name)}-new-*")):
        remove_tree(leftover)


def remove_tree(path: Path) -> None:
    """Remove a folder, including one made read-only (an old site someone protected)."""
    def writable_and_again(function, name, _):
        os.chmod(os.path.dirname(name), 0o755)
        function(name)
    try:
        shutil.rmtree(path, onerror=writable_and_again)
    except OSError:
        pass  # the next build tries again


@contextlib.contextmanager
def build_lock(site_dir: Path):
    """One build at a time per site folder: another one's work folder is not a leftover."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(site_dir.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildFailed(f"another build is writing to {site_dir}; "
                              "wait for it to finish") from None
        yield
    finally:
        os.close(handle)  # releases the lock
