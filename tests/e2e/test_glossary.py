"""Glossary words, on a phone: tap the word, read the meaning, close it."""

from __future__ import annotations

import yaml

from .conftest import ROOT


def definitions() -> dict[str, str]:
    data = yaml.safe_load((ROOT / "content" / "glossary.yaml").read_text(encoding="utf-8"))
    return {entry["term"]: " ".join(entry["definition"].split()) for entry in data["terms"]}


def test_tapping_a_word_shows_its_meaning(phone, base_url):
    phone.goto(base_url + "medicines/baclofen/")
    term = phone.locator("main button.term").first
    card = phone.locator("#" + term.get_attribute("popovertarget"))
    term.tap()
    assert card.is_visible()
    name = card.locator(".term-definition__term").inner_text()
    text = card.locator(".term-definition__text").inner_text()
    assert definitions()[name[:1].lower() + name[1:]] == text or definitions()[name] == text
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # fits the phone screen
    card.get_by_role("button", name="Close").tap()
    assert not card.is_visible()


def test_each_word_is_explained_once_per_page(page, base_url):
    page.goto(base_url + "medicines/baclofen/stopping-safely/")
    targets = page.locator("main button.term").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('popovertarget'))")
    assert targets and len(targets) == len(set(targets))


def test_the_glossary_page_lists_every_word(page, base_url):
    page.goto(base_url + "glossary/")
    words = page.locator(".glossary dt").all_inner_texts()
    assert sorted(w.lower() for w in words) == sorted(t.lower() for t in definitions())
    assert page.locator("main button.term").count() == 0  # no word explained on its own page
