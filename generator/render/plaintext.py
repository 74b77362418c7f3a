"""Plain text from the inline Markdown that records may hold: for meta descriptions,
structured data, the checker and readability scores, where markup and citations would be noise."""

from __future__ import annotations

import html
import re

import markdown

from generator.model.citations import CITATION

ATTR_LIST = re.compile(r"\s*\{:[^}]*\}")
TAG = re.compile(r"<[^>]+>")
# Python-Markdown reads the Markdown as the pages do (an `_` inside a word is not emphasis).
MARKDOWN = markdown.Markdown()


def inline_plain(text: str) -> str:
    """`Take it **with food**.[^label]` → `Take it with food.`: the one way every stage
    turns a record's Markdown into plain words."""
    text = ATTR_LIST.sub("", CITATION.sub("", text))
    rendered = MARKDOWN.reset().convert(text)
    return re.sub(r"\s+", " ", html.unescape(TAG.sub("", rendered))).strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis if needed."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
