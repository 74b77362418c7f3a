"""The one allowlist for content: what editors' text may say, and what a page may carry.

Content is untrusted (it arrives as pull requests that CI builds), so it is held to this
allowlist twice:
- `content_problems` is what `medguide check` reports, with file, line and field, for every
  text of every record, page and settings file: content is plain text and Markdown, so raw
  HTML, attribute lists (`{: style=…}`), images and links other than https/mailto/tel are
  rejected with a message rather than silently cleaned, so editors learn what is wrong;
- `sanitize_page` is the last line of defence on what the build made of it: the HTML of
  every page is published as `nh3` (the Python binding of the Rust sanitizer ammonia) writes
  it out under the allowlist below, and anything it had to remove fails the build (the
  preview shows the sanitized page with the problem). `clean_html` sanitizes the handouts'
  inline text, which has no final check of its own.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from html.parser import HTMLParser

import nh3

# ---------------------------------------------------------------- what content may say

RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?][^>]*>|<\s*[A-Za-z]+[\s/]")
# Python-Markdown's attr_list syntax (`{: #id .class key=value }`, also without the colon),
# which the templates use for heading ids: in content it could set style or event handlers.
ATTRIBUTE_LIST = re.compile(r"\{:?[ \t]*(?:[:#.][^}\n]*|[A-Za-z_-]+[ \t]*=[^}\n]*)\}")
# An image, inline `![alt](src)` or by reference `![alt][key]`: content never shows one (a
# page or handout would load the address: another site, or a file of the build machine).
IMAGE = re.compile(r"!\[[^\]\n]*\][ \t]*[\[(]")
# Link targets: inline `[text](target)` and reference definitions `[key]: target`.
# (Footnote definitions, `[^key]: text`, are text, not links.)
LINK_TARGET = re.compile(r"\]\(([^)]*)\)?|^[ \t]{0,3}\[(?!\^)[^\]]+\]:[ \t]*(\S+)",
                         re.MULTILINE)
URL_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
CONTENT_LINK_SCHEMES = {"https", "mailto", "tel"}
# Bidirectional overrides and isolates can make text read differently from what a reviewer
# saw (a brand name spelled backwards); zero-width characters hide inside words.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")

WRITE_PLAIN = "write plain text; the site adds all formatting"
WRITE_MARKDOWN = "write Markdown only; the site adds all formatting"


def unsafe_link(text: str) -> re.Match | None:
    """The first link whose address uses a scheme other than https, mailto or tel.

    Browsers drop tabs and newlines inside addresses and decode character references, so
    `java&#9;script:` is `javascript:` to them: the check does the same before looking."""
    for match in LINK_TARGET.finditer(text):
        target = html.unescape(match.group(1) if match.group(1) is not None else match.group(2))
        target = re.sub(r"[\x00-\x20\x7f]+", "", target).lstrip("<").lower()
        scheme = URL_SCHEME.match(target)
        if scheme and scheme.group(1) not in CONTENT_LINK_SCHEMES:
            return match
    return None


def content_problems(text: str, markdown: bool = False
                     ) -> list[tuple[int, str, str | None]]:
    """What in one piece of content text breaks the allowlist, as (column, message, hint),
    first found first. `text` is one line of a Markdown file (`markdown`) or one YAML
    field's value."""
    write = WRITE_MARKDOWN if markdown else WRITE_PLAIN
    found = []
    if match := RAW_HTML.search(text):
        found.append((match.start() + 1, "raw HTML is not allowed in content", write))
    elif "&" in text and RAW_HTML.search(html.unescape(text)):
        # `&lt;script&gt;` shows as text on a page, but wherever the text is unescaped
        # (a title, an attribute, the PDF) it is markup again.
        found.append((text.index("&") + 1, "raw HTML (written with character references) is "
                      "not allowed in content", write))
    if match := ATTRIBUTE_LIST.search(text):
        found.append((match.start() + 1,
                      f"attribute lists like {shorten(match.group(0))} are not allowed in "
                      "content", "delete it; " + write))
    if match := IMAGE.search(text):
        found.append((match.start() + 1, "images are not allowed in content",
                      "remove the image; pages and handouts never load an address from "
                      "content"))
    if match := unsafe_link(text):
        found.append((match.start() + 1, "links must use https:// addresses",
                      write if markdown else None))
    if match := INVISIBLE.search(text):
        found.append((match.start() + 1,
                      f"invisible control character U+{ord(match.group(0)):04X} in the text",
                      "delete it: it can make text read differently from what was reviewed"))
    return sorted(found)


def shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------- what a page may carry

# Elements the site's Markdown, templates and extensions make in a page's content.
PAGE_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "button", "caption", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "input", "label", "legend", "li", "nav", "ol", "p", "pre",
    "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "time", "tr", "ul",
}
# Attributes allowed on every element; `style` and event handlers never are.
GLOBAL_ATTRIBUTES = {"id", "class", "role", "hidden", "title", "lang", "dir", "tabindex",
                     "popover"}
PAGE_ATTRIBUTES = {
    "*": GLOBAL_ATTRIBUTES,
    "a": {"href"},
    "button": {"type", "popovertarget", "popovertargetaction"},
    "form": {"action", "method"},
    "input": {"type", "name", "value", "id", "autocomplete", "placeholder", "checked"},
    "label": {"for"},
    "ol": {"start"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "time": {"datetime"},
    "details": {"open"},
}
ATTRIBUTE_PREFIXES = {"data-", "aria-"}
# Site-relative links have no scheme; absolute ones only these.
PAGE_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def clean_html(fragment: str) -> str:
    """`fragment` with everything outside the allowlist removed."""
    return nh3.clean(fragment, tags=PAGE_TAGS, clean_content_tags={"script", "style"},
                     attributes=PAGE_ATTRIBUTES, generic_attribute_prefixes=ATTRIBUTE_PREFIXES,
                     url_schemes=PAGE_URL_SCHEMES, link_rel=None, strip_comments=False)


# What an HTML tokenizer takes for a tag name, and anything shaped like an address scheme.
_TAG_NAME = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")


def _normalized(fragment: str) -> str:
    """`fragment` parsed and written out by the same parser as `clean_html`, keeping every
    element, attribute and address it has: equal to `clean_html(fragment)` exactly when the
    allowlist removes nothing. (Whatever this misses is removed by both, so it is never
    published either.)"""
    return nh3.clean(fragment, tags=PAGE_TAGS | {m.lower() for m in _TAG_NAME.findall(fragment)},
                     clean_content_tags=set(), attributes={}, generic_attribute_prefixes={""},
                     url_schemes=PAGE_URL_SCHEMES | {m.lower() for m in _SCHEME.findall(fragment)},
                     link_rel=None, strip_comments=False)


def sanitize_page(fragment: str) -> tuple[str, list[str]]:
    """(`fragment` as published: sanitized, what the allowlist removed from it in words,
    empty when nothing)."""
    clean = clean_html(fragment)
    if clean == _normalized(fragment):
        return clean, []
    return clean, refused_html(fragment) or ["markup outside the allowlist"]


def refused_html(fragment: str) -> list[str]:
    """What the allowlist would remove from `fragment`, in words ("style attribute on
    <em>"); empty when it passes unchanged. Slower than `sanitize_page`: for messages."""
    removed = _inventory(fragment) - _inventory(clean_html(fragment))
    return [describe(item) for item in sorted(removed)]


def describe(item: tuple) -> str:
    """An element or attribute the allowlist removed, in words, starting with what was
    written ("<svg> element", "onclick event handler on <a>", "javascript: address in href
    of <a>"), so it can be looked for in the sources."""
    if len(item) == 1:
        return f"<{item[0]}> element"
    tag, name, value = item
    if name.startswith("on"):
        return f"{name} event handler on <{tag}>"
    scheme = _SCHEME.match(re.sub(r"[\x00-\x20\x7f]+", "", value or ""))
    if scheme and name in ("href", "src", "action", "formaction", "cite", "data", "poster"):
        return f"{scheme.group(1).lower()}: address in {name} of <{tag}>"
    return f"{name} attribute on <{tag}>"


class _Inventory(HTMLParser):
    """Every element and every attribute (with its value) of a fragment, counted."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: Counter = Counter()

    def handle_starttag(self, tag: str, attrs) -> None:
        self.items[(tag,)] += 1
        for name, value in attrs:
            self.items[(tag, name, value or "")] += 1

    handle_startendtag = handle_starttag


def _inventory(fragment: str) -> Counter:
    parser = _Inventory()
    parser.feed(fragment)
    parser.close()
    return parser.items
