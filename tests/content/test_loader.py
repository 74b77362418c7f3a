"""Loading content: every bad input gives a located, plain message and no traceback."""

from pathlib import Path

import pytest
from conftest import edit

from generator.content.loader import load_catalog


def problems_for(content: Path) -> list[str]:
    """Problem lines with the temporary folder removed, as an editor would read them."""
    _, problems = load_catalog(content)
    return [str(p).replace(f"{content}/", "") for p in problems.items]


def test_the_fixture_content_loads_without_problems(content):
    catalog, problems = load_catalog(content)
    assert not problems
    assert [m.slug for m in catalog.medicines] == ["testofen"]
    medicine = catalog.medicines[0]
    assert medicine.record.generic_name == "testofen"
    assert medicine.record.has_pump
    assert [(p.page, p.title) for p in medicine.prose] == [("overview", "Everyday tips")]
    assert {p.name for p in catalog.pages} == {"index", "about", "disclaimer"}


RECORD = "medicines/testofen/medicine.yaml"

BAD_RECORDS = {
    "malformed YAML": (
        "    - Take it when you remember.", "    - Take it when: you: remember.",
        f"{RECORD}:58:24: (yaml): invalid YAML: mapping values are not allowed here"),
    "missing required field": (
        "pronunciation: TEST-oh-fen\n", "",
        f"{RECORD}:2:1: pronunciation: required field is missing (add `pronunciation:`)"),
    "misspelled key": (
        "side_effects:\n", "side_efects:\n",
        f"{RECORD}:64:1: side_efects: unknown field (did you mean side_effects?)"),
    "unknown key with no close match": (
        "summary: Testofen", "colour: blue\nsummary: Testofen",
        f"{RECORD}:4:1: colour: unknown field (allowed fields: generic_name, pronunciation, "
        "summary, brand_names, drug_class, classes, prescription_status, forms, uses, "
        "how_it_works, dosing, missed_dose, overdose, side_effects, stopping, pump_care, "
        "safety, alternatives, questions_to_ask, references, review, changes, disclaimers)"),
    "wrong type": (
        "times_per_day: 3\n      increase", "times_per_day: three\n      increase",
        f"{RECORD}:43:24: dosing.regimens[0].starting_dose.times_per_day: must be a whole "
        "number (found text 'three')"),
    "number written as text": (
        "- {value: 10, unit: mg}", "- {value: '10', unit: mg}",
        f"{RECORD}:18:17: forms[0].strengths[1].value: must be a number (found text '10')"),
    "wrong unit": (
        "- {value: 10, unit: mg}", "- {value: 10, unit: mgs}",
        f"{RECORD}:18:27: forms[0].strengths[1].unit: must be one of: mcg, mg, g, mcg/mL, "
        "mg/mL, mL (did you mean mg?)"),
    "invalid review status": (
        "status: submitted", "status: aproved",
        f"{RECORD}:122:11: review.status: must be one of: draft, submitted, under_review, "
        "approved (did you mean approved?)"),
    "duplicate key": (
        "pronunciation: TEST-oh-fen\n", "pronunciation: TEST-oh-fen\npronunciation: X\n",
        f"{RECORD}:4:1: pronunciation: key appears more than once"),
    "empty list": (
        "  common:\n    - Sleepiness.", "  common: []",
        f"{RECORD}:65:11: side_effects.common: must have at least 1 item"),
    "bad date": (
        "last_reviewed: 2026-01-10", "last_reviewed: 10/01/2026",
        f"{RECORD}:124:18: review.last_reviewed: must be a date written like 2026-01-31 "
        "(found text '10/01/2026')"),
}


@pytest.mark.parametrize("case", BAD_RECORDS, ids=list(BAD_RECORDS))
def test_a_bad_record_gets_one_located_message(case, content, record_path):
    old, new, expected = BAD_RECORDS[case]
    edit(record_path, old, new)
    assert problems_for(content) == [expected]


def test_every_problem_in_a_record_is_reported_in_one_run(content, record_path):
    edit(record_path, "status: submitted", "status: aproved")
    edit(record_path, "- {value: 10, unit: mg}", "- {value: 10, unit: mgs}")
    edit(record_path, "pronunciation: TEST-oh-fen\n", "")
    assert len(problems_for(content)) == 3


def test_an_empty_file_is_an_error(content, record_path):
    record_path.write_text("   \n", encoding="utf-8")
    assert problems_for(content) == [f"{RECORD}:1:1: (file): file is empty"]


def test_a_file_that_is_not_utf8_names_the_line_of_the_bad_byte(content, record_path):
    record_path.write_bytes(record_path.read_bytes().replace(
        b"Pretend stiffness", b"Pretend \xff stiffness"))
    assert problems_for(content) == [
        f"{RECORD}:28:15: (file): file is not valid UTF-8 (byte 0xff) "
        "(save the file with UTF-8 encoding)"]


def test_a_record_that_is_not_a_mapping_is_an_error(content, record_path):
    record_path.write_text("- a\n- b\n", encoding="utf-8")
    assert problems_for(content) == [
        f"{RECORD}:1:1: (file): expected a mapping of fields, found a list"]


def test_a_medicine_folder_without_a_record_is_an_error(content):
    (content / "medicines" / "orphan").mkdir()
    assert problems_for(content) == [
        "medicines/orphan:1:1: (folder): medicine folder has no medicine.yaml"]


def test_prose_front_matter_must_name_a_known_page(content):
    prose = content / "medicines" / "testofen" / "tips.md"
    edit(prose, "page: overview", "page: overveiw")
    [message] = problems_for(content)
    assert message.startswith("medicines/testofen/tips.md:2:7: page: must be one of: overview,")
    assert message.endswith("(did you mean overview?)")


def test_prose_without_front_matter_is_an_error(content):
    (content / "medicines" / "testofen" / "notes.md").write_text("Just text.\n")
    assert problems_for(content) == [
        "medicines/testofen/notes.md:1:1: (front matter): missing front matter "
        "(start the file with a `---` block of fields)"]


def test_loading_never_writes_into_content(content, record_path):
    before = {p: p.stat().st_mtime_ns for p in content.rglob("*")}
    load_catalog(content)
    assert {p: p.stat().st_mtime_ns for p in content.rglob("*")} == before
