"""Safety invariants checked on every build, on the rendered pages and on the final HTML,
so a template or theme change cannot quietly break them; and builds that are atomic and
byte-identical."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, edit, medguide, tree, write_mkdocs_config

from generator.build.pipeline import build_site
from generator.checks.invariants import page_address, unsafe_html


@pytest.fixture
def templates(tmp_path: Path) -> Path:
    """A writable copy of the templates."""
    target = tmp_path / "templates"
    shutil.copytree(TEMPLATES, target)
    return target


@pytest.fixture
def project(tmp_path: Path, content: Path, templates: Path) -> Path:
    config = write_mkdocs_config(tmp_path, content)
    config.write_text(config.read_text().replace(str(TEMPLATES), str(templates)))
    return tmp_path


def build(project: Path, site: Path, *args: str):
    return medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir", str(site),
                    *args)


# ---------------------------------------------------------------- boxed warning


def test_a_page_without_the_warning_strip_fails_naming_the_template(content, templates):
    edit(templates / "pages" / "medicine" / "_base.md.j2", "{{ warning_strip(warning) }}",
         '{% if kind.id != "interactions" %}{{ warning_strip(warning) }}{% endif %}')
    result = build_site(content, templates)
    assert [(Path(p.path).name, p.message, p.hint) for p in result.problems.errors] == [
        ("interactions.md.j2", "medicines/testofen/interactions.md does not show the warning "
         "box or its strip, but stopping testofen suddenly is dangerous, so every page shows "
         "our advice about stopping", "every page of such a medicine must include the "
         "boxed_warning partial or its warning_strip")]


def test_the_overview_must_show_the_warning_in_full_not_only_its_strip(content, templates):
    overview = templates / "pages" / "medicine" / "overview.md.j2"
    edit(overview, "{{ boxed_warning(medicine, warning, link=True) }}",
         '{% from "partials/boxed_warning.md.j2" import warning_strip %}'
         "{{ warning_strip(warning) }}")
    result = build_site(content, templates)
    assert [(Path(p.path).name, p.message) for p in result.problems.errors] == [
        ("overview.md.j2", "medicines/testofen/index.md does not show the warning box, but "
         "stopping testofen suddenly is dangerous, so every page shows our advice about "
         "stopping")]


def test_pages_show_the_warning_in_full_or_as_a_strip_that_links_to_it(content):
    result = build_site(content, TEMPLATES)
    assert result.ok, result.problems.errors
    shows = {p.src_uri.rsplit("/", 1)[1]: ('class="boxed-warning"' in p.markdown,
                                           'class="warning-strip"' in p.markdown)
             for p in result.pages if p.medicine == "testofen"}
    full = {name for name, (box, _) in shows.items() if box}
    assert full == {"index.md", "stopping-safely.md"}
    assert all(strip for name, (_, strip) in shows.items() if name not in full)


def test_a_theme_that_drops_the_boxed_warning_fails_the_build(project, templates, tmp_path):
    site = tmp_path / "published"
    assert build(project, site).returncode == 0
    before = tree(site)
    edit(templates / "theme" / "main.html", "{%- set title, body = page.content|split_title %}",
         "{%- set title, body = page.content|replace('boxed-warning', 'note')|split_title %}")
    result = build(project, site)
    assert result.returncode == 1
    assert "the published page lost its warning box" in result.stderr
    assert "Traceback" not in result.stderr
    assert tree(site) == before


def test_no_boxed_warning_is_required_without_a_withdrawal_risk(content, record_path):
    edit(record_path, "withdrawal_risk: true\n  boxed_warning: Do not stop testofen suddenly.",
         "withdrawal_risk: false")
    result = build_site(content, TEMPLATES)
    assert result.ok, result.problems.errors
    assert not any('class="boxed-warning"' in p.markdown for p in result.pages)


# ---------------------------------------------------------------- the final HTML


@pytest.mark.parametrize("html, found", [
    ('<p>Safe <a href="https://example.org/">link</a> and <a href="../x/">page</a></p>', []),
    ('<p><a href="tel:911">911</a> <a href="mailto:a@example.org">mail</a></p>', []),
    ("<script>alert(1)</script>", ["<script> element"]),
    ('<img src="x" onerror="alert(1)">', ["onerror event handler on <img>"]),
    ('<a href="javascript:alert(1)">x</a>', ["javascript: address in href of <a>"]),
    ('<a href="java&#9;script&#58;alert(1)">x</a>', ["javascript: address in href of <a>"]),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', ["javascript: address in href of <a>"]),
    ('<img src="data:text/html;base64,PHNjcmlwdD4=">', ["data: address in src of <img>"]),
    ('<iframe srcdoc="&lt;script&gt;"></iframe>',
     ["<iframe> element", "srcdoc attribute on <iframe>"]),
    ('<svg><a xlink:href="vbscript:x"></a></svg>', ["vbscript: address in xlink:href of <a>"]),
    ("<p>Text that mentions &lt;script&gt; is only text.</p>", []),
])
def test_unsafe_html_is_found_however_it_is_written(html, found):
    assert unsafe_html(html) == found


def test_a_template_that_emits_a_script_fails_the_build_and_keeps_the_old_site(
        project, templates, tmp_path):
    site = tmp_path / "published"
    assert build(project, site).returncode == 0
    before = tree(site)
    edit(templates / "partials" / "key_facts.md.j2", "{% macro key_facts(medicine) %}\n",
         "{% macro key_facts(medicine) %}\n<script>track()</script>\n")
    result = build(project, site)
    assert result.returncode == 1
    assert ("medicines/testofen/index.md: unsafe HTML in the page: <script> element"
            in result.stderr)
    assert tree(site) == before


@pytest.mark.pdf  # builds the real site, handouts included
def test_the_published_site_has_no_unsafe_html(tmp_path):
    site = tmp_path / "site"
    result = medguide("build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        html = page.read_text(encoding="utf-8")
        main = html[html.index("<main"):html.index("</main>")]
        assert unsafe_html(main) == [], page


# ---------------------------------------------------------------- links and addresses


def test_page_addresses_follow_directory_urls():
    assert page_address("index.md") == "/"
    assert page_address("about.md") == "/about/"
    assert page_address("medicines/index.md") == "/medicines/"
    assert page_address("medicines/testofen/side-effects.md") == "/medicines/testofen/side-effects/"


def test_links_between_real_pages_resolve():
    result = build_site(ROOT / "content", TEMPLATES)
    assert result.ok, result.problems.errors
    assert sum(p.markdown.count(".md)") for p in result.pages) > 300


def test_a_link_in_yaml_text_to_a_missing_page_names_the_field(content, record_path):
    edit(record_path, "- Real illness.", "- Real illness, see [this](../nothing/index.md).")
    result = build_site(content, TEMPLATES)
    assert [str(p).split("content/", 1)[1] for p in result.problems.errors] == [
        "medicines/testofen/medicine.yaml:32:32: uses.not_for[0]: link to "
        "'../nothing/index.md' leads nowhere: there is no page medicines/nothing/index.md "
        "(link to a published page's .md file, such as medicines/index.md)"]


# ---------------------------------------------------------------- deterministic output


def test_two_builds_on_different_days_are_byte_identical(project, tmp_path):
    """Page dates come from the change log, not the clock: the sitemap stays the same."""
    sites = []
    for day, epoch in (("first", "1790000000"), ("second", "1800000000")):
        site = tmp_path / day
        env_result = medguide_with_env({"SOURCE_DATE_EPOCH": epoch}, "--config",
                                       str(project / "mkdocs.yml"), "build", "--site-dir",
                                       str(site))
        assert env_result.returncode == 0, env_result.stderr
        sites.append(tree(site))
    assert sites[0] == sites[1]
    assert b"<lastmod>2026-01-10</lastmod>" in sites[0]["sitemap.xml"]


@pytest.mark.pdf  # builds the real site, handouts included
def test_the_real_content_builds_byte_identical_twice(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    for site in (first, second):
        result = medguide("build", "--site-dir", str(site))
        assert result.returncode == 0, result.stderr
    assert tree(first) == tree(second)


def medguide_with_env(env: dict, *args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "generator.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, **env})
