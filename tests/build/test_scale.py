"""A large formulary: no page grows with the number of medicines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, write_mkdocs_config

from bench import corpus  # the benchmark's record cloner
from generator.build.builder import build
from generator.build.pipeline import build_site
from generator.content.pages import ONE_PAGE_LIST_MAX

pytestmark = pytest.mark.pdf  # builds sites of up to 120 medicines


def add_clones(content: Path, count: int) -> list[str]:
    template = corpus.read_templates(FIXTURES / "content")[0]
    return [corpus.write_clone(template, number, content / "medicines")
            for number in range(1, count + 1)]


def test_a_long_a_to_z_is_split_into_a_page_per_letter(content):
    slugs = add_clones(content, ONE_PAGE_LIST_MAX)  # with testofen, one more than one page
    result = build_site(content, TEMPLATES)
    assert result.ok, result.problems.errors
    pages = {page.src_uri: page for page in result.pages}
    letter_pages = sorted(uri for uri in pages if uri.startswith("a-z/"))
    assert letter_pages and all(not pages[uri].in_nav for uri in letter_pages)
    index = pages["medicines/index.md"].markdown
    assert [f"../{uri}" for uri in letter_pages] == sorted(
        re.findall(r"\]\((\.\./a-z/[a-z]+\.md)\)", index))
    # Each generic name on exactly one letter page (brand names point to it too).
    listed = [slug for uri in letter_pages
              for slug in re.findall(r"^- \[[^]]+\]\(\.\./medicines/([a-z]+)/index\.md\)(?!: a brand name)",
                                     pages[uri].markdown, re.M)]
    assert sorted(listed) == sorted(slugs + ["testofen"])
    for uri in letter_pages:
        letter = uri[len("a-z/"):-len(".md")]
        assert all(name.lower().startswith(letter) for name in re.findall(
            r"^- \[([^]]+)\]", pages[uri].markdown, re.M))
    # The home page links to the A–Z instead of listing every medicine.
    assert "medicines/testofen/index.md" not in pages["index.md"].markdown


def test_a_short_a_to_z_stays_one_page(content):
    add_clones(content, 3)
    pages = {page.src_uri: page for page in build_site(content, TEMPLATES).pages}
    assert not [uri for uri in pages if uri.startswith("a-z/")]
    assert "(testofen/index.md)" in pages["medicines/index.md"].markdown


def page_sizes(site: Path, slug: str) -> dict[str, int]:
    return {p.relative_to(site / "medicines" / slug).as_posix(): p.stat().st_size
            for p in (site / "medicines" / slug).rglob("*.html")}


def test_a_medicine_page_is_the_same_size_in_a_site_of_3_or_120_medicines(tmp_path, content):
    """Each page carries only the top-level links and its own medicine's pages."""
    import shutil

    small, large = tmp_path / "small", tmp_path / "large"
    for project, count in ((small, 3), (large, 120)):
        project_content = project / "content"
        shutil.copytree(content, project_content)
        add_clones(project_content, count)
        config = write_mkdocs_config(project, project_content)
        build(config, project / "site")
    slug = corpus.clone_names(corpus.read_templates(FIXTURES / "content")[0], 2)["testofen"]
    assert page_sizes(small / "site", slug) == page_sizes(large / "site", slug)
    largest = max(p.stat().st_size for p in (large / "site").rglob("*.html"))
    assert largest < 150 * 1024
    overview = (large / "site" / "medicines" / slug / "index.html").read_text()
    other = corpus.clone_names(corpus.read_templates(FIXTURES / "content")[0], 3)["testofen"]
    assert other not in overview  # no link to another medicine's pages


def test_the_checker_shows_every_pair_only_while_the_table_stays_small(content):
    from generator.render.interaction_pages import PAIR_TABLE_MAX_MEDICINES

    add_clones(content, PAIR_TABLE_MAX_MEDICINES - 1)  # with testofen: exactly the most
    checker = {p.src_uri: p for p in build_site(content, TEMPLATES).pages}[
        "interactions/index.md"].markdown
    assert "## Every pair of medicines in this guide" in checker
    rows = PAIR_TABLE_MAX_MEDICINES * (PAIR_TABLE_MAX_MEDICINES - 1) // 2
    table_lines = [line for line in checker.splitlines() if line.startswith("| ")]
    assert len(table_lines) - 2 == rows  # less the header and its rule

    add_clones_from(content, PAIR_TABLE_MAX_MEDICINES)  # one more medicine
    checker = {p.src_uri: p for p in build_site(content, TEMPLATES).pages}[
        "interactions/index.md"].markdown
    assert "## Every pair of medicines in this guide" not in checker
    assert "None recorded" not in checker
    assert "## Every interaction of a medicine" in checker


def add_clones_from(content: Path, number: int) -> str:
    template = corpus.read_templates(FIXTURES / "content")[0]
    return corpus.write_clone(template, number, content / "medicines")
