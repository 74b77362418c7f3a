"""The review lifecycle: reviewers by id, approval, the change log, overdue reviews and the
review report. (The bad-input cases and their exact messages are in tests/checks/bad_records/.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT, TEMPLATES, as_of_newest_review, edit, medguide, tree, write_mkdocs_config

from generator.build.pipeline import build_site
from generator.cli.review_report import review_rows
from generator.content.loader import load_catalog

pytestmark = pytest.mark.pdf  # builds sites, handouts included

TODAY = dt.date(2026, 11, 21)


def pages(content: Path, **kwargs) -> dict:
    result = build_site(content, TEMPLATES, today=TODAY, **kwargs)
    assert result.ok, result.problems.errors
    return {page.src_uri: page.markdown for page in result.pages}


@pytest.fixture
def project(tmp_path: Path, content: Path) -> Path:
    write_mkdocs_config(tmp_path, content)
    return tmp_path


def approve(record_path: Path) -> None:
    edit(record_path, "status: submitted", "status: approved")
    edit(record_path, "written_by: [editorial-team]",
         "written_by: [editorial-team]\n  reviewed_by: [test-pharmacist]")


def test_every_real_record_names_reviewers_listed_in_reviewers_yaml():
    catalog, problems = load_catalog(ROOT / "content")
    assert not problems.errors, problems.errors
    assert set(catalog.reviewers) >= {"editorial-team"}
    for source in catalog.medicines:
        review = source.record.review
        assert review.status.value == "submitted", source.slug  # never approved by us
        assert set(review.written_by) <= set(catalog.reviewers)
        assert review.reviewed_by == []


def test_an_approved_guide_shows_its_reviewer_byline_on_every_page(content, record_path):
    approve(record_path)
    for uri, text in pages(content).items():
        if uri.startswith("medicines/testofen/"):
            assert "<strong>Status:</strong> Approved by Test pharmacist, PharmD." in text, uri
            assert "Pending clinical review" not in text, uri


def test_a_guide_under_review_names_its_reviewer_and_stays_pending(content, record_path):
    edit(record_path, "status: submitted", "status: under_review")
    edit(record_path, "written_by: [editorial-team]",
         "written_by: [editorial-team]\n  reviewed_by: [test-pharmacist]")
    text = pages(content)["medicines/testofen/index.md"]
    assert "<strong>Being reviewed by:</strong> Test pharmacist, PharmD" in text
    assert "Pending clinical review." in text
    assert 'aria-current="step">Under review</li>' in text


def test_a_person_with_a_name_shows_name_credentials_and_role(content, record_path):
    (content / "reviewers.yaml").write_text(textwrap.dedent("""\
        reviewers:
          - id: editorial-team
            role: Editorial team
          - id: test-pharmacist
            name: Sam Example
            role: Clinical pharmacist
            credentials: PharmD
        """))
    approve(record_path)
    text = pages(content)["medicines/testofen/side-effects.md"]
    assert "Approved by Sam Example, PharmD (Clinical pharmacist)." in text


def test_what_changed_lists_the_log_newest_first_with_the_latest_date(content, record_path):
    edit(record_path, "changes:\n", "changes:\n  - date: 2025-12-01\n    what: Older fix.\n"
         "    by: test-pharmacist\n")
    edit(record_path, "    what: First version.\n    by: editorial-team\n",
         "    what: First version.\n    by: editorial-team\n  - date: 2026-01-05\n"
         "    what: Clearer missed dose advice.\n    by: editorial-team\n")
    text = pages(content)["medicines/testofen/missed-or-extra-doses.md"]
    # Not approved: the page is dated by its newest change, said once.
    assert ('<li><strong>Last updated:</strong> <time datetime="2026-01-10">January 10, 2026'
            '</time></li>') in text
    assert "Last reviewed" not in text and "Last changed" not in text
    assert "<summary>What changed</summary>" in text
    log = text[text.index("<summary>What changed</summary>"):]
    assert log.index("First version.") < log.index("Clearer missed dose advice.") < log.index(
        "Older fix. (Test pharmacist, PharmD)")
    assert "guide_date: '2026-01-10'" in text  # page metadata (the sitemap's lastmod)
    assert "guide_date: '2026-01-10'" in text  # the date shown, also the sitemap's


def test_a_guide_no_clinician_approved_is_dated_written_never_last_reviewed(content):
    for uri, text in pages(content).items():
        if uri.startswith("medicines/testofen/"):
            assert ('<li><strong>Written:</strong> <time datetime="2026-01-10">January 10, 2026'
                    '</time></li>') in text, uri
            assert "Last reviewed" not in text and "Last changed" not in text, uri


def test_every_real_page_of_a_submitted_guide_or_rule_says_no_last_reviewed():
    result = build_site(ROOT / "content", TEMPLATES, today=as_of_newest_review())
    assert result.ok, result.problems.errors
    medicine_pages = [p for p in result.pages if p.src_uri.startswith("medicines/")
                      and p.src_uri.count("/") == 2]
    pair_pages = [p for p in result.pages if p.src_uri.startswith("interactions/")
                  and "<strong>Status:</strong>" in p.markdown]
    assert len(medicine_pages) >= 40 and len(pair_pages) >= 5
    for page in medicine_pages + pair_pages:
        assert "Last reviewed" not in page.markdown, page.src_uri
    for page in medicine_pages:
        assert "<li><strong>Written:</strong> <time datetime=\"2026-11-20\">" in page.markdown
    for page in pair_pages:  # a rule keeps no change log: dated by its record
        assert "<li><strong>Last updated:</strong> <time datetime=" in page.markdown


def test_the_sitemap_and_json_ld_date_a_pending_guide_as_its_pages_do(project, record_path,
                                                                       tmp_path):
    # A date in review.last_reviewed with no review behind it: the guide was written on
    # January 10, and pages, sitemap and JSON-LD all say so.
    edit(record_path, "last_reviewed: 2026-01-10", "last_reviewed: 2026-03-01")
    site = tmp_path / "published"
    result = medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    page = "https://medguide.example.org/medicines/testofen/side-effects/</loc>"
    assert sitemap.split(page, 1)[1].split("</url>")[0].strip() == \
        "<lastmod>2026-01-10</lastmod>"
    assert "2026-03-01" not in sitemap
    html = (site / "medicines/testofen/side-effects/index.html").read_text(encoding="utf-8")
    assert '"dateCreated": "2026-01-10"' in html and "lastReviewed" not in html
    assert "<strong>Written:</strong> <time datetime=\"2026-01-10\">" in html


def test_an_approved_guide_says_last_reviewed_and_when_it_last_changed(content, record_path):
    approve(record_path)
    edit(record_path, "last_reviewed: 2026-01-10", "last_reviewed: 2026-02-01")
    text = pages(content)["medicines/testofen/side-effects.md"]
    assert ('<li><strong>Last reviewed:</strong> <time datetime="2026-02-01">February 1, 2026'
            '</time></li>') in text
    assert ('<li><strong>Last changed:</strong> <time datetime="2026-01-10">January 10, 2026'
            '</time></li>') in text
    assert "<strong>Written:</strong>" not in text and "Last updated" not in text


def test_an_overdue_review_stops_the_build_and_keeps_the_old_site(project, record_path,
                                                                   tmp_path):
    site = tmp_path / "published"
    assert medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir",
                    str(site)).returncode == 0
    before = tree(site)
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    result = medguide("--config", str(project / "mkdocs.yml"), "build", "--site-dir", str(site))
    assert result.returncode == 1
    assert "review of testofen was due on 2026-06-30 and is overdue" in result.stderr
    assert tree(site) == before


def test_the_overdue_override_publishes_with_a_banner_and_is_logged(project, record_path,
                                                                     tmp_path):
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    site = tmp_path / "published"
    result = medguide("--config", str(project / "mkdocs.yml"), "build", "--allow-overdue",
                      "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    assert ("review.next_review_due: review of testofen was due on 2026-06-30 and is overdue; "
            "published anyway because the overdue override is on [warning]") in result.stderr
    for kind in ("index.html", "side-effects/index.html", "pump-care/index.html"):
        html = (site / "medicines" / "testofen" / kind).read_text(encoding="utf-8")
        assert "<strong>Review overdue.</strong>" in html, kind
        assert "due for review on June 30, 2026" in html
    check = medguide("--config", str(project / "mkdocs.yml"), "check", "--allow-overdue")
    assert check.returncode == 0 and "0 errors, 1 warning" in check.stderr


def test_the_override_is_also_a_setting_for_mkdocs_build(project, record_path, tmp_path):
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    config = project / "mkdocs.yml"
    command = [sys.executable, "-m", "mkdocs", "build", "-f", str(config), "-d",
               str(tmp_path / "out")]
    refused = subprocess.run(command, capture_output=True, text=True)
    assert refused.returncode == 1 and "is overdue" in refused.stderr
    config.write_text(config.read_text().replace("templates_dir:",
                                                 "allow_overdue: true\n      templates_dir:"))
    allowed = subprocess.run(command, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr
    assert "published anyway because the overdue override is on" in allowed.stderr


def test_a_draft_is_never_overdue(content, record_path):
    edit(record_path, "status: submitted", "status: draft")
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    assert build_site(content, TEMPLATES, today=TODAY).ok


def test_the_preview_shows_an_overdue_review_instead_of_failing(content, record_path):
    edit(record_path, "next_review_due: 2099-01-10", "next_review_due: 2026-06-30")
    result = build_site(content, TEMPLATES, today=TODAY, preview=True)
    overview = next(p for p in result.pages if p.src_uri == "medicines/testofen/index.md")
    assert "<strong>Review overdue.</strong>" in overview.markdown
    assert "Next review due:</strong> <time datetime=\"2026-06-30\">June 30, 2026</time> " \
           "(overdue)" in overview.markdown


# ---------------------------------------------------------------- the review report


@pytest.fixture
def several(content: Path) -> Path:
    """Four medicines with different review states."""
    base = content / "medicines" / "testofen"
    for slug, status, due in [("alphafen", "submitted", "2026-12-01"),
                              ("betafen", "under_review", "2026-10-01"),
                              ("gammafen", "draft", "2026-01-15")]:
        shutil.copytree(base, content / "medicines" / slug)
        record = content / "medicines" / slug / "medicine.yaml"
        edit(record, "generic_name: testofen", f"generic_name: {slug}")
        edit(record, "  - name: Testrel\n", f"  - name: {slug.title()}rel\n")
        edit(record, "status: submitted", f"status: {status}")
        edit(record, "next_review_due: 2099-01-10", f"next_review_due: {due}")
    return content


def test_the_report_puts_the_most_urgent_first(several):
    catalog, _ = load_catalog(several)
    rows = review_rows(catalog, TODAY)
    assert [(r.medicine, r.status, r.days_left, r.urgency) for r in rows] == [
        ("betafen", "under_review", -51, "overdue"),
        ("alphafen", "submitted", 10, "due soon"),
        ("testofen", "submitted", 26348, "ok"),
        ("gammafen", "draft", -310, "draft"),
    ]


def report(several: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    config = write_mkdocs_config(tmp_path, several)
    return medguide("--config", str(config), "review-report", "--today", "2026-11-21", *args)


def test_the_report_prints_a_table(several, tmp_path):
    result = report(several, tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["Medicine", "Status", "Last", "reviewed", "Next", "due", "Days",
                                "left", "Urgency", "Last", "changed"]
    assert lines[1].split() == ["betafen", "under_review", "2026-01-10", "2026-10-01", "-51",
                                "overdue", "2026-01-10"]
    assert [line.split()[0] for line in lines[1:5]] == ["betafen", "alphafen", "testofen",
                                                         "gammafen"]
    assert lines[-1] == "4 medicine(s): 1 overdue, 1 due within 30 days"


def test_the_report_as_csv_and_json(several, tmp_path):
    as_csv = list(csv.DictReader(io.StringIO(report(several, tmp_path, "--format", "csv")
                                             .stdout)))
    as_json = json.loads(report(several, tmp_path, "--format", "json").stdout)
    assert [row["medicine"] for row in as_csv] == [row["medicine"] for row in as_json] == [
        "betafen", "alphafen", "testofen", "gammafen"]
    assert as_csv[0] == {"medicine": "betafen", "status": "under_review",
                         "last_reviewed": "2026-01-10", "next_review_due": "2026-10-01",
                         "days_left": "-51", "urgency": "overdue", "last_changed": "2026-01-10"}
    assert as_json[0]["days_left"] == -51 and as_json[0]["slug"] == "betafen"


def test_the_report_still_lists_readable_records_when_one_is_broken(several, tmp_path):
    edit(several / "medicines" / "alphafen" / "medicine.yaml", "status: submitted",
         "status: aproved")
    result = report(several, tmp_path, "--format", "csv")
    assert result.returncode == 1
    assert "review.status: must be one of" in result.stderr
    assert [r["medicine"] for r in csv.DictReader(io.StringIO(result.stdout))] == [
        "betafen", "testofen", "gammafen"]
