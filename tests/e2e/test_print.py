"""Printing a page: no navigation or search on paper, link addresses printed, care boxes kept
whole, and the page fits US Letter and A4."""

from __future__ import annotations

import pytest

MM = 96 / 25.4  # CSS pixels per millimetre
# Printable width: paper width less the stylesheet's 14 mm side margins.
PAPER_WIDTHS = {"letter": round((215.9 - 28) * MM), "a4": round((210 - 28) * MM)}
HIDDEN_ON_PAPER = [".site-nav", ".site-search", ".sidebar", ".breadcrumbs", ".toc",
                   ".medicine-pages", ".print-button", ".skip-link", ".site-footer nav"]


@pytest.fixture
def printed(page, base_url):
    page.goto(base_url + "medicines/baclofen/")
    page.emulate_media(media="print")
    return page


def test_print_hides_navigation_and_search(printed):
    for selector in HIDDEN_ON_PAPER:
        assert printed.locator(selector).count() > 0, selector
        assert not printed.locator(selector).first.is_visible(), selector
    assert printed.locator("h1").is_visible()
    assert printed.locator(".care--emergency").first.is_visible()
    assert printed.locator(".boxed-warning").is_visible()
    assert printed.locator(".print-only").is_visible()  # the page's own address


def test_print_shows_link_addresses(printed):
    after = printed.evaluate("""() => {
        const link = document.querySelector('.boxed-warning a[href$="stopping-safely/"]');
        return getComputedStyle(link, '::after').content;
    }""")
    assert "https://medguide.example.org/medicines/baclofen/stopping-safely/" in after


def test_print_keeps_care_boxes_whole(printed):
    for selector in [".care", ".boxed-warning", ".review"]:
        assert printed.locator(selector).first.evaluate(
            "e => getComputedStyle(e).breakInside") == "avoid", selector


@pytest.mark.parametrize("paper", sorted(PAPER_WIDTHS))
def test_print_fits_letter_and_a4(browser, base_url, paper):
    context = browser.new_context(viewport={"width": PAPER_WIDTHS[paper], "height": 1000})
    page = context.new_page()
    page.goto(base_url + "medicines/baclofen/how-to-take/")
    page.emulate_media(media="print")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    pdf = page.pdf(format=paper.capitalize() if paper == "letter" else "A4")
    context.close()
    assert overflow <= 0
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type/Page") >= 1


def test_print_button_prints_and_is_hidden_without_javascript(browser, base_url):
    context = browser.new_context()
    page = context.new_page()
    page.goto(base_url + "medicines/baclofen/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print this page").click()
    assert page.evaluate("window.printed") is True
    context.close()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "medicines/baclofen/")
    assert page.locator(".print-button").count() == 1
    assert not page.locator(".print-button").is_visible()
    context.close()
