"""What the theme adds to the built site: structured data, titles and descriptions, the sitemap,
the search index, and output that is byte-identical build after build."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as etree
from pathlib import Path

import pytest
from conftest import ROOT, edit, write_mkdocs_config

from generator.content.loader import load_catalog
from generator.model.records import Medicine, ReviewStatus
from generator.render.structured_data import medical_web_page

pytestmark = pytest.mark.pdf  # builds the real site, handouts included

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def build(config: Path, site: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "generator.cli.main", "--config", str(config),
                             "build", "--site-dir", str(site)], capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr


@pytest.fixture
def built(tmp_path, content) -> Path:
    site = tmp_path / "site"
    build(write_mkdocs_config(tmp_path, content), site)
    return site


def json_ld(html: str) -> dict:
    [block] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def test_each_medicine_page_describes_itself_as_a_medical_web_page_about_a_drug(built):
    html = (built / "medicines/testofen/side-effects/index.html").read_text(encoding="utf-8")
    data = json_ld(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "MedicalWebPage"
    assert data["name"] == "Side effects of testofen"
    assert data["url"] == "https://medguide.example.org/medicines/testofen/side-effects/"
    # Not approved: dated as written (its one change), with no `lastReviewed`.
    assert data["dateCreated"] == "2026-01-10" and "lastReviewed" not in data
    assert data["medicalAudience"] == {"@type": "MedicalAudience", "audienceType": "Patient"}
    assert data["inLanguage"] == "en-US"
    drug = data["about"]
    assert drug == {
        "@type": "Drug", "name": "Testofen", "nonProprietaryName": "testofen",
        "url": "https://medguide.example.org/medicines/testofen/",
        "proprietaryName": "Testrel",
        "drugClass": {"@type": "DrugClass", "name": "test relaxant"},
        "administrationRoute": ["oral", "intrathecal"],
        "dosageForm": ["tablet", "injection"],
        "prescriptionStatus": "https://schema.org/PrescriptionOnly",
        "warning": ("Important: do not stop testofen suddenly. There is no FDA boxed warning "
                    "for testofen. This is our advice, based on the warnings in the label. "
                    "Do not stop testofen suddenly."),
    }


def test_pending_pages_name_authors_and_only_approved_pages_name_reviewers(content):
    catalog, _ = load_catalog(content)
    record: Medicine = catalog.medicines[0].record
    kwargs = dict(url="u", overview_url="o", title="t", description="d")
    pending = medical_web_page(catalog.site, record, catalog.reviewers, **kwargs)
    assert "reviewedBy" not in pending
    assert pending["author"] == {"@type": "Organization", "name": "Editorial team"}
    assert pending["creativeWorkStatus"] == "Pending clinical review"
    review = record.review.model_copy(update={"status": ReviewStatus.approved,
                                              "reviewed_by": ["editorial-team"]})
    approved = medical_web_page(catalog.site, record.model_copy(update={"review": review}),
                                catalog.reviewers, **kwargs)
    assert approved["reviewedBy"] == {"@type": "Organization", "name": "Editorial team"}
    assert approved["creativeWorkStatus"] == "Approved"
    assert approved["lastReviewed"] == record.review.last_reviewed.isoformat()
    assert "dateCreated" not in approved and "dateModified" not in approved
    assert "lastReviewed" not in pending


def test_structured_data_is_plain_text_without_citations(content, record_path, tmp_path):
    edit(record_path, "boxed_warning: Do not stop testofen suddenly.",
         "boxed_warning: Do **not** stop testofen suddenly.[^test-label]")
    site = tmp_path / "out"
    build(write_mkdocs_config(tmp_path, content), site)
    data = json_ld((site / "medicines/testofen/index.html").read_text(encoding="utf-8"))
    assert data["about"]["warning"].endswith(" label. Do not stop testofen suddenly.")


def test_site_pages_carry_no_medical_structured_data(built):
    assert "application/ld+json" not in (built / "about/index.html").read_text(encoding="utf-8")


def test_every_page_has_its_own_title_and_description(built):
    titles, descriptions = {}, {}
    for path in sorted(built.rglob("index.html")):
        html = path.read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        description = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
        assert title and 10 <= len(description) <= 160, (path, description)
        titles[title] = path
        descriptions.setdefault(description, []).append(path)
    assert len(titles) == len(list(built.rglob("index.html")))
    assert "Side effects of testofen | Medicine Guide" in titles
    assert all(len(paths) == 1 for paths in descriptions.values() if "testofen" in
               str(paths[0])), descriptions


def test_the_sitemap_dates_pages_by_their_review_not_the_build(built):
    root = etree.fromstring((built / "sitemap.xml").read_bytes())
    entries = {url.findtext(f"{SITEMAP}loc"): url.findtext(f"{SITEMAP}lastmod")
               for url in root.iter(f"{SITEMAP}url")}
    site = "https://medguide.example.org/"
    assert entries[site + "medicines/testofen/pump-care/"] == "2026-01-10"
    assert entries[site + "medicines/"] == "2026-01-10"  # the newest review it lists
    assert entries[site + "about/"] is None  # no review date, so no made-up date
    assert site + "search/" not in entries  # not a page for search engines
    assert gzip.decompress((built / "sitemap.xml.gz").read_bytes()) == \
        (built / "sitemap.xml").read_bytes()


def test_the_search_index_is_built_at_the_end_of_every_build(built):
    assert (built / "pagefind" / "pagefind.js").is_file()
    entry = json.loads((built / "pagefind" / "pagefind-entry.json").read_text())
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(
        list(built.rglob("index.html"))) - 1  # every page but Search itself


def test_two_builds_are_byte_identical_search_index_and_sitemap_included(tmp_path, content):
    config = write_mkdocs_config(tmp_path, content)
    sites = [tmp_path / "first", tmp_path / "second"]
    for site in sites:
        build(config, site)

    def tree(folder: Path) -> dict[str, bytes]:
        return {str(p.relative_to(folder)): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = tree(sites[0]), tree(sites[1])
    assert any(name.startswith("pagefind/fragment/") for name in first)
    assert first == second


def test_the_real_site_is_byte_identical_twice(tmp_path):
    """The bundled content, all six medicines: Pagefind's index and the gzipped sitemap too."""
    sites = [tmp_path / "a", tmp_path / "b"]
    for site in sites:
        build(ROOT / "mkdocs.yml", site)
    files = sorted(p.relative_to(sites[0]) for p in sites[0].rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites[1]) for p in sites[1].rglob("*") if p.is_file())
    different = [f for f in files if (sites[0] / f).read_bytes() != (sites[1] / f).read_bytes()]
    assert different == []


def test_html_lang_comes_from_the_site_settings(built, content, tmp_path):
    assert '<html lang="en-US">' in (built / "index.html").read_text(encoding="utf-8")
    edit(content / "site.yaml", "language: en-US", "language: en-GB")
    site = tmp_path / "gb"
    build(write_mkdocs_config(tmp_path, content), site)
    assert '<html lang="en-GB">' in (site / "404.html").read_text(encoding="utf-8")


def test_a_search_index_failure_stops_the_build_with_a_clear_message(monkeypatch, tmp_path):
    from generator.build import search_index

    failing = tmp_path / "pagefind"
    failing.write_text("#!/bin/sh\necho 'Error: disk full' >&2\nexit 3\n")
    failing.chmod(0o755)
    monkeypatch.setattr(search_index, "pagefind_executable", lambda: failing)
    with pytest.raises(search_index.SearchIndexError, match=r"exit 3\):\nError: disk full"):
        search_index.build_search_index(tmp_path)


def test_on_this_page_goes_after_the_warnings_when_a_page_marks_the_place():
    from generator.render.theme import TOC_MARK, split_title

    head, rest = split_title(f"<h1>T</h1><div>warning</div>{TOC_MARK}<h2>A</h2>")
    assert (head, rest) == ("<h1>T</h1><div>warning</div>", "<h2>A</h2>")
    assert split_title('\n<h1 id="t">T</h1>\n<p>x</p>') == ('\n<h1 id="t">T</h1>', "\n<p>x</p>")
    assert split_title("<p>no title</p>") == ("", "<p>no title</p>")
