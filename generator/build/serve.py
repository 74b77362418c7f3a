"""The editor's live preview (`medguide serve`): the build's own loop, in preview mode,
served by MkDocs' live-reload server.

The first build is `builder.build` on the preview's own site folder (drafts shown, problems
as banners on their pages); what it made stays in memory (`builder.PreviewSession`). A save
then runs the core pipeline again (from its caches) and converts and writes only the pages
whose Markdown or inputs changed; a save that changes which pages there are, their titles or
dates, the theme or the settings is a build again. Either way the served pages are the ones
a build of the same content gives. The browser reloads when the rebuild is done.

The preview's folder is kept under the cache folder (`.cache/preview/site`), so that starting
the preview again only rebuilds what changed since it last ran. The search index is made on
the first build only: search in the preview can lag behind edits until it is restarted.
A save that changes a PDF handout is served in two passes: first the pages (linking the PDF
of the last pass); then, once the new PDF has rendered in the background (a save meanwhile
is served at once) and the editor has paused for `QUIET_SECONDS`, the PDF itself and the
pages that give its size.

If a rebuild stops (a broken theme template, say), every page address answers with the
problem, its file and line, and reloads itself until the next rebuild works; the server
keeps answering throughout.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import watchdog.observers
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer
from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
)
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from generator.build import progress
from generator.build.builder import BuildFailed, PreviewSession, build

log = logging.getLogger("medguide")

# How often the watched folders are scanned for saved files, and how long after the last
# change a rebuild starts (seconds; MkDocs' defaults are 0.5 and 0.1): most of the wait for a
# small site otherwise. An editor's save (a temporary file renamed over the record) comes as
# a burst of changes within a few milliseconds.
POLL_SECONDS = 0.05
SETTLE_SECONDS = 0.05
# In a folder of its own: a build locks the folder its site is in (see `builder.build_lock`),
# and `medguide check` builds into .cache/check-site.
PREVIEW_FOLDER = "preview/site"
# What a save, a new file or a removed one looks like to the file observer (not: a file
# opened, read or touched).
SAVE_EVENTS = (FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent,
               FileClosedEvent, DirCreatedEvent, DirMovedEvent, DirDeletedEvent)
# How long the editor must pause (no save) before the pass that writes put-off PDFs runs
# (`BackgroundHandouts`).
QUIET_SECONDS = 2.0


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server that, while the last rebuild failed, answers every page
    address with what went wrong."""

    failure: str | None = None
    # The last rebuild put off rendering changed PDFs (or writing the site's record): the
    # next one does it.
    follow_up = False

    def serve_request(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        failure = self.failure
        if failure is None or path.startswith("/livereload/") or not (
                path.endswith("/") or path.endswith(".html")):
            return super().serve_request(environ, start_response)
        page = failure_page(failure).encode("utf-8")
        start_response("500 Internal Server Error", [
            ("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))])
        return [page]


def failure_page(failure: str) -> str:
    """A page naming what stopped the preview's rebuild; it reloads itself every two seconds,
    so the site comes back once the file is fixed."""
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta http-equiv=\"refresh\" content=\"2\"><title>Preview stopped</title></head>"
            "<body><main><h1>The preview could not be rebuilt</h1>"
            "<p>Fix this, save, and the page comes back by itself:</p>"
            f"<pre>{html.escape(failure)}</pre></main></body></html>\n")


def describe(exc: BuildFailed) -> str:
    if exc.problems is not None and exc.problems.items:
        return "\n".join(str(p) for p in exc.problems.in_report_order)
    return str(exc)


def serve(config_file: Path, dev_addr: str, *, jobs: int | None = None) -> None:
    config = load_config(config_file=str(config_file))
    plugin = config.plugins.get("medguide")
    root = config_file.resolve().parent
    cache_name = plugin.config.cache_dir if plugin is not None else ""
    site_dir = (root / cache_name / PREVIEW_FOLDER if cache_name
                else Path(tempfile.mkdtemp(prefix="medguide-preview-")))
    host, _, port = dev_addr.rpartition(":")

    # Writing into this watched folder asks the server for another rebuild.
    again = site_dir.with_name(site_dir.name + "-again")
    again.mkdir(parents=True, exist_ok=True)

    session = PreviewSession(jobs=jobs)

    def follow_up() -> None:
        """Ask the server for the pass that finishes the last one (writing the PDFs it put
        off, or the site's record)."""
        server.follow_up = True
        (again / "handouts").write_text(str(time.time_ns()), encoding="utf-8")

    handouts = BackgroundHandouts(follow_up)

    def rebuild() -> None:
        start = time.perf_counter()
        defer = not server.follow_up
        server.follow_up = False
        try:
            report = session.update(defer_handouts=defer)
            if report is None:
                # A build forks worker processes: not while PDFs render in a thread.
                handouts.wait()
                report = build(config_file, site_dir, jobs=jobs, preview=True,
                               defer_handouts=defer, session=session)
        except BuildFailed as exc:
            server.failure = describe(exc)
            log.error("medguide: the preview could not be rebuilt:\n%s", server.failure)
            return
        except Exception as exc:  # medguide's own defect: the server must stay up
            server.failure = f"internal error in medguide: {type(exc).__name__}: {exc}"
            log.exception("medguide: the preview could not be rebuilt")
            return
        server.failure = None
        log.info(f"preview ({report.mode}): {report.pages_built} of {report.pages} pages "
                 "converted, "
                 f"{report.files_written} files written in {time.perf_counter() - start:.2f} s "
                 f"({progress.summary(report.phases)})")
        # The pages are served now (the browser reloads once this returns). The PDFs they
        # link render in the background, and the pass after that, with them in the cache,
        # writes them and their sizes and page counts (and the site's record). A save
        # meanwhile is served at once, and its own PDFs take the place of these.
        render = session.put_off_handouts() if report.deferred_handouts else None
        if render is not None or session.unsaved:
            handouts.start(render)
        else:
            handouts.passed()

    server = PreviewServer(builder=rebuild, host=host or "127.0.0.1", port=int(port),
                           root=str(site_dir), mount_path=urlsplit(config.site_url or "/").path,
                           polling_interval=POLL_SECONDS)
    server.build_delay = SETTLE_SECONDS
    server.error_handler = lambda code: _error_page(site_dir, code)
    watched = watched_paths(config, config_file)
    server.observer = file_observer(watched)
    # Stopped by a signal (a terminal closing, a process manager), the preview stops as on
    # Ctrl-C: the site's record is written on the way out. Processes forked for a build keep
    # SIGTERM's default from their first moment, since their pools end them with it.
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)
    os.register_at_fork(after_in_child=_default_sigterm)
    try:
        rebuild()
        for path in [*watched, again]:
            server.watch(str(path))
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("preview stopped")
        finally:
            server.shutdown()
            session.save()
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        if not cache_name:
            shutil.rmtree(site_dir, ignore_errors=True)
            shutil.rmtree(again, ignore_errors=True)


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _default_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


class BackgroundHandouts:
    """Renders the PDFs a preview pass put off, in a thread of their own, then calls `done`
    (which asks the server for the pass that writes them). Only the newest request counts:
    a save while PDFs render makes them stale, and its own request replaces them.

    `done` waits until no pass has run for `quiet_seconds`: the pass it asks for runs the
    whole pipeline again (about a second at a thousand medicines) and the server holds
    every request meanwhile, so an editor saving again and again would otherwise wait for
    it between saves. The PDFs follow once the editor pauses."""

    def __init__(self, done: Callable[[], None], quiet_seconds: float = QUIET_SECONDS) -> None:
        self.done = done
        self.quiet_seconds = quiet_seconds
        self.generation = 0
        self.last_pass = time.monotonic()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def passed(self) -> None:
        """A pass has just run: the pass `done` asks for waits for the editor's pause."""
        self.last_pass = time.monotonic()

    def start(self, render: Callable[[], None] | None) -> None:
        """After a pass that put off PDFs (`render` makes them) or left the site's record
        unwritten (`render` is None): ask for the pass that finishes it."""
        self.passed()
        with self.lock:
            self.generation += 1
            generation = self.generation
        previous = self.thread

        def current() -> bool:
            with self.lock:
                return generation == self.generation  # else a newer save asked

        def run() -> None:
            if previous is not None:
                previous.join()  # one at a time: the process pool is the build's
            if not current():
                return
            if render is not None:
                try:
                    render()
                except Exception:  # the pass after it renders them again and reports why
                    log.debug("medguide: rendering put-off handouts failed", exc_info=True)
            while (left := self.quiet_seconds - (time.monotonic() - self.last_pass)) > 0:
                if not current():
                    return
                time.sleep(min(left, 0.05))
            if current():
                self.done()

        self.thread = threading.Thread(target=run, name="medguide-handouts", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        """Wait for the PDFs being rendered, and drop the pass they would ask for: the
        caller is about to build, which writes them (or puts them off again)."""
        with self.lock:
            self.generation += 1
        if self.thread is not None:
            self.thread.join()


def file_observer(paths: list[Path]) -> BaseObserver:
    """What tells the server a file was saved. MkDocs polls: it walks every watched folder
    each POLL_SECONDS, and at a thousand medicines one walk of content/ (some 15,000 files)
    takes about as long, so polling kept a core busy and each save's rebuild waiting for it.
    The system's own notifications (inotify on Linux) cost nothing between saves; polling
    stays where there are none, or too few to watch every folder."""
    observer_class = watchdog.observers.Observer
    if observer_class is PollingObserver or _folder_count(paths) > _watch_limit():
        observer = PollingObserver(timeout=POLL_SECONDS)
    else:
        observer = observer_class(timeout=POLL_SECONDS)
    # Only what a save does counts. inotify also reports files being opened and read, and
    # a pass reads watched files (the handout templates, say): MkDocs, which asks for a
    # rebuild on any event, would rebuild again and again. MkDocs calls `schedule` itself.
    observer.schedule = functools.partial(observer.schedule, event_filter=list(SAVE_EVENTS))
    return observer


def _folder_count(paths: list[Path]) -> int:
    return sum(1 + sum(len(dirs) for _, dirs, _ in os.walk(path)) for path in paths
               if path.is_dir())


def _watch_limit() -> int:
    """How many folders inotify may watch for this user, less a margin for other programs
    (unknown: no limit assumed)."""
    try:
        limit = int(Path("/proc/sys/fs/inotify/max_user_watches").read_text())
    except (OSError, ValueError):
        return 1 << 30
    return limit // 2


def watched_paths(config, config_file: Path) -> list[Path]:
    """The content, the templates and mkdocs.yml (MkDocs' own theme files do not change)."""
    plugin = config.plugins.get("medguide")
    root = config_file.resolve().parent
    paths = [config_file.resolve()]
    if plugin is not None:
        paths += [root / plugin.config.content_dir, root / plugin.config.templates_dir]
    if config.theme.custom_dir:
        paths.append(Path(config.theme.custom_dir).resolve())
    paths = sorted({p.resolve() for p in paths if p.exists()})
    # A folder inside another watched folder would report each save twice.
    return [p for p in paths if not any(o != p and o in p.parents for o in paths)]


def _error_page(site_dir: Path, code: int) -> bytes | None:
    page = site_dir / f"{code}.html"
    return page.read_bytes() if code == 404 and page.is_file() else None
