"""Citations side by side read "3, 4", never "34"; a citation after words gets no comma."""

from __future__ import annotations

import markdown

from generator.render.footnotes import CitationSeparatorExtension

SOURCES = "\n\n[^a]: Source A.\n[^b]: Source B.\n[^c]: Source C.\n"


def convert(text: str) -> str:
    return markdown.markdown(text + SOURCES,
                             extensions=["footnotes", CitationSeparatorExtension()])


def test_two_citations_side_by_side_get_a_comma_inside_the_second():
    html = convert("Both make you sleepy.[^a][^b]")
    assert '<a class="footnote-ref" href="#fn:a">1</a></sup><sup id="fnref:b">, <a' in html


def test_a_space_between_two_citations_becomes_the_comma():
    html = convert("Both make you sleepy.[^a] [^b]")
    assert '</sup><sup id="fnref:b">, <a' in html


def test_a_citation_after_words_gets_no_comma():
    html = convert("One thing.[^a] Another thing.[^b] A third.[^c]")
    assert ", <a" not in html
    assert html.count('class="footnote-ref"') == 3


def test_three_in_a_row_read_one_two_three():
    html = convert("Said often.[^a][^b][^c]")
    assert html.count(", <a") == 2
