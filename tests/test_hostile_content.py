"""Content is untrusted input: each attack of issue 14, tried on a copy of the bundled
content. `medguide check` must name the file, line and field; the build must fail (or the
output must be clean); nothing may read the build machine's files or reach the network."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, edit, write_mkdocs_config
from generator.cli import main as medguide
from generator.handouts import HandoutSettings, plan_handouts, render_pdf
from generator.loader import load_catalog

CONTENT = ROOT / "content"
SITE_YAML_LINE = "disclaimers:\n"


@pytest.fixture
def real(tmp_path: Path) -> Path:
    """A writable copy of the bundled content, with an mkdocs.yml building it into
    tmp_path/site."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    write_mkdocs_config(tmp_path, target, tmp_path / "site")
    return target


def run(real: Path, command: str, capsys) -> tuple[int, str]:
    """Exit status and everything printed by `medguide <command>` on the copy."""
    capsys.readouterr()
    status = medguide(["--config", str(real.parent / "mkdocs.yml"), command])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def add_disclaimer(real: Path, text: str) -> int:
    """Adds a disclaimer to site.yaml; returns its line."""
    site = real / "site.yaml"
    edit(site, SITE_YAML_LINE, SITE_YAML_LINE + f"  - '{text}'\n")
    return line_of(site, text)


# ---------------------------------------------------------------- 1. local files in handouts

ATTACH_PASSWD = 'x <a rel="attachment" href="file:///etc/passwd">y</a>'


def test_html_in_site_yaml_is_reported_with_file_line_and_field(real, capsys):
    line = add_disclaimer(real, ATTACH_PASSWD)
    status, out = run(real, "check", capsys)
    assert status == 1
    assert (f"site.yaml:{line}:5: disclaimers[0]: raw HTML is not allowed in content "
            "(write plain text; the site adds all formatting)") in out
    status, out = run(real, "build", capsys)
    assert status == 1
    assert not (real.parent / "site").exists()


def hostile_jobs(html_snippet: str, tmp_path: Path):
    """The real baclofen handouts, planned as if site.yaml carried `html_snippet` as a
    disclaimer that got past `check` (the fetcher is the last line of defence)."""
    catalog, problems = load_catalog(CONTENT)
    assert not problems.errors
    catalog.site = catalog.site.model_copy(
        update={"disclaimers": [*catalog.site.disclaimers, "PLACEHOLDER"]})
    settings = HandoutSettings(tmp_path / "cache", workers=1)
    baclofen = [m for m in catalog.medicines if m.slug == "baclofen"]
    jobs = plan_handouts(catalog, baclofen, TEMPLATES, settings)
    # The disclaimer goes in as raw HTML, as if the sanitizer had let it through.
    return [replace(job, html=job.html.replace("PLACEHOLDER", html_snippet)) for job in jobs]


@pytest.mark.parametrize("snippet, refused", [
    ('<a rel="attachment" href="file:///etc/passwd">y</a>', "file:///etc/passwd was refused: "
     "handouts may load only their own templates, stylesheets and fonts"),
    ('<img alt="" src="file:///usr/share/pixmaps/debian-logo.png">',
     "file:///usr/share/pixmaps/debian-logo.png was refused"),
    ('<img alt="" src="https://example.org/x.png">', "https://example.org/x.png was refused: "
     "a handout is built without reaching the network"),
    ('<link rel="stylesheet" href="file:///proc/self/environ">',
     "file:///proc/self/environ was refused"),
    ('<img alt="" src="data:text/html,hello">',
     "data:text/html,hello was refused: a data: address that is not an image"),
])
def test_the_handout_renderer_loads_no_file_and_no_address_from_content(
        snippet, refused, tmp_path):
    job = hostile_jobs(snippet, tmp_path)[0]
    assert job.file_name == "baclofen-oral.pdf"
    data, _, problems = render_pdf(job)
    assert problems and refused in problems[0], problems
    assert b"root:x:0:0" not in data


def test_an_attachment_to_an_allowed_file_is_refused_too(tmp_path):
    job = hostile_jobs('<a rel="attachment" href="handout.css">y</a>', tmp_path)[0]
    _, _, problems = render_pdf(job)
    assert problems == ["the handout would carry a file attachment "
                        f"({(TEMPLATES / 'handouts' / 'handout.css').as_uri()}); handouts "
                        "carry no attachments"]


def test_a_handout_that_runs_long_stops_layout_at_the_page_cap(tmp_path):
    job = hostile_jobs("<p>" + "Take this with water. " * 40 + "</p>" * 1, tmp_path)[0]
    long = replace(job, html=job.html.replace("</body>", "<p>More words here.</p>" * 20000
                                              + "</body>"))
    data, pages, problems = render_pdf(long)
    assert (data, pages, problems) == (b"", 4, [])  # stopped as page 4 started


def test_the_bundled_handouts_carry_no_attachments(tmp_path):
    site = tmp_path / "site"
    assert medguide(["--config", str(ROOT / "mkdocs.yml"), "build", "--site-dir",
                     str(site)]) == 0
    pdfs = sorted((site / "handouts").glob("*.pdf"))
    assert len(pdfs) == 11
    for pdf in pdfs:
        listing = subprocess.run(["pdfdetach", "-list", str(pdf)], check=True,
                                 capture_output=True, text=True).stdout
        assert listing.strip() == "0 embedded files", (pdf.name, listing)
