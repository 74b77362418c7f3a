"""The interaction checker in real headless Chromium: by mouse, by keyboard, and without
JavaScript. Also the Medicines A–Z brand names, as a reader follows them. Uses the session's
browser from tests/e2e/conftest.py (one Playwright per test run)."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import ROOT, add_medicine, write_mkdocs_config
from playwright.sync_api import expect


def build(config: Path | None, site: Path) -> Path:
    args = [sys.executable, "-m", "generator.cli.main"]
    if config is not None:
        args += ["--config", str(config)]
    result = subprocess.run(args + ["build", "--site-dir", str(site)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def serve():
    """Serve a built site over HTTP, as it is served for real; yields a function site → URL."""
    servers = []

    def start(site: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def real_url(serve, tmp_path_factory) -> str:
    return serve(build(None, tmp_path_factory.mktemp("real") / "site"))


@pytest.fixture(scope="module")
def fixture_url(serve, tmp_path_factory) -> str:
    """Two made-up medicines with no recorded interaction between them."""
    project = tmp_path_factory.mktemp("fixture")
    content = project / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "content", content)
    add_medicine(content, "placebin", classes="[]")
    return serve(build(write_mkdocs_config(project, content), project / "site"))


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == []


def test_choosing_baclofen_and_levetiracetam_shows_their_interaction(page, real_url):
    page.goto(real_url + "interactions/")
    page.get_by_label("Baclofen").check()
    page.get_by_label("Levetiracetam").check()
    page.get_by_role("button", name="Show interactions").click()
    results = page.locator("#checker-results")
    expect(results).to_be_visible()
    pair = results.locator(".checker__item", has_text="Baclofen and levetiracetam")
    expect(pair).to_contain_text("How serious: Moderate.")
    expect(pair).to_contain_text("both can make you sleepy, dizzy, or unsteady")
    expect(pair).to_contain_text("What to do: Take extra care when either dose changes.")
    expect(page.locator("#checker-status")).to_have_text(
        "1 interaction found between Baclofen and Levetiracetam. See your results below.")
    # Class rules for the chosen medicines: alcohol is serious with baclofen.
    alcohol = results.locator(".checker__item", has=page.get_by_role("heading", name="Alcohol"))
    expect(alcohol).to_contain_text("With baclofen: Serious.")
    expect(alcohol).to_contain_text("With levetiracetam: Moderate.")
    expect(results).to_contain_text("Ask your pharmacist to check everything you take")
    pair.get_by_role("link", name="Read more about baclofen and levetiracetam").click()
    expect(page.locator("h1")).to_have_text("Baclofen and levetiracetam")
    assert page.url.endswith("/interactions/baclofen-levetiracetam/")


def test_serious_and_moderate_results_differ_in_colour_icon_and_word(common_phone, real_url):
    common_phone.goto(real_url + "interactions/")
    common_phone.get_by_label("Baclofen").check()
    common_phone.get_by_label("Levetiracetam").check()
    common_phone.get_by_role("button", name="Show interactions").click()
    common_phone.locator("#checker-results").wait_for()
    looks = common_phone.evaluate("""() => Object.fromEntries(['major', 'moderate'].map(level => {
        const item = document.querySelector('.checker__item--' + level);
        const tag = item.querySelector('.severity-tag--' + level);
        return [level, {border: getComputedStyle(item).borderLeftColor,
                        word: tag.textContent,
                        background: getComputedStyle(tag).backgroundColor,
                        icon: getComputedStyle(tag, '::before').content}];
    }))""")
    serious, moderate = looks["major"], looks["moderate"]
    assert (serious["word"], moderate["word"]) == ("Serious", "Moderate")
    assert serious["border"] != moderate["border"]
    assert serious["background"] != moderate["background"]
    assert serious["icon"] != moderate["icon"] and "none" not in (serious["icon"], moderate["icon"])
    # Red and amber: far apart in hue, not two shades of one colour.
    rgb = {level: [int(v) for v in re.findall(r"\d+", looks[level]["background"])[:3]]
           for level in looks}
    assert sum(abs(a - b) for a, b in zip(rgb["major"], rgb["moderate"])) >= 150, rgb


def test_the_submit_button_stands_clear_of_the_box_of_medicines(common_phone, real_url):
    common_phone.goto(real_url + "interactions/")
    gap = common_phone.evaluate("""() =>
        document.querySelector('#checker-form button').getBoundingClientRect().top
        - document.querySelector('.checker__medicines').getBoundingClientRect().bottom""")
    assert gap >= 12, f"{gap} px between the box and the button"


def test_the_checker_works_by_keyboard_and_moves_focus_to_the_results(page, real_url):
    page.goto(real_url + "interactions/")
    page.locator("#pick-baclofen").focus()
    page.keyboard.press("Space")
    for _ in range(3):
        page.keyboard.press("Tab")
    page.keyboard.press("Space")  # gabapentin
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Show interactions")).to_be_focused()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Your results")
    expect(heading).to_be_focused()
    expect(page.locator("#checker-results")).to_contain_text("Baclofen and gabapentin")
    expect(page.get_by_label("Gabapentin")).to_be_checked()
    expect(page.get_by_role("status")).to_contain_text("1 interaction found")


def test_the_form_has_a_named_group_of_labelled_choices(page, real_url):
    page.goto(real_url + "interactions/")
    group = page.get_by_role("group", name="Which medicines do you take?")
    expect(group.get_by_role("checkbox")).to_have_count(6)
    expect(group.get_by_role("checkbox", name=re.compile(r"^Levetiracetam \(Keppra"))).to_be_visible()


def test_choosing_one_medicine_asks_for_another(page, real_url):
    page.goto(real_url + "interactions/")
    page.get_by_label("Diazepam").check()
    page.get_by_role("button", name="Show interactions").click()
    expect(page.get_by_role("status")).to_have_text("Choose at least two medicines.")
    expect(page.locator("#checker-results")).to_be_hidden()


def test_two_medicines_without_a_recorded_interaction_are_not_called_safe(page, fixture_url):
    page.goto(fixture_url + "interactions/")
    page.get_by_label("Placebin").check()
    page.get_by_label("Testofen").check()
    page.get_by_role("button", name="Show interactions").click()
    item = page.locator(".checker__item", has_text="Placebin and testofen")
    expect(item).to_contain_text(
        "No interaction between these two is recorded in this guide. That does not mean they "
        "are safe together. Ask your pharmacist to check them.")
    expect(page.get_by_role("status")).to_have_text(
        "No interactions recorded between Placebin and Testofen. See your results below.")
    text = page.locator("#checker-results").inner_text()
    assert not re.search(r"(?<!not mean they )are safe together|safe to take|no risk", text)
    # Testofen's class rule still shows: the reader is told about alcohol.
    expect(page.locator("#checker-results")).to_contain_text("With testofen: Serious.")


def test_without_javascript_the_page_shows_every_pair(browser, real_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(real_url + "interactions/")
    expect(page.locator("#checker-form")).to_be_hidden()
    table = page.locator("table")
    expect(table.locator("tbody tr")).to_have_count(15)
    row = table.locator("tr", has_text="Baclofen and levetiracetam")
    expect(row).to_contain_text("Moderate")
    expect(row.get_by_role("link")).to_have_attribute("href", "baclofen-levetiracetam/")
    context.close()


def test_a_brand_name_in_medicines_a_to_z_leads_to_its_generic(page, real_url):
    page.goto(real_url + "medicines/")
    page.get_by_role("link", name="Keppra", exact=True).click()
    expect(page.locator("h1")).to_have_text("Levetiracetam: what it is and what it is for")


def choose_baclofen_and_levetiracetam(page, real_url):
    page.goto(real_url + "interactions/")
    page.get_by_label("Baclofen").check()
    page.get_by_label("Levetiracetam").check()
    page.get_by_role("button", name="Show interactions").click()
    expect(page.locator("#checker-results")).to_be_visible()
    return page.locator("#checker-results")


def test_results_with_other_medicines_fold_to_a_line_and_serious_ones_start_open(
        common_phone, real_url):
    results = choose_baclofen_and_levetiracetam(common_phone, real_url)
    folded = results.locator("details.checker__item")
    assert folded.count() >= 5
    states = folded.evaluate_all("""boxes => boxes.map(box => ({
        open: box.open, serious: box.classList.contains('checker__item--major'),
        summary: box.querySelector('summary').innerText}))""")
    assert all(state["open"] == state["serious"] for state in states), states
    assert any(not state["open"] for state in states)
    # The line says what it is and how serious it is at worst, in words.
    levodopa = folded.filter(has=common_phone.get_by_role("heading", name="Levodopa"))
    expect(levodopa.locator("summary")).to_contain_text("Moderate")
    expect(levodopa.locator("li").first).to_be_hidden()
    levodopa.locator("summary").click()
    expect(levodopa.locator("li").first).to_be_visible()
    # Folding makes the results of the example much shorter than with all open.
    folded_height = results.bounding_box()["height"]
    folded.evaluate_all("boxes => boxes.forEach(box => { box.open = true; })")
    assert folded_height < 0.75 * results.bounding_box()["height"]


def test_every_link_in_the_results_says_where_it_goes(page, real_url):
    results = choose_baclofen_and_levetiracetam(page, real_url)
    texts = results.locator("a").evaluate_all("links => links.map(a => a.textContent.trim())")
    assert texts
    for text in texts:
        assert text.startswith(("More about ", "Read more about ")) and len(text.split()) >= 5, text
    assert "More about baclofen with alcohol" in texts


def test_with_javascript_the_table_of_every_pair_is_hidden(page, real_url):
    page.goto(real_url + "interactions/")
    expect(page.locator("#checker-form")).to_be_visible()
    expect(page.locator("table")).to_be_hidden()
    expect(page.get_by_role("heading", name="Every pair of medicines in this guide")).to_be_hidden()
    expect(page.locator('.toc a[href="#all-pairs"]')).to_be_hidden()
