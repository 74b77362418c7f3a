"""`medguide serve`: the build's own loop in preview mode behind MkDocs' live-reload server.
It shows problems and recovers as the editor types, serves the pages a build gives, and keeps
answering whatever goes wrong."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import TEMPLATES, edit, medguide, tree, write_mkdocs_config
from watchdog.events import FileSystemEventHandler
from watchdog.observers.polling import PollingObserver

from generator.build import serve as serve_module
from generator.build.serve import BackgroundHandouts

pytestmark = pytest.mark.pdf  # runs the preview server, which builds handouts


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        try:
            page = fetch(url)
            if text in page:
                return page
        except OSError:  # not up yet, or busy rebuilding (URLError, timeouts)
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} did not appear at {url}; last page:\n{page[:2000]}")


def serve(project: Path, content: Path, config: Path | None = None,
          output: list[str] | None = None):
    """Run `medguide serve` on `content` (with `config`, or one written for it); yields its
    address. Once it is stopped, what it printed is added to `output`."""
    config = config or write_mkdocs_config(project, content)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli.main", "--config", str(config), "serve",
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        printed = process.communicate(timeout=10)[0]
        assert "Traceback" not in printed, printed
        # Stopped by SIGTERM as by Ctrl-C: on the way out it records its site.
        assert "preview stopped" in printed, printed
        if output is not None:
            output.append(printed)


@pytest.fixture
def server(tmp_path: Path, content: Path):
    yield from serve(tmp_path, content)


@pytest.fixture
def real_server(tmp_path: Path, real_content: Path):
    yield from serve(tmp_path, real_content)


def test_medguide_serve_shows_problems_and_recovers_as_the_editor_types(server, record_path):
    page = f"{server}/medicines/testofen/how-to-take/"
    wait_for(page, "Pending clinical review.")
    edit(record_path, "side_effects:\n", "side_efects:\n")  # the record can no longer load
    broken = wait_for(f"{server}/medicines/testofen/", "cannot be shown")
    assert "did you mean side_effects?" in broken
    edit(record_path, "side_efects:\n", "side_effects:\n")
    edit(record_path, "status: submitted", "status: draft")
    fixed = wait_for(page, "Draft: not for patients.")
    assert "banner--problems" not in fixed
    assert "Testofen (draft)" in fixed  # the navigation marks drafts


# Slips in the real content that used to crash the preview's rebuild (the server then
# stopped answering): each must show on a page, and the page must come back once fixed.
REAL_SLIPS = [
    ("medicines/baclofen/medicine.yaml", "side_effects:\n", "side_efects:\n",
     "/medicines/baclofen/", "side_efects: unknown field"),
    ("medicines/gabapentin/medicine.yaml", "\nstopping:\n", "\nstopping:\n\tx: 1\n",
     "/medicines/gabapentin/", "invalid YAML"),
    ("interactions/alcohol--baclofen.yaml", "severity: ", "severty: ",
     "/", "severty: unknown field"),
    ("classes.yaml", "\nclasses:", "\nclases:", "/", "clases: unknown field"),
]


def test_the_preview_survives_slips_in_the_real_content(real_server, real_content):
    addresses = [f"{real_server}{path}" for path in (
        "/", "/medicines/", "/medicines/baclofen/how-to-take/",
        "/medicines/tizanidine/interactions/", "/about/")]
    for address in addresses:
        wait_for(address, "</html>")
    for file, old, new, page, message in REAL_SLIPS:
        path = real_content / file
        edit(path, old, new)
        started = time.monotonic()
        shown = wait_for(f"{real_server}{page}", message)
        print(f"{file}: problem shown after {time.monotonic() - started:.1f} s")
        assert "banner--problems" in shown
        for address in addresses:  # every page still answers
            fetch(address)
        edit(path, new, old)
        wait_for(f"{real_server}{page}", "</html>")
        deadline = time.monotonic() + 30
        while message in fetch(f"{real_server}{page}") and time.monotonic() < deadline:
            time.sleep(0.3)
        assert message not in fetch(f"{real_server}{page}")  # back without a restart


def served(url: str) -> tuple[int, str]:
    """Status and text of a page, error pages included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8")


def test_the_preview_serves_the_pages_a_build_gives(server, tmp_path):
    """One build loop: the preview's folder is what `medguide build` writes for the same
    content (it has no draft and no problem, so no banner), search index included."""
    wait_for(f"{server}/medicines/testofen/", "</html>")
    built = tmp_path / "built"
    result = medguide("--config", str(tmp_path / "mkdocs.yml"), "build", "--site-dir", str(built))
    assert result.returncode == 0, result.stderr
    preview = tree(tmp_path / ".cache" / "preview" / "site")
    assert any(name.startswith("pagefind/") for name in preview)
    assert preview == tree(built)


def test_a_failed_rebuild_answers_every_page_with_its_cause_until_fixed(tmp_path, content):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    config = write_mkdocs_config(tmp_path, content)
    config.write_text(config.read_text().replace(str(TEMPLATES), str(templates)))
    for address in serve(tmp_path, content, config=config):
        home, page = f"{address}/", f"{address}/medicines/testofen/"
        wait_for(page, "</html>")
        theme = templates / "theme" / "main.html"
        text = theme.read_text()
        theme.write_text(text.replace("<title>", "<title>{{ nope.x }}", 1))
        deadline = time.monotonic() + 30
        while served(page)[0] != 500 and time.monotonic() < deadline:
            time.sleep(0.2)
        for url in (home, page):
            status, shown = served(url)
            assert status == 500
            assert "main.html:" in shown and "&#x27;nope&#x27; is undefined" in shown
            assert '<meta http-equiv="refresh"' in shown  # comes back by itself once fixed
        assert served(f"{address}/css/medguide.css")[0] == 200  # files still answer
        theme.write_text(text)
        back = wait_for(page, "</html>")
        assert "could not be rebuilt" not in back


def test_a_save_shows_its_page_first_and_the_handout_follows(server, tmp_path, record_path):
    """The changed PDF is rendered in a second pass; after it the preview is again exactly
    what a build of the same content gives."""
    page = f"{server}/medicines/testofen/"
    wait_for(page, "</html>")
    edit(record_path, "  - Is this right for me?", "  - Is this right for me today?")
    wait_for(page, "right for me today?")
    built = tmp_path / "built"
    result = medguide("--config", str(tmp_path / "mkdocs.yml"), "build", "--site-dir", str(built))
    assert result.returncode == 0, result.stderr
    expected = {name: data for name, data in tree(built).items()
                if not name.startswith("pagefind/")}  # the preview indexes on its first build
    preview = tmp_path / ".cache" / "preview" / "site"
    deadline = time.monotonic() + 30
    now: dict = {}
    while time.monotonic() < deadline:
        try:
            now = {name: data for name, data in tree(preview).items()
                   if not name.startswith("pagefind/")}
        except OSError:  # read while a rebuild swapped the folder
            continue
        if now == expected:
            break
        time.sleep(0.3)
    assert sorted(name for name in now if now[name] != expected.get(name)) == []


def test_put_off_handouts_render_in_the_background_and_only_the_newest_request_counts():
    """`BackgroundHandouts`: the PDFs a pass put off render in a thread, then the server is
    asked for the pass that writes them; a save meanwhile replaces the request."""
    calls, finished = [], threading.Event()
    release_first = threading.Event()

    def done():
        calls.append("done")
        finished.set()

    background = BackgroundHandouts(done, quiet_seconds=0)
    background.start(lambda: (calls.append("first"), release_first.wait(5)))
    time.sleep(0.05)
    assert calls == ["first"], "the first request renders in a thread; start returned at once"
    background.start(lambda: calls.append("second"))
    release_first.set()
    assert finished.wait(5)
    background.thread.join()
    assert calls == ["first", "second", "done"], "only the newest request asks for a pass"
    calls.clear()
    finished.clear()
    background.start(None)  # nothing was put off, but the site's record is left to write
    assert finished.wait(5)
    assert calls == ["done"]


def test_the_pass_that_writes_the_pdfs_waits_until_the_editor_pauses():
    """Saves one right after another are not held up by that pass: it runs once no pass
    has run for `quiet_seconds`, and only for the newest save."""
    asked = []
    background = BackgroundHandouts(lambda: asked.append(time.monotonic()), quiet_seconds=0.5)
    background.start(lambda: None)
    time.sleep(0.3)
    background.passed()  # the next save's pass, which put off nothing
    time.sleep(0.3)
    assert asked == [], "0.3 s after the last pass: the editor has not paused yet"
    last = time.monotonic()
    background.start(lambda: None)  # and one more that did
    background.thread.join(5)
    assert len(asked) == 1 and asked[0] - last >= 0.5


def test_a_build_takes_over_the_pass_the_background_pdfs_would_ask_for():
    asked = []
    background = BackgroundHandouts(lambda: asked.append("done"), quiet_seconds=0.2)
    background.start(lambda: time.sleep(0.1))
    background.wait()  # returns once the PDFs are made, without asking for the pass
    time.sleep(0.3)
    assert asked == []


def test_a_failure_in_the_background_is_left_to_the_pass_that_follows():
    finished = threading.Event()
    background = BackgroundHandouts(finished.set, quiet_seconds=0)

    def broken():
        raise RuntimeError("WeasyPrint fell over")

    background.start(broken)
    assert finished.wait(5)


def test_saves_are_noticed_by_the_systems_notifications_not_by_walking_the_folders(
        tmp_path, monkeypatch):
    """At a thousand medicines one walk of content/ takes as long as MkDocs' polling
    interval: the preview watches with inotify, and polls only where it cannot."""
    (tmp_path / "content" / "medicines" / "a").mkdir(parents=True)
    observer = serve_module.file_observer([tmp_path / "content"])
    assert not isinstance(observer, PollingObserver), type(observer)
    monkeypatch.setattr(serve_module, "_watch_limit", lambda: 2)  # fewer than 3 folders
    assert isinstance(serve_module.file_observer([tmp_path / "content"]), PollingObserver)


def test_reading_a_watched_file_is_not_a_save(tmp_path):
    """inotify reports files opened and read too; a pass reads watched files (the handout
    templates), and a rebuild for each read would rebuild for ever."""
    watched = tmp_path / "content"
    watched.mkdir()
    record = watched / "medicine.yaml"
    record.write_text("name: a\n", encoding="utf-8")
    events: list = []
    handler = FileSystemEventHandler()
    handler.on_any_event = events.append
    observer = serve_module.file_observer([watched])
    observer.schedule(handler, str(watched), recursive=True)
    observer.start()
    try:
        time.sleep(0.3)
        record.read_text(encoding="utf-8")
        time.sleep(0.5)
        assert events == []
        record.write_text("name: b\n", encoding="utf-8")
        deadline = time.monotonic() + 5
        while not events and time.monotonic() < deadline:
            time.sleep(0.05)
        assert events, "a save is noticed"
    finally:
        observer.stop()
        observer.join()
