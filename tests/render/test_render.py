"""Rendering records into page Markdown through the Jinja templates."""

import functools
import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, edit

from generator.build.pipeline import build_site
from generator.content.loader import load_catalog
from generator.content.pages import MEDICINE_PAGE_KINDS
from generator.render.catalog import render_catalog

GOLDEN = Path(__file__).parent / "golden"


def pages_by_uri(content: Path, **kwargs) -> dict:
    result = build_site(content, TEMPLATES, **kwargs)
    assert result.ok, result.problems.errors
    return {page.src_uri: page for page in result.pages}


def test_a_medicine_gets_every_page_and_the_site_pages(content):
    pages = pages_by_uri(content)
    assert sorted(pages) == sorted(
        ["index.md", "about.md", "disclaimer.md", "medicines/index.md", "glossary.md",
         "search.md", "interactions/index.md"]
        + [f"medicines/testofen/{kind.file_name}" for kind in MEDICINE_PAGE_KINDS])


def test_pump_care_page_only_when_an_intrathecal_form_exists(content, record_path):
    text = record_path.read_text()
    start, end = text.index("  - id: pump"), text.index("uses:")
    text = text[:start] + text[end:]
    start, end = text.index("pump_care:"), text.index("classes:")
    record_path.write_text(text[:start] + text[end:])
    pages = pages_by_uri(content)
    assert "medicines/testofen/pump-care.md" not in pages
    assert "[Pump care]" not in pages["medicines/testofen/index.md"].markdown


def test_every_medicine_page_carries_the_safety_furniture(content):
    for uri, page in pages_by_uri(content).items():
        if not page.medicine:
            continue
        text = page.markdown
        # The title is the page's one heading (the overview's carries a search weight).
        assert re.search(rf"^# {re.escape(page.title)}( {{: [^}}]+}})?$", text, re.M), uri
        assert "Pending clinical review" in text, uri
        assert 'class="review"' in text and "Next review due:" in text, uri
        assert "January 10, 2099" in text, uri
        assert "Testofen is not real." in text, uri
        assert "This guide is for general information." in text, uri
        # One emergency box: the page's own, or the medicine's general one.
        assert text.count('class="care care--emergency"') == 1, uri
        assert ("Call 911 or go to the emergency room if…" in text
                or "If someone has taken too much" in text), uri
        assert "Important: do not stop testofen suddenly" in text, uri
        # In full (with whose warning it is) on these two; elsewhere a strip links to it.
        in_full = uri.endswith(("/index.md", "/stopping-safely.md"))
        assert ("There is no FDA boxed warning for testofen." in text) == in_full, uri
        assert in_full or "(stopping-safely.md#boxed-warning)" in text, uri


def test_a_draft_medicine_is_published_only_in_preview(content, record_path):
    edit(record_path, "status: submitted", "status: draft")
    assert not any(p.medicine for p in pages_by_uri(content).values())
    preview = pages_by_uri(content, include_drafts=True)
    assert "Draft: not for patients." in preview["medicines/testofen/index.md"].markdown


def test_an_approved_page_shows_its_reviewer_and_no_pending_banner(content, record_path):
    edit(record_path, "status: submitted", "status: approved")
    edit(record_path, "written_by: [editorial-team]",
         "written_by: [editorial-team]\n  reviewed_by: [test-pharmacist]")
    text = pages_by_uri(content)["medicines/testofen/side-effects.md"].markdown
    assert "Pending clinical review" not in text
    assert "Approved by Test pharmacist, PharmD." in text
    assert "Written by:</strong> Editorial team" in text
    assert '<li class="review__step review__step--done">Submitted</li>' in text
    assert 'aria-current="step">Approved</li>' in text


def test_prose_goes_on_the_page_its_front_matter_names(content):
    pages = pages_by_uri(content)
    assert "## Everyday tips\n\nKeep a list of your medicines." in (
        pages["medicines/testofen/index.md"].markdown)
    assert "Everyday tips" not in pages["medicines/testofen/side-effects.md"].markdown


def test_only_references_cited_on_a_page_are_listed_there(content):
    pages = pages_by_uri(content)
    assert ("[^test-label]: [Testofen label](https://example.org/testofen). Test Agency, "
            "2025.") in pages["medicines/testofen/index.md"].markdown
    assert "Sources" not in pages["medicines/testofen/side-effects.md"].markdown


def test_doses_are_written_in_words_from_the_numbers(content):
    text = pages_by_uri(content)["medicines/testofen/how-to-take.md"].markdown
    assert "**Starting dose:** 5 mg 3 times a day" in text
    assert "add 5 mg to each dose every 3 days" in text
    assert "**Most in one day:** 80 mg" in text


def test_text_from_content_is_escaped_not_turned_into_markup(content):
    catalog, problems = load_catalog(content)
    source = catalog.medicines[0]
    record = source.record.model_copy(update={"summary": 'Safe & "sound" <b>bold</b>'})
    source = source.__class__(source.slug, source.path, record, source.source_map)
    pages = render_catalog(catalog, [source], TEMPLATES)
    overview = next(p for p in pages if p.src_uri == "medicines/testofen/index.md")
    body = overview.markdown.split("\n---\n", 1)[1]  # after the front matter
    assert "Safe &amp; &#34;sound&#34; &lt;b&gt;bold&lt;/b&gt;" in body
    assert "<b>bold</b>" not in body


def test_a_template_using_a_missing_field_fails_with_its_name_and_line(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    template = templates / "pages" / "medicine" / "side-effects.md.j2"
    edit(template, "{% block content %}\n", "{% block content %}\n{{ medicine.colour }}\n")
    result = build_site(content, templates)
    [problem] = result.problems.errors
    assert problem.path.endswith("pages/medicine/side-effects.md.j2")
    assert problem.line == 4
    assert "colour" in problem.message


def test_a_template_syntax_error_names_the_template_and_line(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    edit(templates / "pages" / "medicines_index.md.j2", "{% endfor %}\n\n{% endfor %}",
         "{% endfor %}\n\n")
    [problem] = build_site(content, templates).problems.errors
    assert problem.path.endswith("pages/medicines_index.md.j2")
    assert "endfor" in problem.message


def test_medicines_index_lists_generic_and_brand_names(content):
    text = pages_by_uri(content)["medicines/index.md"].markdown
    assert "- [Testofen](testofen/index.md) (brand names: Testrel)" in text
    assert "- [Testrel](testofen/index.md): a brand name of testofen" in text


BACLOFEN_PAGES = [k.file_name for k in MEDICINE_PAGE_KINDS]


@functools.cache
def real_pages() -> dict:
    # Baclofen's interactions come from the shared store, so the whole content is built.
    result = build_site(ROOT / "content", TEMPLATES)
    assert result.ok, result.problems.errors
    return {page.src_uri: page for page in result.pages}


@pytest.mark.parametrize("file_name", BACLOFEN_PAGES)
def test_baclofen_pages_match_the_golden_copy(file_name, tmp_path):
    """The real baclofen record renders exactly as reviewed. After an intended change, run
    `UPDATE_GOLDEN=1 make test` and review the diff of tests/render/golden/ before committing."""
    page = real_pages()[f"medicines/baclofen/{file_name}"]
    golden = GOLDEN / "baclofen" / file_name
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(page.markdown, encoding="utf-8")
    assert page.markdown == golden.read_text(encoding="utf-8")
