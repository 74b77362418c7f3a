"""On a phone: no sideways scrolling, large type, one column. Screenshots for people to look at."""

from __future__ import annotations

import pytest

from .conftest import ALL_PAGES, ARTIFACTS, COMMON_PHONE, DESKTOP, PHONE

SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture(scope="module")
def phone_tab(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_sideways_scrolling_at_360_pixels(phone_tab, base_url, url):
    phone_tab.goto(base_url + url)
    widths = phone_tab.evaluate("""() => ({
        viewport: window.innerWidth,
        page: document.documentElement.scrollWidth,
        wide: [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))
            .slice(0, 5)})""")
    assert widths["viewport"] == 360
    assert widths["page"] <= 360, f"wider than the screen: {widths['wide']}"


@pytest.mark.parametrize("url", ["", "medicines/baclofen/", "medicines/baclofen/side-effects/",
                                 "glossary/"])
def test_phone_text_is_at_least_18px_in_one_column(phone_tab, base_url, url):
    phone_tab.goto(base_url + url)
    layout = phone_tab.evaluate("""() => {
        const main = document.querySelector('main').getBoundingClientRect();
        const sizes = [...document.querySelectorAll('main p, main li')]
            .filter(e => e.offsetParent !== null && e.textContent.trim())
            .map(e => parseFloat(getComputedStyle(e).fontSize));
        const side = document.querySelector('.sidebar');
        return {mainLeft: main.left, mainWidth: main.width, smallest: Math.min(...sizes),
                bodySize: parseFloat(getComputedStyle(document.body).fontSize),
                sidebarShown: side ? side.offsetParent !== null : false};
    }""")
    assert layout["bodySize"] >= 18
    assert layout["smallest"] >= 18
    assert layout["mainWidth"] >= 360 - 2 * 20, "main content is not the full width"
    assert not layout["sidebarShown"], "a second column on a phone"


def test_a_to_z_jump_letters_sit_in_a_row_that_wraps_on_a_phone(common_phone, base_url):
    common_phone.goto(base_url + "medicines/")
    letters = common_phone.evaluate("""() => [...document.querySelectorAll('.toc__list a')]
        .map(a => { const box = a.getBoundingClientRect();
                    return {text: a.textContent.trim(), top: Math.round(box.top),
                            width: box.width, height: box.height}; })""")
    assert len(letters) >= 10 and all(len(letter["text"]) == 1 for letter in letters)
    rows = {letter["top"] for letter in letters}
    assert len(rows) <= 2, f"{len(letters)} letters on {len(rows)} rows"
    # Each letter stays an easy target (WCAG 2.5.8 asks for 24 by 24 pixels).
    assert min(min(letter["width"], letter["height"]) for letter in letters) >= 24


def test_desktop_shows_the_medicine_pages_beside_the_text(page, base_url):
    page.goto(base_url + "medicines/baclofen/")
    main = page.locator("main").bounding_box()
    sidebar = page.locator(".sidebar").bounding_box()
    assert sidebar is not None and sidebar["x"] >= main["x"] + main["width"]


# Every kind of page, for people to look at: the whole page, and what a 390×844 phone shows
# first.
SCREENSHOT_PAGES = [("home", ""), ("medicines-a-z", "medicines/"), ("checker", "interactions/"),
                    ("pair-baclofen-levetiracetam", "interactions/baclofen-levetiracetam/"),
                    ("glossary", "glossary/"), ("search", "search/")] + [
    ("baclofen-" + (url.split("/")[2] or "overview"), url) for url in ALL_PAGES
    if url.startswith("medicines/baclofen/")]


@pytest.mark.parametrize("name,url", SCREENSHOT_PAGES)
@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_screenshots_for_people_to_look_at(browser, base_url, name, url, screen):
    context = browser.new_context(viewport=COMMON_PHONE if screen == "phone" else DESKTOP,
                                  device_scale_factor=2 if screen == "phone" else 1,
                                  is_mobile=screen == "phone", has_touch=screen == "phone")
    page = context.new_page()
    page.goto(base_url + url)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{screen}.png"
    page.screenshot(path=str(path), full_page=True)
    first = SCREENSHOTS / f"{name}-{screen}-first-screen.png"
    page.screenshot(path=str(first))
    context.close()
    assert path.stat().st_size > 20_000  # a real picture, not a blank page
    assert first.stat().st_size > 20_000
