"""Citations in a page (`[^key]`, shown as superscript numbers by Markdown's footnotes): two
side by side read "3, 4", never "34".

The comma is written into the page, inside the second superscript, so it is there for screen
readers, search, copying and print alike. A CSS rule could not do this: `sup + sup` also
matches two citations with words between them, which then showed a stray comma."""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor

SEPARATOR = ", "


def is_citation(element: etree.Element) -> bool:
    return element.tag == "sup" and element.get("id", "").startswith("fnref")


class CitationSeparators(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            previous = None
            for child in parent:
                if (is_citation(child) and previous is not None and is_citation(previous)
                        and not (previous.tail or "").strip()):
                    previous.tail = None
                    child.text = SEPARATOR + (child.text or "")
                previous = child


class CitationSeparatorExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:
        # After the inline patterns (priority 20), which make the footnotes' superscripts.
        md.treeprocessors.register(CitationSeparators(md), "medguide_citation_separators", 16)
