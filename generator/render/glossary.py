"""The glossary: plain definitions of medical words, shown on their own page and where a page
first uses a word.

The inline definition is a native HTML popover: a `<button popovertarget>` around the word opens
a small card with the definition. It needs no script, works with a keyboard (Enter or Space opens
it, Escape closes it), with touch (tap opens it, tapping outside or "Close" closes it) and with
screen readers (a button that reports expanded or collapsed, with the card right after it in
reading order). A `title` tooltip or `<abbr>` would do none of that on a phone.
"""

from __future__ import annotations

import posixpath
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from generator.content.pages import GLOSSARY_URI, term_id
from generator.model.records import GlossaryScope, GlossaryTerm

# Words inside these elements are never annotated: headings are read out of context (in the
# "On this page" list and by screen readers), and a button cannot go inside a link or button.
SKIP_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6", "a", "button", "code", "pre", "kbd", "samp",
             "sup", "abbr", "dfn", "nav", "script", "style", "svg", "title", "label"}
SKIP_CLASSES = {"glossary", "footnote", "term-definition"}



@dataclass(frozen=True)
class Matcher:
    """Finds glossary words in text: whole words, longest first, any letter case."""

    pattern: re.Pattern
    by_form: dict[str, GlossaryTerm]

    @classmethod
    def for_terms(cls, terms: list[GlossaryTerm]) -> "Matcher | None":
        by_form = {form.casefold(): term for term in terms for form in term.forms}
        if not by_form:
            return None
        forms = sorted(by_form, key=lambda f: (-len(f), f))
        pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])",
                             re.IGNORECASE)
        return cls(pattern, by_form)

    def first(self, text: str, start: int, exclude: set[str]) -> tuple[re.Match, GlossaryTerm] | None:
        for match in self.pattern.finditer(text, start):
            term = self.by_form[match.group(1).casefold()]
            if term.term not in exclude:
                return match, term
        return None


class GlossaryExtension(Extension):
    """Python-Markdown extension that defines each glossary word where a page first uses it.

    The MkDocs plugin sets `page_src_uri` before each page is rendered (pages render one at a
    time), so the link to the Glossary page is relative to that page, and `enabled` to False on
    pages that must not be annotated (the Glossary itself, Search).
    """

    def __init__(self, terms: list[GlossaryTerm], pump_medicines: frozenset[str] = frozenset()):
        super().__init__()
        self.terms = terms
        self.matcher = Matcher.for_terms(terms)
        # Slugs of the medicines with a pump form, for terms scoped to their pages.
        self.pump_medicines = pump_medicines
        self.page_src_uri = "index.md"
        self.page_medicine: str | None = None  # the slug of the page's medicine, if any
        self.enabled = True

    def explains_here(self, term: GlossaryTerm) -> bool:
        """Whether the current page may explain `term` (its scope covers the page)."""
        if term.scope is GlossaryScope.pump_medicines:
            return self.page_medicine in self.pump_medicines
        return True

    def extendMarkdown(self, md: Markdown) -> None:
        # Priority 15: after inline Markdown (20) has made links and emphasis, before MkDocs
        # rewrites `.md` links into page URLs (0).
        md.treeprocessors.register(GlossaryTreeprocessor(md, self), "medguide_glossary", 15)

    def glossary_href(self, term: GlossaryTerm) -> str:
        start = posixpath.dirname(self.page_src_uri) or "."
        return posixpath.relpath(GLOSSARY_URI, start) + "#" + term_id(term.term)


class GlossaryTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, extension: GlossaryExtension):
        super().__init__(md)
        self.extension = extension

    def run(self, root: etree.Element) -> None:
        if not self.extension.enabled or self.extension.matcher is None:
            return
        # Terms whose scope leaves this page out count as used already: never explained here.
        self.used: set[str] = {term.term for term in self.extension.terms
                               if not self.extension.explains_here(term)}
        self.walk(root)

    def walk(self, parent: etree.Element) -> None:
        children = list(parent)  # the original children, before any definition is added
        if parent.text and not isinstance(parent.text, AtomicString):
            parent.text, added = self.annotate(parent.text)
            for offset, element in enumerate(added):
                parent.insert(offset, element)
        for child in children:
            if not skipped(child):
                self.walk(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                child.tail, added = self.annotate(child.tail)
                position = list(parent).index(child) + 1
                for offset, element in enumerate(added):
                    parent.insert(position + offset, element)

    def annotate(self, text: str) -> tuple[str, list[etree.Element]]:
        """Split `text` at each glossary word used for the first time on this page.

        Returns the text before the first word, and the elements that replace the rest
        (each definition card's tail holds the text up to the next word)."""
        added: list[etree.Element] = []
        leading, rest = text, ""
        position = 0
        while found := self.extension.matcher.first(text, position, self.used):
            match, term = found
            self.used.add(term.term)
            if not added:
                leading = text[:match.start()]
            else:
                added[-1].tail = text[position:match.start()]
            added.extend(self.definition_elements(match.group(0), term))
            position = match.end()
        if added:
            rest = text[position:]
            added[-1].tail = rest
        return leading, added

    def definition_elements(self, word: str, term: GlossaryTerm) -> list[etree.Element]:
        card_id = "define-" + term_id(term.term)
        button = etree.Element("button", {"type": "button", "class": "term",
                                          "popovertarget": card_id})
        button.text = word
        hint = etree.SubElement(button, "span", {"class": "visually-hidden",
                                                 "data-pagefind-ignore": "all"})
        hint.text = " (what this means)"
        card = etree.Element("span", {"class": "term-definition", "id": card_id,
                                      "popover": "", "data-pagefind-ignore": "all"})
        heading = etree.SubElement(card, "strong", {"class": "term-definition__term"})
        heading.text = term.term[:1].upper() + term.term[1:]
        text = etree.SubElement(card, "span", {"class": "term-definition__text"})
        text.text = term.definition
        link = etree.SubElement(card, "a", {"class": "term-definition__more",
                                            "href": self.extension.glossary_href(term)})
        link.text = "See all words in the glossary"
        close = etree.SubElement(card, "button", {"type": "button",
                                                  "class": "term-definition__close",
                                                  "popovertarget": card_id,
                                                  "popovertargetaction": "hide"})
        close.text = "Close"
        return [button, card]


def skipped(element: etree.Element) -> bool:
    if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
        return True
    return bool(SKIP_CLASSES & set((element.get("class") or "").split()))
