"""The editor's preview: drafts shown and marked, and every problem `check` finds shown as a
banner on the page it affects, instead of stopping."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, edit, write_mkdocs_config

from generator.build.pipeline import build_site

pytestmark = pytest.mark.pdf  # runs the preview server, which builds handouts


def preview(content: Path, templates: Path = TEMPLATES) -> dict:
    result = build_site(content, templates, preview=True)
    return {page.src_uri: page.markdown for page in result.pages}, result


def banner(markdown: str) -> str:
    """The problems banner of a page ('' if none)."""
    start = markdown.find('<div class="banner banner--problems"')
    return "" if start < 0 else markdown[start:markdown.index("</div>", start)]


def test_a_clean_preview_has_no_banners(content):
    pages, result = preview(content)
    assert result.ok
    assert all(banner(text) == "" for text in pages.values())


def test_a_problem_shows_on_the_page_of_its_field_and_on_home(content, record_path):
    edit(record_path, "low: {value: 30, unit: mg}", "low: {value: 70, unit: mg}")
    pages, result = preview(content)
    assert not result.ok
    how_to_take = banner(pages["medicines/testofen/how-to-take.md"])
    assert "1 error on this page." in how_to_take
    assert ("<code>medicines/testofen/medicine.yaml:49:9</code> "
            "dosing.regimens[0].usual_daily_range: low (70 mg) is greater than high (60 mg)"
            ) in how_to_take.replace(f"{content}/", "")
    assert banner(pages["medicines/testofen/side-effects.md"]) == ""
    assert "low (70 mg) is greater than high (60 mg)" in banner(pages["index.md"])
    # the rest of the page is still there, after the banner
    assert "**Usual total a day:** 70 mg to 60 mg" in pages["medicines/testofen/how-to-take.md"]


def test_a_record_that_cannot_load_gets_a_page_saying_why(content, record_path):
    edit(record_path, "side_effects:\n", "side_efects:\n")
    pages, result = preview(content)
    stand_in = pages["medicines/testofen/index.md"]
    assert "# testofen: cannot be shown" in stand_in
    assert "side_efects: unknown field (did you mean side_effects?)" in banner(stand_in)
    assert {"testofen (has problems)": "medicines/testofen/index.md"} in result.nav
    # every page it may have says why, so an editor reading any of them is not left at a 404
    assert "side_efects: unknown field" in banner(pages["medicines/testofen/side-effects.md"])


def test_prose_problems_show_on_the_page_the_prose_goes_to(content):
    edit(content / "medicines" / "testofen" / "tips.md", "Keep a list",
         "<b>Keep</b> a list")
    pages, _ = preview(content)
    assert "raw HTML is not allowed" in banner(pages["medicines/testofen/index.md"])
    assert banner(pages["medicines/testofen/how-to-take.md"]) == ""


def test_a_broken_template_leaves_a_stand_in_for_only_that_page(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    edit(templates / "pages" / "medicine" / "side-effects.md.j2", "{% block content %}\n",
         "{% block content %}\n{{ medicine.colour }}\n")
    pages, _ = preview(content, templates)
    stand_in = pages["medicines/testofen/side-effects.md"]
    assert "# Testofen: Side effects" in stand_in
    assert "side-effects.md.j2:4" in banner(stand_in) and "colour" in banner(stand_in)
    assert banner(pages["medicines/testofen/how-to-take.md"]) == ""
    assert "Pretend stiffness" in pages["medicines/testofen/index.md"]


def test_broken_site_settings_leave_every_page_with_placeholder_settings(content):
    (content / "site.yaml").write_text("name: [unclosed\n")
    pages, result = preview(content)
    assert "site.yaml:2:1</code> (yaml): invalid YAML" in banner(pages["index.md"])
    assert "Pretend stiffness" in pages["medicines/testofen/index.md"]
    assert result.catalog.site.name == "Medicine Guide (site.yaml has problems)"
    assert not result.ok


def test_an_overdue_review_and_todo_markers_are_banners_not_failures(content, record_path):
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    edit(record_path, "- Real illness.", '- "TODO: more"')
    pages, _ = preview(content)
    overview = pages["medicines/testofen/index.md"]
    assert "Review overdue." in overview
    assert "unfinished: TODO marker" in banner(overview)
    assert "published anyway because the overdue override is on" in banner(overview)


# ---------------------------------------------------------------- the real preview server


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


def serve(project: Path, content: Path):
    """Run `medguide serve` on `content`; yields its address."""
    config = write_mkdocs_config(project, content)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator.cli.main", "--config", str(config), "serve",
         "--dev-addr", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=10)[0]
        assert "Traceback" not in output, output


@pytest.fixture
def server(tmp_path: Path, content: Path):
    yield from serve(tmp_path, content)


@pytest.fixture
def real_content(tmp_path: Path) -> Path:
    target = tmp_path / "real-content"
    shutil.copytree(ROOT / "content", target)
    return target


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
