"""Turning a handout's HTML into a PDF: WeasyPrint in worker processes, the page rules, and
the cache of finished PDFs (`.cache/handouts/`), keyed by the HTML and by what else a PDF
depends on (`asset_digest`).

What goes on a handout is decided in `handouts`; this module knows only HTML and PDFs, so
changing how pages or handouts are worded never makes a PDF whose HTML is unchanged stale.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import logging
import multiprocessing
import os
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.build.cache import code_digest, write_atomically
from generator.build.workers import worker_count
from generator.content.sanitize import shorten

# CSS class of the wallet card's fixed-size panels: their text must fit inside them.
CARD_PANEL_CLASS = "card__panel"
# Bump to invalidate every cached PDF when the way they are made changes outside this code.
CACHE_FORMAT = 2
# An older version of a cached PDF is removed once no build has used it for this long.
UNUSED_VERSION_SECONDS = 24 * 3600
PDF_LIBRARIES = ("weasyprint", "pydyf", "fonttools", "pillow", "segno")
FILE_URL = re.compile(r"url\(\s*['\"]?file://([^'\")]+)['\"]?\s*\)")


class HandoutProblem(Exception):
    """A handout cannot be built: names the file (record, template or stylesheet) to fix."""

    def __init__(self, path: Path | str, line: int, field_name: str, message: str,
                 hint: str | None = None):
        super().__init__(f"{path}:{line}: {field_name}: {message}")
        self.path, self.line, self.field, self.message, self.hint = (
            path, line, field_name, message, hint)


@dataclass(frozen=True)
class HandoutJob:
    """One PDF to make: its name, the HTML to render and how to check the result."""

    slug: str
    source_path: Path  # the record, for error messages
    kind: str  # "handout" or "wallet-card"
    group: str | None
    words: str  # what the group is: "tablets and liquid", "pump"
    file_name: str
    title: str
    html: str
    base_url: str
    max_pages: int
    key: str = ""


def asset_digest(folder: Path) -> str:
    """Hash of what a PDF depends on besides its HTML: the stylesheets and other files next to
    the print templates (in `folder`), the font files they name, the code that turns HTML
    into a PDF (this module and what it imports) and the PDF libraries' versions. Code that
    makes the HTML is not in it: a change there reaches the PDF only through the HTML."""
    digest = hashlib.sha256(
        f"format {CACHE_FORMAT}\n{code_digest(__name__)}\n".encode())
    for name in PDF_LIBRARIES:
        digest.update(f"{name} {metadata.version(name)}\n".encode())
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\n".encode())
        digest.update(hashlib.sha256(data).digest())
        if path.suffix == ".css":
            for font in check_linked_files(path, data.decode("utf-8")):
                digest.update(f"{font}\n".encode())
                digest.update(hashlib.sha256(font.read_bytes()).digest())
    return digest.hexdigest()


def check_linked_files(stylesheet: Path, css: str) -> list[Path]:
    """Local files (fonts) a stylesheet names with `url(file://…)`; each must exist, or
    WeasyPrint would silently fall back to another font."""
    files = []
    for match in FILE_URL.finditer(css):
        path = Path(match.group(1))
        if not path.is_file():
            line = css[: match.start()].count("\n") + 1
            raise HandoutProblem(stylesheet, line, "(stylesheet)",
                                 f"file {path} not found",
                                 "install the fonts with `make site`, which installs "
                                 "fonts-liberation2")
        files.append(path)
    return files


def job_key(job: HandoutJob, assets: str, paper: str) -> str:
    digest = hashlib.sha256()
    for part in (assets, paper, job.kind, job.file_name, str(job.max_pages), job.html):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def cache_paths(cache_dir: Path, job: HandoutJob) -> tuple[Path, Path]:
    stem = f"{job.file_name.removesuffix('.pdf')}.{job.key}"
    return cache_dir / f"{stem}.pdf", cache_dir / f"{stem}.json"


def read_cached(cache_dir: Path, job: HandoutJob) -> int | None:
    """Page count of the cached PDF for `job`, or None when it is not (validly) cached."""
    pdf, info = cache_paths(cache_dir, job)
    try:
        pages = json.loads(info.read_text(encoding="utf-8"))["pages"]
        stat = pdf.stat()
        # Marks the PDF as in use (its access time; the date the site copies is left as it
        # is), so that no other build prunes it while this one still has to copy it.
        os.utime(pdf, ns=(time.time_ns(), stat.st_mtime_ns))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pages if isinstance(pages, int) and stat.st_size > 0 else None


def write_cached(cache_dir: Path, job: HandoutJob, data: bytes, pages: int) -> None:
    """Store a PDF (atomically: a half-written file is never taken for a good one) and drop
    older versions of the same file that no build has used for a while. (Another build, the
    preview next to `medguide build` say, may be about to copy a version used just now.)"""
    cache_dir.mkdir(parents=True, exist_ok=True)
    pdf, info = cache_paths(cache_dir, job)
    for path, content in ((pdf, data), (info, json.dumps({"pages": pages}).encode())):
        write_atomically(path, content)
    stem = job.file_name.removesuffix(".pdf")
    unused_since = time.time_ns() - UNUSED_VERSION_SECONDS * 1_000_000_000
    for old in cache_dir.glob(f"{glob_escape(stem)}.*.pdf"):
        if old.name.count(".") != 2 or old.name.split(".")[1] == job.key:
            continue
        try:
            if old.stat().st_atime_ns >= unused_since:
                continue
        except OSError:
            continue
        old.unlink(missing_ok=True)
        old.with_suffix(".json").unlink(missing_ok=True)


def page_rule_problem(job: HandoutJob, pages: str) -> HandoutProblem:
    what = "wallet card" if job.kind == "wallet-card" else "handout"
    return HandoutProblem(
        job.source_path, 1, "(handout)",
        f"the {what} {job.file_name} runs to {pages} pages; at most {job.max_pages} "
        f"{'page' if job.max_pages == 1 else 'pages'} allowed",
        "shorten the text it prints, or change templates/handouts/")


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


class PageCapReached(Exception):
    """Layout went past the page cap: the handout breaks its rule whatever comes next."""


class _PageCap(logging.Handler):
    """Stops WeasyPrint's layout once it starts a page past `cap`. WeasyPrint announces each
    page it lays out on its documented progress logger ("Step 5 - Creating layout - Page
    N"); raising from the handler stops the layout there, so a huge record costs a few
    pages of layout, not thousands."""

    def __init__(self, cap: int) -> None:
        super().__init__(logging.INFO)
        self.cap = cap

    def emit(self, record: logging.LogRecord) -> None:
        if (str(record.msg).startswith("Step 5") and record.args
                and isinstance(record.args[-1], int) and record.args[-1] > self.cap):
            raise PageCapReached(record.args[-1])


def layout_cap(job: HandoutJob) -> int:
    """How many pages layout may reach before it is stopped: one past the rule, so the
    error can still say the handout runs over."""
    return job.max_pages + 1


def render_pdf(job: HandoutJob) -> tuple[bytes, int, list[str]]:
    """(PDF bytes, page count, problems) for one job. Runs in a worker process."""
    from weasyprint import HTML  # imported here: slow to import, and only needed to render

    from generator.build.fetcher import HandoutFetcher

    warnings: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            warnings.append(record.getMessage())

    # WeasyPrint reports missing images, bad CSS and tagging gaps as log messages:
    # a handout with any of those is a broken handout.
    handler = Collect(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    progress_logger = logging.getLogger("weasyprint.progress")
    cap = _PageCap(layout_cap(job))
    saved = progress_logger.level, progress_logger.propagate
    folder = Path(url2pathname(urlsplit(job.base_url).path))
    fetcher = HandoutFetcher(folder, [font for css in sorted(folder.glob("*.css"))
                                      for font in check_linked_files(
                                          css, css.read_text(encoding="utf-8"))])
    logger.addHandler(handler)
    progress_logger.addHandler(cap)
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    # WeasyPrint writes the handout's fonts into a temporary folder that it removes only
    # when its font configuration is garbage-collected, which a worker process may never
    # do (hundreds of folders were left in /tmp after a day of builds): each job's goes in
    # a folder of its own, removed when the job ends.
    scratch = tempfile.TemporaryDirectory(prefix="medguide-pdf-")
    default_tempdir, tempfile.tempdir = tempfile.tempdir, scratch.name
    try:
        options = dict(pdf_variant="pdf/ua-1")
        document = HTML(string=job.html, base_url=job.base_url,
                        url_fetcher=fetcher).render(**options)
        # Attachments are fetched when the PDF is written: refused before that.
        attached = attachments_in(document)
        data = b"" if attached or fetcher.refused else document.write_pdf(**options)
    except PageCapReached as exc:
        return b"", exc.args[0], []  # no PDF: `build_handouts` reports the page rule
    finally:
        tempfile.tempdir = default_tempdir
        scratch.cleanup()
        logger.removeHandler(handler)
        progress_logger.removeHandler(cap)
        progress_logger.setLevel(saved[0])
        progress_logger.propagate = saved[1]
    if attached or fetcher.refused:
        # WeasyPrint's own warnings about the refused addresses add nothing.
        return data, len(document.pages), attached + fetcher.refused
    problems = [f"WeasyPrint: {message}" for message in warnings]
    if job.kind == "wallet-card":
        problems += overflowing_panels(document)
    return data, len(document.pages), problems


def attachments_in(document) -> list[str]:
    """Files the PDF would carry as attachments (`rel=attachment` links): a handout carries
    none."""
    found = ["a <link rel=attachment>"] * len(document.metadata.attachments)
    found += [shorten(target, 80) for page in document.pages
              for link_type, target, *_ in page.links if link_type == "attachment"]
    return [f"the handout would carry a file attachment ({what}); handouts carry no "
            "attachments" for what in found]


def overflowing_panels(document) -> list[str]:
    """Wallet card panels whose text runs past their fixed size (and would be cut off)."""
    problems = []
    for page in document.pages:
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or CARD_PANEL_CLASS not in element.get("class", "").split():
                continue
            if not hasattr(box, "content_box_y") or not getattr(box, "children", None):
                continue
            bottom = box.content_box_y() + box.height
            lowest = max((child.position_y + child.margin_height()
                          for child in box.descendants() if child is not box
                          and hasattr(child, "margin_height")), default=bottom)
            if lowest > bottom + 0.5:  # half a CSS pixel of rounding
                label = element.get("aria-label") or element.get("id") or "panel"
                problems.append(f"the text on the wallet card's {label} panel does not fit: "
                                f"{(lowest - bottom) * 25.4 / 96:.1f} mm too long")
    return problems


# How much lower than the preview's own process the background PDF workers run (`nice`).
BACKGROUND_NICENESS = 10


def run_jobs(jobs: list[HandoutJob], *, background: bool = False
             ) -> Iterator[tuple[bytes, int, list[str]]]:
    """Render jobs, in parallel over the build's workers when there is more than one,
    giving each result, in order, as soon as it is ready. Closing the iterator early
    cancels the jobs not started. In the `background` (while the editor works in the
    preview), the jobs always run in worker processes, at a lower priority: rendering a PDF
    in this process would hold the interpreter the editor's next save needs, and at the
    same priority the workers would take both cores from it."""
    workers = max(1, min(len(jobs), worker_count()))
    if workers == 1 and not background:
        for job in jobs:
            yield render_pdf(job)
        return
    # forkserver: workers start from a clean single-threaded process (the live preview
    # runs threads, and forking a threaded process can deadlock).
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["weasyprint", __name__])
    lower = {"initializer": os.nice, "initargs": (BACKGROUND_NICENESS,)} if background else {}
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, **lower)
    try:
        yield from pool.map(render_pdf, jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
