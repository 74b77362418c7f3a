"""A medicine's Interactions page, as Chromium shows it: citations side by side never run
together ("3, 4", not "34") and a citation after words has no comma; each source is listed
once, named by its title (not a raw web address), with one way back to the text; the kind of
an interaction is said once per group, not in every entry; a short summary comes first, and
what can happen folds away for all but the serious ones (and prints in full)."""

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
def test_citations_side_by_side_are_separated_and_only_those(tab, base_url, url):
    tab.goto(base_url + url)
    citations = tab.evaluate("""() => [...document.querySelectorAll('sup[id^="fnref"]')]
        .map(sup => ({shown: sup.innerText,
                      afterCitation: !!sup.previousSibling
                                     && sup.previousSibling.nodeName === 'SUP'}))""")
    assert citations
    for citation in citations:
        assert citation["shown"].startswith(", ") == citation["afterCitation"], citation


def test_baclofen_cites_two_sources_side_by_side_and_shows_them_apart(tab, base_url):
    tab.goto(base_url + "medicines/baclofen/interactions/")
    sups = tab.locator("#opioids ~ ul").first.locator("sup")
    assert sups.count() == 2
    assert sups.nth(0).inner_text() + sups.nth(1).inner_text() == "2, 3"


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


@pytest.mark.parametrize("url", INTERACTION_PAGES)
def test_a_short_summary_comes_first_and_names_every_serious_interaction(tab, base_url, url):
    tab.goto(base_url + url)
    found = tab.evaluate("""() => {
        const summary = document.querySelector('.page-body .interactions-summary');
        const firstSection = document.querySelector('.page-body :is(h2#major, h2#moderate, h2#minor)');
        const serious = [...document.querySelectorAll('#major ~ h4')]
            .filter(h => { let s = h.previousElementSibling;
                           while (s && s.tagName !== 'H2') s = s.previousElementSibling;
                           return s && s.id === 'major'; })
            .map(h => '#' + h.id);
        return {
            before: !!summary && !!(summary.compareDocumentPosition(firstSection)
                                    & Node.DOCUMENT_POSITION_FOLLOWING),
            text: summary ? summary.innerText : '',
            links: summary ? [...summary.querySelectorAll('a')].map(a => a.getAttribute('href'))
                           : [],
            serious, entries: document.querySelectorAll('.page-body h4').length};
    }""")
    assert found["before"], "no summary before the first section"
    assert f"lists {found['entries']} interaction" in found["text"], found["text"]
    assert set(found["serious"]) <= set(found["links"]), found


@pytest.mark.parametrize("url", INTERACTION_PAGES)
def test_what_can_happen_folds_away_except_for_serious_interactions(tab, base_url, url):
    tab.goto(base_url + url)
    entries = tab.evaluate("""() => [...document.querySelectorAll('.page-body h4')].map(h => {
        let level = h.previousElementSibling;
        while (level && level.tagName !== 'H2') level = level.previousElementSibling;
        let details = null, shown = '';
        for (let e = h.nextElementSibling; e && !/^H[234]$/.test(e.tagName);
             e = e.nextElementSibling) {
            if (e.tagName === 'DETAILS') details = e; else shown += e.innerText;
        }
        return {name: h.id, level: level.id, folded: !!details && !details.open,
                whatToDoFirst: shown.indexOf('What to do') === shown.search(/What/)}; })""")
    assert entries
    assert "How serious:" not in tab.locator(".page-body").inner_text()
    for entry in entries:
        assert entry["whatToDoFirst"], entry
        assert entry["folded"] == (entry["level"] != "major"), entry


def test_folded_explanations_print_in_full(tab, base_url):
    tab.goto(base_url + "medicines/baclofen/interactions/")
    folded = tab.locator(".interaction-details > p").first
    assert not folded.is_visible()
    tab.emulate_media(media="print")
    try:
        assert folded.is_visible()
    finally:
        tab.emulate_media(media="screen")
