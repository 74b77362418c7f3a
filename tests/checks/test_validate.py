"""Checks across fields and files: numbers that make sense, citations, raw HTML, reviews."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import edit

from generator.checks.records import check_catalog
from generator.content.loader import load_catalog

TODAY = dt.date(2026, 11, 21)
RECORD = "medicines/testofen/medicine.yaml"


def check(content: Path, today: dt.date = TODAY) -> list[str]:
    catalog, problems = load_catalog(content)
    assert not problems.errors, problems.errors
    return [str(p).replace(f"{content}/", "") for p in check_catalog(catalog, today).items]


def test_the_fixture_passes_every_check(content):
    assert check(content) == []


CROSS_FIELD = {
    "maximum below the starting dose": (
        "maximum_daily_dose: {value: 80, unit: mg}", "maximum_daily_dose: {value: 10, unit: mg}",
        [f"{RECORD}:51:27: dosing.regimens[0].maximum_daily_dose: maximum daily dose (10 mg) "
         "is less than the starting daily dose (15 mg a day: 5 mg 3 times a day)",
         f"{RECORD}:50:15: dosing.regimens[0].usual_daily_range.high: usual range goes up to "
         "60 mg, above the maximum daily dose (10 mg)"]),
    "units from different families": (
        "maximum_daily_dose: {value: 80, unit: mg}", "maximum_daily_dose: {value: 80, unit: mL}",
        [f"{RECORD}:51:45: dosing.regimens[0].maximum_daily_dose.unit: unit mL does not match "
         "mg used elsewhere in this regimen"]),
    "micrograms compared with milligrams": (
        "maximum_daily_dose: {value: 80, unit: mg}",
        "maximum_daily_dose: {value: 900, unit: mcg}",
        [f"{RECORD}:51:27: dosing.regimens[0].maximum_daily_dose: maximum daily dose "
         "(900 mcg = 0.9 mg) is less than the starting daily dose (15 mg a day: 5 mg 3 times "
         "a day)",
         f"{RECORD}:50:15: dosing.regimens[0].usual_daily_range.high: usual range goes up to "
         "60 mg, above the maximum daily dose (900 mcg = 0.9 mg)"]),
    "usual range upside down": (
        "low: {value: 30, unit: mg}", "low: {value: 70, unit: mg}",
        [f"{RECORD}:49:9: dosing.regimens[0].usual_daily_range: low (70 mg) is greater than "
         "high (60 mg)"]),
    "regimen names a form that does not exist": (
        "    - forms: [tablet]\n      population: kidney_problems",
        "    - forms: [tablets]\n      population: kidney_problems",
        [f"{RECORD}:52:15: dosing.regimens[1].forms[0]: no form with id 'tablets' "
         "(known forms: tablet, pump)"]),
    "citation of a missing reference": (
        "It calms pretend nerves.[^test-label]", "It calms pretend nerves.[^fda-label]",
        [f"{RECORD}:34:5: how_it_works[0]: cites unknown reference [^fda-label] "
         "(add it under references: or fix the key)"]),
    "raw HTML in YAML text": (
        "- Pretend stiffness.", "- Pretend <script>alert(1)</script> stiffness.",
        [f"{RECORD}:28:7: uses.approved[0]: raw HTML is not allowed in content "
         "(write plain text; the site adds all formatting)"]),
    "event handler in YAML text": (
        "- Pretend hiccups.", '- Pretend <img src=x onerror="alert(1)"> hiccups.',
        [f"{RECORD}:30:7: uses.off_label[0]: raw HTML is not allowed in content "
         "(write plain text; the site adds all formatting)"]),
    "javascript link in YAML text": (
        "- Real illness.", "- Real [illness](javascript:alert(1)).",
        [f"{RECORD}:32:7: uses.not_for[0]: links must use https:// addresses"]),
    "pump form without pump care": (
        "pump_care:\n"
        "  refills:\n"
        "    - Keep every refill visit.\n"
        "  alarm: [Call if the alarm sounds.]\n"
        "  infection_signs: [Redness at the pump site.]\n"
        "  missed_refill: [Call to rebook.]\n"
        "  before_an_mri: {advice: [Tell your pump team before any scan.], wallet_card: Call my pump clinic before any MRI.}\n"
        "  too_much_medicine: {signs: [Is very sleepy.]}\n"
        "  catheter_tip_mass: {signs: [New weakness.]}\n"
        "  travel_and_scans:\n"
        "    - Ask about scans.\n",
        "",
        [f"{RECORD}:13:3: forms: an intrathecal form needs a pump_care section (add "
         "`pump_care:` with refills, alarm, infection_signs, missed_refill, before_an_mri, "
         "too_much_medicine, catheter_tip_mass, travel_and_scans)"]),
}


@pytest.mark.parametrize("case", CROSS_FIELD, ids=list(CROSS_FIELD))
def test_a_record_that_contradicts_itself_is_reported(case, content, record_path):
    old, new, expected = CROSS_FIELD[case]
    edit(record_path, old, new)
    assert check(content) == expected


def test_an_overdue_review_names_the_medicine_and_the_date(content, record_path):
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    assert check(content) == [
        f"{RECORD}:125:20: review.next_review_due: review of testofen was due on 2026-06-30 and "
        "is overdue (review the content, then update review.last_reviewed and next_review_due)"]


def test_an_uncited_reference_is_only_a_warning(content, record_path):
    edit(record_path, "It calms pretend nerves.[^test-label]", "It calms pretend nerves.")
    (content / "medicines" / "testofen" / "tips.md").unlink()
    catalog, _ = load_catalog(content)
    problems = check_catalog(catalog, TODAY)
    assert problems.errors == []
    assert [p.message for p in problems.warnings] == ["reference 'test-label' is never cited"]


def test_raw_html_in_markdown_prose_is_reported_with_its_line(content):
    prose = content / "medicines" / "testofen" / "tips.md"
    edit(prose, "Keep a list", "<script>alert(1)</script>\n\nKeep a list")
    assert check(content) == [
        "medicines/testofen/tips.md:6:1: (body): raw HTML is not allowed in content "
        "(write Markdown only; the site adds all formatting)"]


def test_raw_html_in_a_site_page_is_reported(content):
    edit(content / "pages" / "about.md", "## Who this site is for",
         '## Who this site is for\n\n<a href="#" onclick="steal()">click</a>')
    assert check(content) == [
        "pages/about.md:8:1: (body): raw HTML is not allowed in content "
        "(write Markdown only; the site adds all formatting)"]


def test_two_medicines_cannot_share_a_generic_name(content):
    copy = content / "medicines" / "testofen-copy"
    shutil.copytree(content / "medicines" / "testofen", copy)
    assert check(content) == [
        "medicines/testofen-copy/medicine.yaml:2:15: generic_name: generic name 'testofen' does "
        "not match the folder name 'testofen-copy' (expected the folder medicines/testofen) "
        "[warning]",
        "medicines/testofen-copy/medicine.yaml:2:15: generic_name: another medicine already "
        f"uses this name ({RECORD})"]


def test_safe_links_in_prose_are_not_flagged(content):
    prose = content / "medicines" / "testofen" / "tips.md"
    edit(prose, "Keep a list of your medicines.[^test-label]",
         "Keep a [list](https://example.org/list) of your medicines.[^test-label] "
         "Call [Poison Control](tel:1-800-222-1222) or see [the label][l].\n\n"
         '[l]: https://example.org/label "Label: testofen"')
    assert check(content) == []


@pytest.mark.parametrize("path,old,new,expected", [
    ("medicines/baclofen/medicine.yaml", "multiple sclerosis (MS).[^ozobax]",
     "multiple sclerosis (MS).[^ozobax][^ozobax]",
     "medicines/baclofen/medicine.yaml:91:7: uses.approved[0]: cites [^ozobax] twice in a row"
     " (cite it once; to cite two sources, use two keys)"),
    ("interactions/alcohol--baclofen.yaml", "safe for you.[^nhs]", "safe for you.[^nhs] [^nhs]",
     "interactions/alcohol--baclofen.yaml:6:13: what_to_do: cites [^nhs] twice in a row"
     " (cite it once; to cite two sources, use two keys)"),
])
def test_a_reference_cited_twice_in_a_row_is_named_where_it_was_written(real_content, path,
                                                                       old, new, expected):
    """It would read "1, 1" on the page."""
    edit(real_content / path, old, new)
    catalog, problems = load_catalog(real_content)
    found = [str(p).replace(f"{real_content}/", "")
             for p in [*problems.items, *check_catalog(catalog, TODAY).items]]
    assert expected in found, found
