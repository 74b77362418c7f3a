"""A keyboard user reaches every page from Home with Tab and Enter, always seeing where the
focus is; the skip link takes them straight to the content."""

from __future__ import annotations

from .conftest import ALL_PAGES, SEARCH_PAGE, site_path

# The 404 page is shown only for a wrong address; no link should lead there.
NOT_LINKED = {"404.html"}
MAX_TABS = 400

FOCUS_STATE = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return null;
    const style = getComputedStyle(e);
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
        || style.boxShadow !== 'none';
    const box = e.getBoundingClientRect();
    return {tag: e.tagName.toLowerCase(), href: e.tagName === 'A' ? e.href : null,
            text: (e.textContent || e.value || '').trim().slice(0, 40),
            visible: visible, shown: box.width > 0 && box.height > 0};
}"""


def tab_through(page) -> list[dict]:
    """Every element Tab reaches, in order, from the top of the page to the end."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None or (seen and state == seen[0]):
            break
        seen.append(state)
    else:
        raise AssertionError(f"Tab never left the page after {MAX_TABS} presses")
    return seen


def tab_to(page, selector: str) -> int:
    """Press Tab until `selector` has the focus; returns how many presses it took."""
    for presses in range(1, 50):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"Tab never reached {selector}")


def test_every_page_is_reachable_by_keyboard_from_home(browser, base_url, report):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    reached, queue, invisible, stops = {""}, [""], [], 0
    while queue:
        url = queue.pop(0)
        page.goto(base_url + url)
        focusable = tab_through(page)
        stops += len(focusable)
        for state in focusable:
            if not (state["visible"] and state["shown"]):
                invisible.append(f"/{url}: {state['tag']} {state['text']!r}")
            target = site_path(state["href"], base_url) if state["href"] else None
            if target is not None:
                target = target.split("#")[0]
                if target not in reached:
                    reached.add(target)
                    queue.append(target)
    # The Search page is reached by typing in the search box on any page and pressing Enter.
    page.goto(base_url)
    tab_to(page, "#site-search-q")
    page.keyboard.type("pump")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=pump")
    reached.add(site_path(page.url, base_url).split("?")[0])
    context.close()
    report["keyboard"] = {"pages_reached": len(reached), "tab_stops_checked": stops}
    assert invisible == [], "focus not visible on:\n" + "\n".join(invisible)
    assert sorted(set(ALL_PAGES) - NOT_LINKED - reached) == []
    assert SEARCH_PAGE in reached


def test_the_skip_link_is_first_and_moves_focus_to_the_content(page, base_url):
    page.goto(base_url + "medicines/baclofen/side-effects/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert skip.is_visible() and skip.bounding_box()["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"
    page.keyboard.press("Tab")
    # Next stop is inside the main content (the breadcrumbs), not the header.
    assert page.evaluate("document.activeElement.closest('main') !== null")


def accessibility_node(page, selector: str) -> dict:
    """What Chromium tells screen readers about the first element matching `selector`."""
    cdp = page.context.new_cdp_session(page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    [ax] = cdp.send("Accessibility.getPartialAXTree",
                    {"nodeId": node, "fetchRelatives": False})["nodes"]
    properties = {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}
    return {"role": ax["role"]["value"], "name": ax["name"]["value"], **properties}


def test_a_glossary_word_opens_and_closes_with_the_keyboard(page, base_url):
    page.goto(base_url + "medicines/baclofen/")
    term = page.locator("main button.term").first
    card = page.locator("#" + term.get_attribute("popovertarget"))
    word = term.evaluate("e => e.firstChild.textContent")
    before = accessibility_node(page, "main button.term")
    assert before["role"] == "button" and before["expanded"] is False
    assert before["name"] == f"{word} (what this means)"
    term.focus()
    assert not card.is_visible()
    page.keyboard.press("Enter")
    assert card.is_visible()
    assert accessibility_node(page, "main button.term")["expanded"] is True
    # The card's link and Close button come next in the Tab order.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "term-definition__more"
    page.keyboard.press("Escape")
    assert not card.is_visible()
