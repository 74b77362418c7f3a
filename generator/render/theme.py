"""Helpers the theme's templates use: small pieces of logic kept out of Jinja."""

from __future__ import annotations

import re

from markupsafe import Markup

# Page templates may mark where the "On this page" list goes (after the warnings that must be
# read first); without the mark it goes right under the title.
TOC_MARK = "<!-- medguide:on-this-page -->"
TITLE = re.compile(r"\A\s*<h1\b[^>]*>.*?</h1>", re.DOTALL)


def split_title(html: str) -> tuple[Markup, Markup]:
    """(the top of the page, the rest): the theme puts "On this page" between the two."""
    if TOC_MARK in html:
        head, rest = html.split(TOC_MARK, 1)
        return Markup(head), Markup(rest)
    match = TITLE.match(html)
    if not match:
        return Markup(""), Markup(html)
    return Markup(match.group(0)), Markup(html[match.end():])
