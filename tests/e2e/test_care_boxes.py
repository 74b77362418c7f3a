"""Urgent advice impossible to miss, and said once: every page of a medicine has exactly one
emergency box, no sign twice in it; "Stopping safely" lists the signs of withdrawal once;
"Pump care" starts with what can kill (the alarm, withdrawal and too much medicine, infection,
a missed refill) before routine refill visits. Read from the real site in Chromium."""

from __future__ import annotations

import pytest

from .conftest import ALL_PAGES, DESKTOP, ROOT, build_site

MEDICINE_PAGES = [url for url in ALL_PAGES
                  if url.startswith("medicines/") and url.count("/") >= 2]
RECORDS = {source.slug: source.record
           for source in build_site(ROOT / "content", ROOT / "templates").catalog.medicines}


@pytest.fixture(scope="module")
def tab(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def box_items(tab) -> list[str]:
    return tab.locator(".care--emergency li").evaluate_all(
        "items => items.map(li => li.textContent.trim())")


@pytest.mark.parametrize("url", MEDICINE_PAGES)
def test_every_medicine_page_has_one_emergency_box_with_no_sign_twice(tab, base_url, url):
    tab.goto(base_url + url)
    assert tab.locator(".care--emergency").count() == 1
    items = box_items(tab)
    assert items and len(items) == len(set(items)), items
    assert "911" in tab.locator(".care--emergency").inner_text()


# Lists that are not advice: navigation, sources, review status, disclaimers.
NOT_ADVICE = "nav, .toc, .review, .disclaimers, .footnote, .handouts"
REPEATED_ITEMS = """(notAdvice) => {
    const seen = {};
    for (const li of document.querySelectorAll('.page-body li')) {
        if (li.closest(notAdvice)) continue;
        const words = li.cloneNode(true);
        words.querySelectorAll('.term-definition, .visually-hidden, sup').forEach(e => e.remove());
        const text = words.textContent.replace(/\\s+/g, ' ').trim();
        seen[text] = (seen[text] || 0) + 1;
    }
    return Object.entries(seen).filter(([, n]) => n > 1);
}"""


@pytest.mark.parametrize("url", [url for url in MEDICINE_PAGES
                                 if url.endswith(("/stopping-safely/", "/pump-care/"))])
def test_no_sign_or_piece_of_advice_is_listed_twice_on_a_page(tab, base_url, url):
    tab.goto(base_url + url)
    assert tab.evaluate(REPEATED_ITEMS, NOT_ADVICE) == []


@pytest.mark.parametrize("slug", [slug for slug in sorted(RECORDS)
                                  if RECORDS[slug].stopping.get_help_if])
def test_stopping_safely_lists_the_signs_then_the_box_that_says_which_need_911(tab, base_url,
                                                                            slug):
    tab.goto(base_url + f"medicines/{slug}/stopping-safely/")
    stopping = RECORDS[slug].stopping
    assert len(box_items(tab)) == len(stopping.get_help_if)
    last_heading = tab.evaluate("""() => {
        const box = document.querySelector('.care--emergency');
        const headings = [...document.querySelectorAll('main h2')]
            .filter(h => h.compareDocumentPosition(box) & Node.DOCUMENT_POSITION_FOLLOWING);
        return headings[headings.length - 1].textContent.trim(); }""")
    assert last_heading == ("Signs that your body misses the medicine" if stopping.symptoms
                            else "How to stop safely")
    signs = tab.locator("h2:has-text('Signs that your body misses') + ul > li")
    assert signs.count() == len(stopping.symptoms)


def test_pump_care_starts_with_what_can_kill(tab, base_url):
    tab.goto(base_url + "medicines/baclofen/pump-care/")
    headings = tab.locator("main .page-body h2").evaluate_all(
        "hs => hs.map(h => h.textContent.replace('Urgent: ', '').replace('Emergency: ', '')"
        ".trim())")
    order = ["If the pump alarm sounds", "Call 911 or go to the emergency room if…",
             "Signs of infection at the pump site", "If you miss or cannot get to a refill",
             "Refill appointments"]
    assert [h for h in headings if h in order] == order, headings
    # The content comes first too: after the title and what a pump is, the alarm.
    first_box = tab.locator(".page-body .care").first
    assert first_box.locator("h2").inner_text().endswith("If the pump alarm sounds")
    headache = tab.locator(".page-body li:has-text('A headache with fever, or a stiff neck')")
    refills = tab.locator(".page-body h2:has-text('Refill appointments')")
    assert headache.bounding_box()["y"] < refills.bounding_box()["y"]
    # Withdrawal and too much medicine share the one emergency box.
    emergency = tab.locator(".care--emergency").inner_text()
    assert "Your heart beats very fast." in emergency
    assert "Breathes slowly or shallowly." in emergency
