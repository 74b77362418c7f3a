"""`medguide new`: a draft with every section stubbed, which `check` reports until filled in."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml
from conftest import TEMPLATES, edit, medguide, tree, write_mkdocs_config

from generator.build.pipeline import build_site
from generator.cli.new_medicine import ScaffoldError, add_months, new_medicine
from generator.content.loader import load_catalog
from generator.content.pages import page_kinds_for
from generator.model.records import Medicine


@pytest.fixture
def project(tmp_path: Path, content: Path) -> Path:
    write_mkdocs_config(tmp_path, content)
    return tmp_path


def test_new_writes_a_draft_with_every_section_and_nothing_else(project, content):
    before = tree(content)
    result = medguide("--config", str(project / "mkdocs.yml"), "new", "Dantrolene")
    assert result.returncode == 0, result.stderr
    path = content / "medicines" / "dantrolene" / "medicine.yaml"
    assert f"created {path}" in result.stdout
    after = tree(content)
    assert set(after) - set(before) == {"medicines/dantrolene/medicine.yaml"}
    assert {k: after[k] for k in before} == before

    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../medicine.schema.json\n")
    data = yaml.safe_load(text)
    required = [name for name, f in Medicine.model_fields.items() if f.is_required()]
    assert [name for name in required if name not in data] == []
    for optional in ("brand_names", "alternatives", "references"):
        assert optional in data, optional
    assert data["generic_name"] == "Dantrolene"
    assert data["review"]["status"] == "draft"
    assert data["review"]["written_by"] == ["editorial-team"]
    assert data["changes"][0]["by"] == "editorial-team"


def test_the_new_record_loads_and_check_lists_each_todo_as_a_warning(project, content):
    assert medguide("--config", str(project / "mkdocs.yml"), "new", "Dantrolene").returncode == 0
    path = content / "medicines" / "dantrolene" / "medicine.yaml"
    markers = [(number, line.index("TODO") + 1)
               for number, line in enumerate(path.read_text().splitlines(), start=1)
               if "TODO" in line]
    assert len(markers) >= 25
    result = medguide("--config", str(project / "mkdocs.yml"), "check")
    assert result.returncode == 0, result.stderr
    reported = re.findall(r"medicines/dantrolene/medicine.yaml:(\d+):(\d+): \S+: "
                          r"unfinished: TODO marker .*\[warning\]", result.stderr)
    assert [(int(a), int(b)) for a, b in reported] == markers
    assert f"0 errors, {len(markers)} warnings" in result.stderr
    assert "pronunciation: unfinished: TODO marker" in result.stderr


def test_todo_markers_are_errors_once_the_guide_is_submitted(project, content):
    assert medguide("--config", str(project / "mkdocs.yml"), "new", "Dantrolene").returncode == 0
    path = content / "medicines" / "dantrolene" / "medicine.yaml"
    edit(path, "status: draft", "status: submitted")
    result = medguide("--config", str(project / "mkdocs.yml"), "check")
    assert result.returncode == 1
    assert ("summary: unfinished: TODO marker (fill this in and delete the TODO, or set "
            "review.status back to draft)") in result.stderr


def test_a_filled_in_record_has_no_todo_left(content):
    path = new_medicine(content, TEMPLATES, "Dantrolene", today=dt.date(2026, 11, 1))
    text = re.sub(r'"TODO: ([^"]*)"', r'"\1"', path.read_text())
    text = re.sub(r"\s*# TODO.*", "", text)
    path.write_text(text)
    assert "TODO" not in text
    result = build_site(content, TEMPLATES, include_drafts=True, today=dt.date(2026, 11, 2))
    assert result.ok, result.problems.errors
    assert [str(p) for p in result.problems.items] == []


def test_a_draft_shows_in_the_preview_but_is_never_published(content):
    new_medicine(content, TEMPLATES, "Dantrolene")
    preview = build_site(content, TEMPLATES, preview=True)
    overview = next(p for p in preview.pages if p.src_uri == "medicines/dantrolene/index.md")
    assert "Draft: not for patients." in overview.markdown
    record = next(m.record for m in load_catalog(content)[0].medicines
                  if m.slug == "dantrolene")
    assert {"Dantrolene (draft)": [{k.nav_title: k.src_uri("dantrolene")}
                                   for k in page_kinds_for(record)]} in preview.nav
    published = build_site(content, TEMPLATES)
    assert published.ok, published.problems.errors
    assert not any(p.medicine == "dantrolene" for p in published.pages)


@pytest.mark.parametrize("name, message", [
    ("testofen", "already exists"),
    ("Testofen", "already exists"),
    ("!!!", "has no letters or digits"),
])
def test_new_refuses_what_would_clash_and_writes_nothing(name, message, project, content):
    before = tree(content)
    result = medguide("--config", str(project / "mkdocs.yml"), "new", name)
    assert result.returncode == 1
    assert message in result.stderr and "nothing was written" in result.stderr
    assert tree(content) == before


def test_new_refuses_a_generic_name_another_folder_already_has(content):
    (content / "medicines" / "testofen").rename(content / "medicines" / "old-name")
    with pytest.raises(ScaffoldError, match="already has the generic name 'testofen'"):
        new_medicine(content, TEMPLATES, "testofen")
    assert not (content / "medicines" / "testofen").exists()


def test_new_needs_a_known_author(content):
    with pytest.raises(ScaffoldError, match="unknown reviewer 'nobody'"):
        new_medicine(content, TEMPLATES, "Dantrolene", author="nobody")
    path = new_medicine(content, TEMPLATES, "Dantrolene", author="test-pharmacist")
    assert "written_by: [test-pharmacist]" in path.read_text()


def test_review_dates_start_today_and_six_months_on():
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
