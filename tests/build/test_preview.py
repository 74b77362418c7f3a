"""The editor's preview: drafts shown and marked, and every problem `check` finds shown as a
banner on the page it affects, instead of stopping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import TEMPLATES, edit

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
