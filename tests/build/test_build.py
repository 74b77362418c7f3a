"""The whole pipeline through real MkDocs: the published site, the CLI, and safe failures."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import edit, medguide, tree, write_mkdocs_config

from generator.content.pages import MEDICINE_PAGE_KINDS

pytestmark = pytest.mark.pdf  # builds sites, handouts included


@pytest.fixture
def project(tmp_path: Path, content: Path) -> Path:
    """A project folder whose mkdocs.yml builds the fixture content."""
    write_mkdocs_config(tmp_path, content)
    return tmp_path


@pytest.fixture(scope="module")
def real_site(tmp_path_factory) -> Path:
    """The site built from the real content/ with `medguide build`, as `make site` does."""
    site = tmp_path_factory.mktemp("real") / "site"
    result = medguide("build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    return site


BACLOFEN_TITLES = {
    "overview": "Baclofen: what it is and what it is for",
    "how-to-take": "How to take baclofen",
    "side-effects": "Side effects of baclofen",
    "missed-or-extra-doses": "Baclofen: missed doses and taking too much",
    "stopping-safely": "Stopping baclofen safely",
    "pump-care": "Living with a baclofen pump",
    "interactions": "Baclofen with other medicines, alcohol and food",
    "other-safety-information": "Baclofen: other safety information",
}


@pytest.mark.parametrize("kind", MEDICINE_PAGE_KINDS, ids=lambda k: k.id)
def test_every_baclofen_page_is_published_with_its_safety_parts(real_site, kind):
    folder = real_site / "medicines" / "baclofen"
    html_path = folder / "index.html" if kind.id == "overview" else folder / kind.id / "index.html"
    html = html_path.read_text(encoding="utf-8")
    title = BACLOFEN_TITLES[kind.id]
    assert f"<title>{title} | Medicine Guide</title>" in html
    assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", html)
    assert 'class="review"' in html and "Next review due:" in html
    assert 'aria-current="step">Submitted</li>' in html
    assert "Pending clinical review." in html
    text = re.sub(r"<[^>]+>", "", html)  # words may carry a glossary definition
    assert 'id="disclaimer"' in html and "does not replace advice from your prescriber" in text
    assert html.count('class="care care--emergency"') == 1  # one emergency box a page
    assert re.search(r'class="care care--emergency".*?call (<strong>)?911', html, re.S)
    # Only the pump form of baclofen carries an FDA boxed warning; the box says so, in full
    # on two pages and as a strip that links to it on the others.
    assert "FDA boxed warning for the baclofen pump" in html
    if kind.full_warning:
        assert 'class="boxed-warning"' in html
        assert '__source">For baclofen tablets, liquid and granules, this is our advice' in html
    else:
        strip = re.search(r'class="warning-strip".*?</div>', html, re.S).group(0)
        assert 'class="warning-strip__name">FDA boxed warning for the baclofen' in strip
        assert '<a href="../stopping-safely/#boxed-warning">Read the warning</a>' in strip


def test_only_pump_medicines_pages_explain_refill_as_a_pump_refill(real_site):
    pump_care = (real_site / "medicines/baclofen/pump-care/index.html").read_text("utf-8")
    assert 'popovertarget="define-pump-refill"' in pump_care
    for slug in ["tizanidine", "levetiracetam", "gabapentin", "diazepam", "clonazepam"]:
        pages = [p.read_text("utf-8") for p in (real_site / "medicines" / slug).rglob("*.html")]
        # These guides speak of prescription refills, which must not get the pump's meaning.
        assert any("refill" in re.sub(r"<[^>]+>", "", html) for html in pages), slug
        assert not any("define-pump-refill" in html for html in pages), slug


def test_site_pages_and_navigation_are_published(real_site):
    for path in ["index.html", "medicines/index.html", "about/index.html",
                 "disclaimer/index.html", "404.html"]:
        assert (real_site / path).is_file(), path
    home = (real_site / "index.html").read_text(encoding="utf-8")
    nav = re.search(r'<nav class="site-nav".*?</nav>', home, re.S).group(0)
    assert [t for t in re.findall(r">([^<>]+)</a>", nav)] == [
        "Home", "Medicines A–Z", "Glossary", "Interaction checker", "About this site",
        "Disclaimer"]
    overview = (real_site / "medicines/baclofen/index.html").read_text(encoding="utf-8")
    section = re.search(r'<nav class="sidebar".*?</nav>', overview, re.S).group(0)
    assert "Pump care" in section and "Stopping safely" in section


def test_the_build_is_byte_identical_every_time(project, tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for site in (first, second):
        result = medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                          str(site))
        assert result.returncode == 0, result.stderr
    assert tree(first) == tree(second)


def test_mkdocs_build_and_medguide_build_give_the_same_site(project, tmp_path):
    by_medguide, by_mkdocs = tmp_path / "a", tmp_path / "b"
    assert medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                    str(by_medguide)).returncode == 0
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--quiet", "-f",
                             str(project / "mkdocs.yml"), "-d", str(by_mkdocs)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert tree(by_medguide) == tree(by_mkdocs)


def test_check_passes_on_good_content(project):
    result = medguide("--config", str(project / "mkdocs.yml"), "check")
    assert result.returncode == 0, result.stderr
    assert "0 errors, 0 warnings" in result.stderr


def test_check_reports_bad_content_without_a_traceback(project, content, record_path):
    edit(record_path, "status: submitted", "status: aproved")
    edit(record_path, "side_effects:\n", "side_efects:\n")
    result = medguide("--config", str(project / "mkdocs.yml"), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "medicine.yaml:64:1: side_efects: unknown field (did you mean side_effects?)" in (
        result.stderr)
    assert "review.status: must be one of: draft, submitted, under_review, approved" in (
        result.stderr)
    assert "2 errors, 0 warnings" in result.stderr


def test_a_failed_build_leaves_the_previous_site_untouched(project, content, record_path,
                                                          tmp_path):
    site = tmp_path / "published"
    assert medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                    str(site)).returncode == 0
    before = tree(site)
    edit(record_path, "pronunciation: TEST-oh-fen\n", "")
    result = medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir", str(site))
    assert result.returncode == 1
    assert "pronunciation: required field is missing" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(site) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")) == []


def test_a_broken_link_in_a_page_fails_the_build_and_keeps_the_old_site(project, content,
                                                                        tmp_path):
    site = tmp_path / "published"
    assert medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                    str(site)).returncode == 0
    before = tree(site)
    edit(content / "pages" / "about.md", "## Who this site is for",
         "## Who this site is for\n\nSee [the missing page](missing.md).")
    result = medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir", str(site))
    assert result.returncode == 1
    assert "missing.md" in result.stderr
    assert tree(site) == before


def test_mkdocs_build_reports_content_errors_cleanly(project, record_path, tmp_path):
    edit(record_path, "status: submitted", "status: aproved")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f",
                             str(project / "mkdocs.yml"), "-d", str(tmp_path / "out")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "review.status: must be one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_building_never_writes_into_content(project, content, tmp_path):
    before = tree(content)
    mtimes = {p: p.stat().st_mtime_ns for p in content.rglob("*")}
    assert medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                    str(tmp_path / "out")).returncode == 0
    assert tree(content) == before
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*")} == mtimes
