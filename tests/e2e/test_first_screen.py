"""On a 390×844 phone every page of a medicine shows its title and the first sentence of its
answer on the first screen: the header is one row and search, the navigation and "On this
page" fold away (without JavaScript too), the medicine's own pages are one line near the top,
and the warning is a one-line strip except on the overview and "Stopping safely"."""

from __future__ import annotations

import pytest

from .conftest import ALL_PAGES, COMMON_PHONE, DESKTOP

MEDICINE_PAGES = [url for url in ALL_PAGES
                  if url.startswith("medicines/") and url.count("/") >= 2]
SCREEN = COMMON_PHONE["height"]

# The frame around an answer: what comes before it on the page but is not it.
FRAME = ".banner, .boxed-warning, .warning-strip, .toc, .page-tools"

POSITIONS = """(frame) => {
    const body = document.querySelector('.page-body');
    const title = body.querySelector('h1');
    const after = e => title.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING;
    const answer = e => after(e) && !e.closest(frame) && e.checkVisibility()
        && e.textContent.trim();
    const sentence = [...body.querySelectorAll('p, li')].find(answer);
    const heading = [...body.querySelectorAll('h2')].find(answer);
    const top = e => e ? e.getBoundingClientRect().top + window.scrollY : null;
    return {
        titleBottom: title.getBoundingClientRect().bottom + window.scrollY,
        heading: top(heading),
        sentence: top(sentence),
        // The first line of the sentence must be whole on the screen, not just its top edge.
        sentenceFirstLineBottom: sentence ? top(sentence) + parseFloat(
            getComputedStyle(sentence).lineHeight) : null,
        text: sentence ? sentence.textContent.trim().slice(0, 80) : null,
        pageLength: document.documentElement.scrollHeight,
    };
}"""


def test_every_page_of_every_medicine_is_measured():
    slugs = {url.split("/")[1] for url in MEDICINE_PAGES}
    assert len(slugs) == 6, slugs
    assert len(MEDICINE_PAGES) >= 6 * 7


@pytest.mark.parametrize("url", MEDICINE_PAGES)
def test_title_and_first_sentence_are_on_the_first_phone_screen(common_phone, base_url,
                                                                report, url):
    common_phone.goto(base_url + url)
    assert common_phone.viewport_size == COMMON_PHONE
    found = common_phone.evaluate(POSITIONS, FRAME)
    report.setdefault("first_screen_390x844", {})[url] = found
    assert found["sentence"] is not None, "no answer text found"
    assert found["titleBottom"] <= SCREEN, found
    assert found["sentence"] < SCREEN, f"first sentence starts at {found['sentence']:.0f}px"
    assert found["sentenceFirstLineBottom"] <= SCREEN, found


def visible_links(page, selector: str) -> list[str]:
    return page.evaluate("""s => [...document.querySelectorAll(s + ' a')]
        .filter(a => a.checkVisibility()).map(a => a.textContent.trim())""", selector)


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(viewport=COMMON_PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_the_phone_menu_opens_without_javascript_by_touch_and_keyboard(
        phone_without_javascript, base_url):
    page = phone_without_javascript
    page.goto(base_url + "medicines/baclofen/")
    menu = page.locator(".site-menu__button")
    assert menu.is_visible() and menu.inner_text().strip() == "Menu"
    assert visible_links(page, ".site-nav") == []
    menu.tap()
    assert "Medicines A–Z" in visible_links(page, ".site-nav")
    # The open menu pushes the search down, not over the page.
    nav = page.locator(".site-nav").bounding_box()
    search = page.locator(".site-search").bounding_box()
    assert nav["y"] + nav["height"] <= search["y"]
    menu.focus()
    page.keyboard.press("Enter")
    assert visible_links(page, ".site-nav") == []
    page.keyboard.press("Enter")
    assert len(visible_links(page, ".site-nav")) >= 5


def test_on_a_phone_the_medicine_pages_and_on_this_page_fold_to_one_line(
        phone_without_javascript, base_url):
    page = phone_without_javascript
    page.goto(base_url + "medicines/baclofen/side-effects/")
    guide = page.locator(".medicine-nav__summary")
    assert guide.inner_text().strip() == "Baclofen guide: 8 pages"
    assert guide.bounding_box()["y"] + guide.bounding_box()["height"] < 300
    assert guide.bounding_box()["height"] <= 60
    assert visible_links(page, ".medicine-nav") == []
    guide.tap()
    assert visible_links(page, ".medicine-nav") == [
        "Overview", "How to take it", "Side effects", "Missed or extra doses",
        "Stopping safely", "Pump care", "Interactions", "Other safety information"]
    assert page.locator('.medicine-nav [aria-current="page"]').inner_text() == "Side effects"
    assert visible_links(page, ".toc") == []
    page.locator(".toc__summary").tap()
    assert len(visible_links(page, ".toc")) >= 2


def test_on_a_desktop_nothing_is_folded(browser, base_url):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "medicines/baclofen/side-effects/")
    assert not page.locator(".site-menu__button").is_visible()
    assert len(visible_links(page, ".site-nav")) >= 5
    assert len(visible_links(page, ".toc")) >= 2
    assert page.locator(".toc__heading").is_visible()
    assert not page.locator(".medicine-nav").is_visible()
    assert len(visible_links(page, ".sidebar")) == 8
    context.close()


@pytest.mark.parametrize("url", [u for u in MEDICINE_PAGES if u.startswith("medicines/baclofen/")])
def test_the_warning_is_in_full_on_two_pages_and_a_strip_linking_to_it_elsewhere(
        common_phone, base_url, url):
    common_phone.goto(base_url + url)
    box, strip = common_phone.locator(".boxed-warning"), common_phone.locator(".warning-strip")
    if url.endswith(("baclofen/", "/stopping-safely/")):
        assert box.count() == 1 and box.is_visible() and strip.count() == 0
        assert "Do not stop baclofen suddenly" in box.inner_text()
    else:
        assert box.count() == 0 and strip.count() == 1
        assert "FDA boxed warning for the baclofen pump" in strip.inner_text()
        assert strip.bounding_box()["height"] <= 110  # about three lines at most
        common_phone.get_by_role("link", name="Read the warning").click()
        common_phone.wait_for_url("**/stopping-safely/#boxed-warning")
        assert common_phone.locator("#boxed-warning").is_visible()
