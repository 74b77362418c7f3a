"""Plain text from the inline Markdown that records may hold: for meta descriptions,
structured data and readability scores, where markup and citations would be noise."""

from __future__ import annotations

import re

CITATION = re.compile(r"\[\^[^\]\s]+\]")
LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
AUTOLINK = re.compile(r"<(https?://[^>]+)>")
EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
ATTR_LIST = re.compile(r"\s*\{:[^}]*\}")


def inline_plain(text: str) -> str:
    """`Take it **with food**.[^label]` → `Take it with food.`"""
    text = CITATION.sub("", text)
    text = LINK.sub(r"\1", text)
    text = AUTOLINK.sub(r"\1", text)
    text = ATTR_LIST.sub("", text)
    previous = None
    while previous != text:  # nested emphasis, e.g. **_word_**
        previous, text = text, EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis if needed."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
    return cut + "…"
