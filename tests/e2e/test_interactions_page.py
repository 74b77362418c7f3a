"""A medicine's Interactions page, as Chromium shows it: citations side by side never run
together ("3, 4", not "34"); each source is listed once, named by its title (not a raw web
address), with one way back to the text; the kind of an interaction is said once per group,
not in every entry."""

from __future__ import annotations

import pytest

from .conftest import ALL_PAGES, DESKTOP

INTERACTION_PAGES = [url for url in ALL_PAGES
                     if url.startswith("medicines/") and url.endswith("/interactions/")]


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def test_every_medicine_has_an_interactions_page():
    assert len(INTERACTION_PAGES) == 6


@pytest.mark.parametrize("url", INTERACTION_PAGES)
def test_citations_side_by_side_are_separated(tab, base_url, url):
    tab.goto(base_url + url)
    pairs = tab.evaluate("""() => [...document.querySelectorAll('sup[id^="fnref"]')]
        .filter(sup => sup.previousSibling && sup.previousSibling.nodeName === 'SUP')
        .map(sup => ({shown: sup.previousSibling.textContent + getComputedStyle(sup, '::before')
                      .content.replace(/^"|"$/g, '') + sup.textContent}))""")
    for pair in pairs:
        assert ", " in pair["shown"], pair


def test_baclofen_cites_two_sources_side_by_side_and_shows_them_apart(tab, base_url):
    tab.goto(base_url + "medicines/baclofen/interactions/")
    sups = tab.locator("#opioids ~ ul").first.locator("sup")
    assert sups.count() == 2
    assert tab.evaluate("""() => getComputedStyle(
        document.querySelectorAll('sup[id^="fnref"] + sup[id^="fnref"]')[0], '::before')
        .content""") == '", "'


@pytest.mark.parametrize("url", INTERACTION_PAGES)
def test_each_source_is_listed_once_by_its_title_with_one_way_back(tab, base_url, url):
    tab.goto(base_url + url)
    sources = tab.evaluate("""() => [...document.querySelectorAll('.footnote li')].map(li => ({
        text: li.innerText.trim(),
        links: [...li.querySelectorAll('a:not(.footnote-backref)')].map(a => a.textContent),
        back: [...li.querySelectorAll('.footnote-backref')].filter(a => a.checkVisibility())
            .length}))""")
    assert sources
    texts = [source["text"] for source in sources]
    assert len(texts) == len(set(texts)), texts
    for source in sources:
        assert source["back"] == 1, source
        assert not any(link.startswith("http") for link in source["links"]), source
        assert "dailymed.nlm.nih.gov" not in source["text"], source


@pytest.mark.parametrize("url", INTERACTION_PAGES)
def test_the_kind_of_an_interaction_is_said_once_per_group(tab, base_url, url):
    tab.goto(base_url + url)
    assert "What kind:" not in tab.locator("main").inner_text()
    groups = tab.evaluate("""() => {
        const groups = {};
        let level = null;
        for (const h of document.querySelectorAll('.page-body h2, .page-body h3')) {
            if (h.tagName === 'H2') { level = h.textContent.trim(); continue; }
            (groups[level] = groups[level] || []).push(h.textContent.trim());
        }
        return groups; }""")
    assert any(level.endswith("interactions") for level in groups), groups
    for level, kinds in groups.items():
        assert len(kinds) == len(set(kinds)), (level, kinds)


def test_a_pair_page_still_says_what_kind_its_interaction_is(tab, base_url):
    tab.goto(base_url + "interactions/baclofen-levetiracetam/")
    assert "What kind:" in tab.locator("main").inner_text()
