"""axe-core (from npm, pinned in package-lock.json) finds no WCAG 2.2 AA problem on any page,
on a desktop screen and on a phone, nor in the states that only exist after a click."""

from __future__ import annotations

import pytest

from .conftest import ALL_PAGES, DESKTOP, NODE_MODULES, PHONE, SEARCH_PAGE, StaticServer

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture(scope="module")
def axe_url() -> str:
    """axe-core served over HTTP, so Chromium caches its compiled code between pages."""
    assert AXE.exists(), "axe-core is missing: `make test` runs `npm ci`"
    with StaticServer(AXE.parent) as server:
        yield server.url + AXE.name


@pytest.fixture(scope="module")
def screens(browser) -> dict:
    """One tab per screen size, reused page after page."""
    contexts = {"desktop": browser.new_context(viewport=DESKTOP),
                "phone": browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)}
    yield {name: context.new_page() for name, context in contexts.items()}
    for context in contexts.values():
        context.close()


# The lowest WCAG contrast ratio of any text in an element against the background behind it.
LOWEST_CONTRAST = """card => {
    const rgba = c => c.match(/[\\d.]+/g).map(Number);
    const lum = c => {
        const [r, g, b] = rgba(c).slice(0, 3).map(v => { v /= 255;
            return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const background = e => {
        for (let n = e; n; n = n.parentElement) {
            const c = getComputedStyle(n).backgroundColor;
            if (rgba(c).length < 4 || rgba(c)[3] > 0) return c;
        }
        return 'rgb(255, 255, 255)';
    };
    const texts = [card, ...card.querySelectorAll('*')].filter(e =>
        [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
    return Math.min(...texts.map(e => {
        const fg = lum(getComputedStyle(e).color), bg = lum(background(e));
        return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    }));
}"""


def run_axe(page, axe_url: str) -> dict:
    page.add_script_tag(url=axe_url)
    # resultTypes: full details for violations only (passes are still counted).
    return page.evaluate("""tags => axe.run(document, {
        runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})""", TAGS)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def record(report, url: str, screen: str, results: dict) -> None:
    figures = report.setdefault("axe", {"tags": TAGS, "pages": {}})
    figures["pages"][f"{screen} /{url}"] = {
        "violations": len(results["violations"]),
        "rules_passed": len(results["passes"]),
        "needs_review": [item["id"] for item in results["incomplete"]],
    }


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("url", ALL_PAGES)
def test_page_has_no_accessibility_violations(screens, axe_url, base_url, report, url, screen):
    page = screens[screen]
    page.goto(base_url + url)
    results = run_axe(page, axe_url)
    record(report, url, screen, results)
    assert results["passes"], "axe ran no rule: the page did not load"
    assert results["violations"] == [], describe(results["violations"])


def test_search_results_have_no_accessibility_violations(page, axe_url, base_url, report):
    page.goto(f"{base_url}{SEARCH_PAGE}?q=missed+dose")
    page.locator(".search-result").first.wait_for()
    results = run_axe(page, axe_url)
    record(report, SEARCH_PAGE + "?q=missed+dose", "desktop", results)
    assert results["violations"] == [], describe(results["violations"])


def test_an_open_glossary_definition_has_no_accessibility_violations(page, axe_url, base_url,
                                                                      report):
    page.goto(base_url + "medicines/baclofen/")
    page.locator("button.term").first.click()
    page.locator(".term-definition:popover-open").wait_for()
    results = run_axe(page, axe_url)
    record(report, "medicines/baclofen/ (glossary definition open)", "desktop", results)
    assert results["violations"] == [], describe(results["violations"])


def test_glossary_cards_opened_inside_care_boxes_have_no_violations(page, axe_url, base_url,
                                                                    site_dir, report):
    """A card opened from a coloured box must not inherit the box's colours."""
    opened = []
    for path in sorted(site_dir.rglob("index.html")):
        url = str(path.parent.relative_to(site_dir)) + "/"
        url = "" if url == "./" else url
        html = path.read_text(encoding="utf-8")
        if 'class="term"' not in html or "care--" not in html:
            continue
        page.goto(base_url + url)
        for term in page.locator(".care button.term").all():
            term.click()
            card = page.locator("#" + term.get_attribute("popovertarget"))
            card.wait_for()
            results = run_axe(page, axe_url)
            assert results["violations"] == [], f"/{url} {term.inner_text()}:\n" + describe(
                results["violations"])
            # axe cannot see the background of the top layer (it reports "needs review"), so
            # the card's own colours are measured here.
            assert card.evaluate(LOWEST_CONTRAST) >= 4.5, f"/{url} {term.inner_text()}"
            page.keyboard.press("Escape")
            opened.append(url)
    report.setdefault("axe", {}).setdefault("cards_in_care_boxes_checked", len(opened))
    assert opened, "no glossary word inside a care box to check"


def test_checker_results_have_no_accessibility_violations_on_a_phone(common_phone, axe_url,
                                                                     base_url, report):
    common_phone.goto(base_url + "interactions/")
    common_phone.get_by_label("Baclofen").check()
    common_phone.get_by_label("Levetiracetam").check()
    common_phone.get_by_role("button", name="Show interactions").click()
    common_phone.locator(".severity-tag").first.wait_for()
    results = run_axe(common_phone, axe_url)
    record(report, "interactions/ (baclofen and levetiracetam checked)", "phone 390", results)
    assert results["violations"] == [], describe(results["violations"])
    for tag in common_phone.locator(".severity-tag").all():
        assert tag.evaluate(LOWEST_CONTRAST) >= 4.5, tag.inner_text()


def test_the_checker_catches_a_real_problem(page, axe_url, base_url):
    """Guards the guard: the same run flags low contrast and an unlabelled field."""
    page.goto(base_url)
    page.evaluate("""() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
            '<p style="color:#bbb;background:#fff">Faint text</p><input type="text">');
    }""")
    found = {violation["id"] for violation in run_axe(page, axe_url)["violations"]}
    assert {"color-contrast", "label"} <= found
