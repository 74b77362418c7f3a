"""Readability in `medguide check`: the Flesch-Kincaid grade of each section, a configurable
maximum, and the worst sentences named with their file and line."""

from __future__ import annotations

import os
import subprocess
import sys

import textstat
from conftest import ROOT, TEMPLATES, edit, write_mkdocs_config

from generator.build.pipeline import build_site
from generator.checks.readability import check_readability, page_sections
from generator.content.pages import Page

HARD = ("Pharmacological intervention necessitates comprehensive consideration of "
        "contraindications, particularly hepatic insufficiency and concomitant "
        "administration of centrally acting depressant medications.")


def page(markdown: str) -> Page:
    return Page("medicines/testofen/index.md", "Testofen", "Overview", "",
                "---\ntitle: Testofen\n---\n\n" + markdown, "testofen")


def medguide(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli.main", *args], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})


def test_each_heading_starts_a_section_and_each_list_item_is_a_sentence():
    sections = page_sections(page(
        "# Testofen\n\nIntro text here.\n\n## Side effects\n\n- Sleepiness\n- Feeling sick:\n\n"
        "### Rare\n\nA rash. Call us!\n\n## Storing it\n\nKeep it cool."))
    assert [(s.heading, s.sentences) for s in sections] == [
        ("Testofen", ["Intro text here."]),
        ("Side effects", ["Sleepiness.", "Feeling sick.", "A rash.", "Call us!"]),
        ("Storing it", ["Keep it cool."]),
    ]


def test_navigation_review_status_and_disclaimers_are_not_scored():
    sections = page_sections(page(
        '# T\n\nPlain words.\n\n<nav class="medicine-pages" markdown="1">\n\n- [Overview](a.md)\n\n'
        '</nav>\n\n<section class="review">\n<h2>Review status</h2>\n<p>Submitted.</p>\n'
        '</section>\n\n<section class="disclaimers" markdown="1">\n\n## About\n\n- Legal words.\n\n'
        '</section>\n\n<section class="key-facts" markdown="1">\n\n- **Say it:** TEST\n\n</section>'))
    assert [(s.heading, s.sentences) for s in sections] == [("T", ["Plain words."])]


def test_a_section_above_the_maximum_fails_and_shows_its_worst_sentences():
    easy = "You take it once a day. It helps your legs. " * 3
    report = check_readability([page(f"# T\n\n## Easy\n\n{easy}\n\n## Hard\n\n{easy}{HARD}")],
                               max_grade=10, min_words=10)
    assert not report.ok
    [failing] = report.failing
    assert failing.section.heading == "Hard"
    assert failing.grade == round(textstat.flesch_kincaid_grade(failing.section.text), 1) > 10
    assert failing.worst_sentences(1) == [(failing.worst_sentences(1)[0][0], HARD)]
    easy_section = next(s for s in report.scores if s.section.heading == "Easy")
    assert easy_section.grade < 5
    assert report.median == (easy_section.grade + failing.grade) / 2  # two sections
    assert report.worst is failing


def test_short_sections_are_counted_but_not_scored():
    report = check_readability([page("# T\n\n## Signs\n\n- Drowsiness\n- Dizziness")],
                               max_grade=10, min_words=10)
    assert report.ok and report.scores == []
    assert [s.heading for s in report.too_short] == ["Signs"]


def test_check_fails_on_hard_text_and_names_the_file_and_line(content, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    config = write_mkdocs_config(project, content)
    record = content / "medicines" / "testofen" / "medicine.yaml"
    edit(record, "  - It calms pretend nerves.[^test-label]\n",
         f"  - It calms pretend nerves.[^test-label]\n  - {HARD}\n")
    result = medguide("--config", str(config), "check")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    header = next(line for line in lines if "readability:" in line and "reads at grade" in line)
    assert header.startswith(f"{record}: readability: \"Testofen: what it is and what it is for\""
                             " › \"How it works\" reads at grade ")
    assert f"{record}:35: {HARD}" in result.stderr
    assert "1 above grade 10" in result.stdout


def test_the_maximum_is_configurable(content, tmp_path):
    config = write_mkdocs_config(tmp_path, content)
    assert medguide("--config", str(config), "check").returncode == 0
    strict = medguide("--config", str(config), "check", "--max-grade", "1")
    assert strict.returncode == 1 and "above grade 1;" in strict.stdout
    text = config.read_text()
    config.write_text(text.replace("templates_dir:", "max_reading_grade: 1\n      templates_dir:"))
    assert medguide("--config", str(config), "check").returncode == 1


def test_the_real_content_reads_at_grade_10_or_lower():
    """Every section of every page of the bundled content, baclofen's included."""
    result = build_site(ROOT / "content", TEMPLATES)
    assert result.ok
    report = check_readability(result.pages)
    assert len(report.scores) > 100
    baclofen = [s for s in report.scores if s.section.url.startswith("medicines/baclofen/")]
    assert len(baclofen) > 30
    assert [(s.section.url, s.section.heading, s.grade) for s in report.failing] == []


def test_brand_names_and_forms_are_labels_and_only_the_editors_note_is_scored(real_content):
    """Found by the mutation sweep: without its note, gabapentin's "Brand names" section was
    only generated labels ("Gralise: extended-release tablets.") and failed at grade 12.3,
    although no editor wrote a sentence there."""
    content = real_content
    record = content / "medicines" / "gabapentin" / "medicine.yaml"
    edit(record, "    note: Taken once a day, only for nerve pain after shingles. It is not the "
                 "same as other gabapentin,\n      so it cannot be swapped for them.\n", "")
    overview = next(p for p in build_site(content, TEMPLATES).pages
                    if p.src_uri == "medicines/gabapentin/index.md")
    assert "Gralise" in overview.markdown
    assert "Brand names" not in [s.heading for s in page_sections(overview)]

    edit(record, "  - name: Gralise\n", f"  - name: Gralise\n    note: {HARD}\n")
    overview = next(p for p in build_site(content, TEMPLATES).pages
                    if p.src_uri == "medicines/gabapentin/index.md")
    [brands] = [s for s in page_sections(overview) if s.heading == "Brand names"]
    assert brands.sentences == [HARD]
