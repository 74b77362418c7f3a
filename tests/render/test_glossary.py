"""The glossary: loaded and checked like any content, listed on its own page, and each word
explained where a page first uses it."""

from __future__ import annotations

import xml.etree.ElementTree as etree

import markdown
import pytest
from conftest import ROOT, TEMPLATES, edit

from generator.build.pipeline import build_site
from generator.content.loader import load_catalog
from generator.content.pages import term_id
from generator.model.records import GlossaryTerm
from generator.render.glossary import GlossaryExtension

TERMS = [
    GlossaryTerm(term="prescriber", definition="The person who orders your medicine.",
                 also=["prescribers"]),
    GlossaryTerm(term="off-label", definition="Not in the official approval."),
    GlossaryTerm(term="spinal cord", definition="The nerves in your backbone."),
    GlossaryTerm(term="label", definition="The printed information."),
]


def render(text: str, page: str = "medicines/testofen/index.md", terms=TERMS) -> str:
    extension = GlossaryExtension(terms)
    extension.page_src_uri = page
    return markdown.markdown(text, extensions=["md_in_html", extension])


def buttons(html: str) -> list[tuple[str, str]]:
    """(word as shown, popover it opens) for each glossary button."""
    root = etree.fromstring(f"<root>{html}</root>")
    return [("".join(b.itertext()).replace(" (what this means)", ""), b.get("popovertarget"))
            for b in root.iter("button") if b.get("class") == "term"]


def test_the_first_use_of_a_word_on_a_page_is_explained():
    html = render("Ask your prescriber. Your prescriber knows.\n\nPrescribers help.")
    assert buttons(html) == [("prescriber", "define-prescriber")]
    assert html.count('id="define-prescriber"') == 1
    assert '<span class="term-definition__text">The person who orders your medicine.</span>' \
        in html


def test_other_forms_of_a_word_count_as_the_word():
    assert buttons(render("Prescribers help. Ask your prescriber.")) == [
        ("Prescribers", "define-prescriber")]


def test_whole_words_only_longest_first_and_any_case():
    html = render("Off-label use is fine. The label says so. Prescriberless is not a word. "
                  "Your SPINAL CORD is safe.")
    assert buttons(html) == [("Off-label", "define-off-label"), ("label", "define-label"),
                             ("SPINAL CORD", "define-spinal-cord")]


def test_headings_links_and_code_are_left_alone():
    html = render("## Your prescriber\n\n[prescriber](other.md) and `prescriber`\n\n"
                  "Then the prescriber.")
    assert buttons(html) == [("prescriber", "define-prescriber")]
    assert "<h2>Your prescriber</h2>" in html
    root = etree.fromstring(f"<root>{html}</root>")
    assert root.find("p[2]/button") is not None  # the plain-text use, not the link


def test_words_inside_emphasis_and_lists_are_explained_once():
    html = render("- **Ask your prescriber** now\n- then the off-label prescriber")
    assert buttons(html) == [("prescriber", "define-prescriber"),
                             ("off-label", "define-off-label")]
    assert "now" in html and "then the " in html


def test_the_card_links_to_the_glossary_relative_to_the_page():
    assert 'href="../../glossary.md#prescriber"' in render("prescriber")
    assert 'href="glossary.md#prescriber"' in render("prescriber", page="about.md")


def test_a_word_scoped_to_pump_medicines_is_explained_only_on_their_pages():
    refill = GlossaryTerm(term="pump refill", also=["refill"], scope="pump_medicines",
                          definition="Putting more medicine into a pump.")
    extension = GlossaryExtension([*TERMS, refill], pump_medicines=frozenset({"testofen"}))
    text = "Ask your prescriber about a refill."
    for medicine, explained in [("testofen", True), ("tabletofen", False), (None, False)]:
        extension.page_medicine = medicine
        html = markdown.markdown(text, extensions=[extension])
        assert [popover for _, popover in buttons(html)] == (
            ["define-prescriber", "define-pump-refill"] if explained else ["define-prescriber"])


def test_a_page_can_turn_the_definitions_off():
    extension = GlossaryExtension(TERMS)
    extension.enabled = False
    assert "button" not in markdown.markdown("Ask your prescriber.", extensions=[extension])


def test_the_definition_card_is_a_popover_closed_by_its_own_button():
    root = etree.fromstring(f"<root>{render('Ask your prescriber.')}</root>")
    card = root.find(".//span[@id='define-prescriber']")
    assert card.get("popover") == ""
    assert card.get("data-pagefind-ignore") == "all"
    close = card.find("button")
    assert (close.text, close.get("popovertarget"), close.get("popovertargetaction")) == (
        "Close", "define-prescriber", "hide")


def test_term_ids_are_anchor_safe():
    assert [term_id(t) for t in ["off-label", "GABA", "spinal cord", "Côte"]] == [
        "off-label", "gaba", "spinal-cord", "c-te"]


def test_the_glossary_page_lists_every_term_alphabetically(content):
    result = build_site(content, TEMPLATES)
    assert result.ok, result.problems.errors
    page = next(p for p in result.pages if p.src_uri == "glossary.md")
    assert {"Glossary": "glossary.md"} in result.nav
    order = [line for line in page.markdown.splitlines() if line.startswith("<dt")]
    assert order == ['<dt id="gaba">GABA</dt>', '<dt id="off-label">Off-label</dt>',
                     '<dt id="prescriber">Prescriber</dt>', '<dt id="pump">Pump</dt>']
    assert "glossary_links: false" in page.markdown


def test_a_site_without_a_glossary_has_no_glossary_page(content):
    (content / "glossary.yaml").unlink()
    result = build_site(content, TEMPLATES)
    assert result.ok
    assert "glossary.md" not in {p.src_uri for p in result.pages}


@pytest.mark.parametrize("old,new,message", [
    ("  - term: pump\n", "  - term: Prescriber\n",
     "glossary.yaml:6:11: terms[1].term: 'Prescriber' is already in the glossary "
     "(under 'prescriber')"),
    ("    also: [pumps]\n", "    also: [pumps, prescribers]\n",
     "glossary.yaml:7:19: terms[1].also[1]: 'prescribers' is already in the glossary "
     "(under 'prescriber')"),
    ("A calming chemical in the brain.", "A <b>calming</b> chemical.",
     "glossary.yaml:12:17: terms[3].definition: raw HTML is not allowed in content"),
    ("    definition: A calming chemical in the brain.\n", "",
     "glossary.yaml:11:5: terms[3].definition: required field is missing"),
])
def test_glossary_mistakes_are_reported_with_file_and_line(content, old, new, message):
    edit(content / "glossary.yaml", old, new)
    result = build_site(content, TEMPLATES)
    assert not result.ok
    problems = [str(p).replace(f"{content}/", "") for p in result.problems.errors]
    assert any(p.startswith(message) for p in problems), problems


def test_the_real_glossary_is_valid_and_plain():
    catalog, problems = load_catalog(ROOT / "content")
    assert not problems.errors
    terms = catalog.glossary.terms
    assert 15 <= len(terms) <= 30
    for word in ["spasticity", "intrathecal", "withdrawal", "taper", "prescriber", "sedative",
                 "off-label", "overdose", "seizure", "GABA", "dose", "pump", "reservoir"]:
        assert word in {t.term for t in terms}, word
