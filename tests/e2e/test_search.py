"""Search, as a patient uses it: type words in the box on any page, get pages back. The
Pagefind index is static files, so any static server works, from the site root or a folder."""

from __future__ import annotations

import gzip
import json
import re

import pytest

from .conftest import ALL_PAGES, SEARCH_PAGE, StaticServer, site_path


def search_from_home(page, base_url: str, words: str) -> list[str]:
    page.goto(base_url)
    page.locator("#site-search-q").fill(words)
    page.locator("#site-search-q").press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    status = page.locator("#search-status")
    status.filter(has_text=re.compile("found|No pages")).wait_for()
    return [site_path(href, page.url) for href in
            page.locator(".search-result__title a").evaluate_all("links => links.map(a => a.href)")]


def test_searching_missed_dose_finds_baclofen(page, base_url):
    results = search_from_home(page, base_url, "missed dose")
    assert "medicines/baclofen/missed-or-extra-doses/" in results
    assert re.fullmatch(r"\d+ pages? found for “missed dose”\.( Showing the first \d+\.)?",
                        page.locator("#search-status").inner_text())
    # The status is a live region, so screen readers hear the count.
    assert page.locator("#search-status").get_attribute("role") == "status"
    page.locator(".search-group", has=page.locator(".search-group__name", has_text="Baclofen")
                 ).locator(".search-result__title a").first.click()
    page.wait_for_load_state()
    assert "Baclofen" in page.title()


@pytest.mark.parametrize("brand, medicine", [("Lioresal", "baclofen"),
                                             ("Keppra", "levetiracetam"),
                                             ("Klonopin", "clonazepam"),
                                             ("Zanaflex", "tizanidine")])
def test_search_finds_a_medicine_by_its_brand_name(page, base_url, brand, medicine):
    assert f"medicines/{medicine}/" in search_from_home(page, base_url, brand)


@pytest.mark.parametrize("words, medicine", [("Lioresal", "baclofen"),
                                             ("Keppra", "levetiracetam"),
                                             ("baclofen", "baclofen"),
                                             ("clonazepam", "clonazepam")])
def test_a_brand_or_generic_name_brings_up_the_medicines_overview_first(page, base_url, words,
                                                                       medicine):
    assert search_from_home(page, base_url, words)[0] == f"medicines/{medicine}/"


def test_a_question_about_one_medicine_brings_up_its_page_about_it_first(page, base_url):
    results = search_from_home(page, base_url, "missed dose baclofen")
    assert results[0] == "medicines/baclofen/missed-or-extra-doses/"


def test_results_are_grouped_by_medicine_and_name_each_page_as_its_menu_does(page, base_url):
    results = search_from_home(page, base_url, "missed dose")
    groups = page.locator(".search-group")
    names = groups.locator(".search-group__name").all_inner_texts()
    assert len(names) >= 5 and len(set(names)) == len(names)
    for index, name in enumerate(names):
        group = groups.nth(index)
        links = group.locator(".search-result__title a")
        folder = f"medicines/{name.lower()}/"
        hrefs = links.evaluate_all("links => links.map(a => a.href)")
        assert hrefs and all(site_path(href, page.url).startswith(folder) for href in hrefs)
    # A page is named as in its guide's menu, under the medicine's name.
    baclofen = groups.filter(has=page.locator(".search-group__name", has_text="Baclofen"))
    assert "Missed or extra doses" in baclofen.locator(".search-result__title a").all_inner_texts()
    assert len(results) == sum(groups.nth(i).locator(".search-result").count()
                               for i in range(len(names)))


def test_search_says_plainly_when_nothing_matches(page, base_url):
    assert search_from_home(page, base_url, "xylophone") == []
    assert page.locator("#search-status").inner_text().startswith(
        "No pages found for “xylophone”")


def indexed_pages(site_dir) -> dict[str, str]:
    """URL → indexed text, read back from Pagefind's fragments (gzip, then JSON)."""
    pages = {}
    for path in (site_dir / "pagefind" / "fragment").iterdir():
        raw = gzip.decompress(path.read_bytes())
        assert raw.startswith(b"pagefind_dcd")
        fragment = json.loads(raw[len(b"pagefind_dcd"):])
        pages[fragment["url"]] = fragment["content"]
    return pages


def test_only_the_main_content_of_content_pages_is_indexed(site_dir):
    pages = indexed_pages(site_dir)
    expected = {"/" + url for url in ALL_PAGES if url not in (SEARCH_PAGE, "404.html")}
    assert set(pages) == expected
    for url, text in pages.items():
        # Header, footer and navigation are outside data-pagefind-body.
        assert "Skip to main content" not in text, url
        assert "Poison Control: 1-800-222-1222" not in text, url
        if url.startswith("/medicines/") and url != "/medicines/":
            # Parts repeated on every page of a medicine are left out, so a search lands on
            # the page that is about them.
            for repeated in ["This guide is for general information", "Next review due",
                             "Pending clinical review", "(what this means)",
                             "See all words in the glossary", "Print this page", "On this page"]:
                assert repeated not in text, (url, repeated)
    # The warning box is indexed once, on the page about stopping.
    warning = "FDA boxed warning for the baclofen pump"
    assert [u for u, t in pages.items() if warning in t and "/baclofen/" in u] == [
        "/medicines/baclofen/stopping-safely/"]


def test_search_works_when_the_site_is_served_from_a_folder(browser, site_dir, tmp_path):
    (tmp_path / "guide").symlink_to(site_dir, target_is_directory=True)
    context = browser.new_context()
    page = context.new_page()
    with StaticServer(tmp_path) as server:
        page.goto(f"{server.url}guide/{SEARCH_PAGE}?q=missed+dose")
        page.locator(".search-result").first.wait_for()
        hrefs = page.locator(".search-result__title a").evaluate_all("a => a.map(x => x.href)")
    context.close()
    assert f"{server.url}guide/medicines/baclofen/missed-or-extra-doses/" in hrefs
