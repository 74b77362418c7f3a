"""Helpers the theme's templates use: small pieces of logic kept out of Jinja."""

from __future__ import annotations

import re

from markupsafe import Markup

TITLE = re.compile(r"\A\s*(<h1\b[^>]*>.*?</h1>)(.*)\Z", re.DOTALL)


def split_title(html: str) -> tuple[Markup, Markup]:
    """(the page's `<h1>`, everything after it), so the theme can put the "On this page" list
    right under the title. A page without a leading `<h1>` gives ("", html)."""
    match = TITLE.match(html)
    if not match:
        return Markup(""), Markup(html)
    return Markup(match.group(1)), Markup(match.group(2))
