"""Safety invariants of the generated site, checked on every build.

`checks/records.py` checks what editors write; this module checks what the build made of it, so a
template change cannot quietly break a promise to readers:
- every page of a medicine with a warning box shows it: its FDA boxed warning, or our own
  advice about stopping when stopping suddenly is dangerous; in full on the pages whose kind
  says so, at least as the strip that names it and links to it on the others;
- every link between pages leads to a page that is published;
- no two pages are published at the same address;
- (on the final HTML, from the MkDocs plugin) no script, style, event handler or unsafe
  link.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import markupsafe

from generator.content.loader import Catalog
from generator.content.pages import MEDICINE_PAGE_KINDS, Page, page_url
from generator.content.problems import Problems
from generator.model.records import WarningKind

BOXED_WARNING_MARK = 'class="boxed-warning"'
WARNING_STRIP_MARK = 'class="warning-strip"'


def page_address(src_uri: str) -> str:
    """Where MkDocs publishes a page (with directory URLs): `a/b.md` and `a/b/index.md`
    both become `/a/b/`."""
    return "/" + page_url(src_uri)


def check_pages(pages: list[Page], catalog: Catalog, templates_dir: Path, *,
                published: set[str] | None = None, failed: set[str] = frozenset(),
                withheld: set[str] = frozenset()) -> Problems:
    """Check the rendered pages. `published` are the slugs of medicines that will be
    published (None: all); links to any other medicine's pages are broken. `failed` are
    pages that could not be rendered, and `withheld` medicines whose records could not be
    loaded or have errors (all already reported): links to them are not."""
    problems = Problems()
    check_boxed_warnings(pages, catalog, templates_dir, problems)
    check_addresses(pages, catalog, problems)
    check_links(pages, catalog, templates_dir, problems, published, failed, withheld)
    return problems


def kind_of(page: Page):
    """The kind of a medicine's page (None for other pages)."""
    if not page.medicine:
        return None
    return next((k for k in MEDICINE_PAGE_KINDS if page.src_uri.endswith("/" + k.file_name)),
                None)


def template_of(page: Page, templates_dir: Path) -> Path:
    if kind := kind_of(page):
        return templates_dir / "pages" / "medicine" / f"{kind.id}.md.j2"
    if page.src_uri == "medicines/index.md":
        return templates_dir / "pages" / "medicines_index.md.j2"
    return templates_dir / "pages" / "site_page.md.j2"


def check_boxed_warnings(pages: list[Page], catalog: Catalog, templates_dir: Path,
                         problems: Problems) -> None:
    records = {source.slug: source.record for source in catalog.medicines}
    # The warning's text as a page shows it, once per medicine that must show it.
    texts = {slug: str(markupsafe.escape(record.stopping.boxed_warning or ""))
             for slug, record in records.items() if record.stopping.shows_warning_box}
    for page in pages:
        text = texts.get(page.medicine or "")
        if text is None:
            continue
        record = records[page.medicine]
        in_full = BOXED_WARNING_MARK in page.markdown and text in page.markdown
        kind = kind_of(page)
        if in_full or (WARNING_STRIP_MARK in page.markdown and not (kind and kind.full_warning)):
            continue
        if record.stopping.warning_kind is WarningKind.fda_boxed_warning:
            why = f"{record.generic_name} has an FDA boxed warning"
        else:
            why = (f"stopping {record.generic_name} suddenly is dangerous, so every page "
                   "shows our advice about stopping")
        if kind and kind.full_warning:
            shown, hint = "the warning box", "this page must include the boxed_warning partial"
        else:
            shown, hint = ("the warning box or its strip", "every page of such a medicine "
                           "must include the boxed_warning partial or its warning_strip")
        problems.add(template_of(page, templates_dir), 1, 1, "(page)",
                     f"{page.src_uri} does not show {shown}, but {why}", hint,
                     page=page.src_uri)


def check_addresses(pages: list[Page], catalog: Catalog, problems: Problems) -> None:
    by_address: dict[str, Page] = {}
    sources = {f"{p.name}.md": p.path for p in catalog.pages}
    for page in pages:
        address = page_address(page.src_uri)
        other = by_address.setdefault(address, page)
        if other is not page:
            path = sources.get(page.src_uri) or sources.get(other.src_uri) or catalog.root
            problems.add(path, 1, 1, "(page)",
                         f"{page.src_uri} and {other.src_uri} would both be published at "
                         f"{address}", "rename one of them", page=page.src_uri)


def check_links(pages: list[Page], catalog: Catalog, templates_dir: Path, problems: Problems,
                published: set[str] | None, failed: set[str] = frozenset(),
                withheld: set[str] = frozenset()) -> None:
    def is_published(page: Page) -> bool:
        return page.medicine is None or published is None or page.medicine in published

    known = {page.src_uri for page in pages if is_published(page)} | set(failed)
    # A medicine whose record could not be loaded or has errors already has its own
    # problems reported; links to it are not reported again.
    unreadable = tuple(f"medicines/{slug}/"
                       for slug in set(withheld) | set(catalog.failed_medicines))
    drafts = {s.slug for s in catalog.medicines
              if published is not None and s.slug not in published}
    for page in pages:
        if not is_published(page):
            continue  # a page that is not published cannot break a reader's path
        for target, resolved in page.links:
            if resolved in known or resolved.startswith(unreadable):
                continue
            slug = resolved.split("/")[1] if resolved.startswith("medicines/") else None
            reason = (f"{slug} is a draft, so it is not published" if slug in drafts
                      else f"there is no page {resolved}")
            path, line, column, field = link_source(page, target, catalog, templates_dir)
            problems.add(path, line, column, field, f"link to {target!r} leads nowhere: {reason}",
                         "link to a published page's .md file, such as medicines/index.md",
                         page=page.src_uri)


# MkDocs' warnings about links ("Doc file 'a.md' contains an absolute link '/b/', it was left
# as is."): a strict build stops on any of them.
MKDOCS_LINK_WARNING = re.compile(
    r"Doc file '(?P<page>[^']+)' contains (?P<what>.*?)'(?P<target>[^']*)'(?P<rest>.*)",
    re.DOTALL)


def mkdocs_warning_problems(messages: list[str], pages: list[Page], catalog: Catalog,
                            templates_dir: Path, config_file: Path) -> Problems:
    """MkDocs' warnings about the pages, each at the place an editor wrote what caused it
    (MkDocs itself names only the generated page)."""
    by_uri = {page.src_uri: page for page in pages}
    problems = Problems()
    for message in messages:
        match = MKDOCS_LINK_WARNING.match(message)
        page = by_uri.get(match["page"]) if match else None
        if page is None:
            problems.add(config_file, 1, 1, "(mkdocs)", message,
                         "a strict build stops on every MkDocs warning")
            continue
        path, line, column, field = link_source(page, match["target"], catalog, templates_dir)
        text = f"{match['what']}'{match['target']}'{match['rest']}".strip()
        problems.add(path, line, column, field, f"this text has {text}",
                     "link to another page by its .md file, relative to this one, such as "
                     "../index.md; write web addresses in full (https://...)",
                     page=page.src_uri)
    return problems


def link_source(page: Page, target: str, catalog: Catalog, templates_dir: Path
                ) -> tuple[Path, int, int, str]:
    """Where an editor wrote `target` (see `find_source`), else the page's template."""
    return (find_source(page, target, catalog)
            or (template_of(page, templates_dir), 1, 1, "(link)"))


def find_source(page: Page, target: str, catalog: Catalog
                ) -> tuple[Path, int, int, str] | None:
    """Where an editor wrote `target` (a link, or any text that reached the page): the
    page's own site page, prose or record first, then every other content file (an
    interaction rule's text reaches the interactions pages). None if it is in none."""
    candidates = [(p.path, p.body, p.body_line, None) for p in catalog.pages
                  if f"{p.name}.md" == page.src_uri]
    for source in catalog.medicines:
        if source.slug == page.medicine:
            candidates += [(p.path, p.body, p.body_line, None) for p in source.prose]
            candidates.append((source.path, source.text, 1, source.source_map))
    shared = [*(rule for rule in catalog.interactions), catalog.classes, catalog.glossary]
    candidates += [(source.path, None, 1, source.source_map) for source in shared if source]
    candidates += [(catalog.root / name, None, 1, None) for name in ("site.yaml",
                                                                     "reviewers.yaml")]
    for path, body, first_line, source_map in candidates:
        if body is None:
            try:
                body = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        for offset, line_text in enumerate(body.splitlines()):
            column = line_text.find(target)
            if column >= 0:
                line = first_line + offset
                field = (source_map.field_at(line) if source_map
                         else "(body)" if path.suffix == ".md" else "(text)")
                return path, line, column + 1, field
    return None


# ---------------------------------------------------------------- the final HTML

# Forms are allowed (the site's own search and interaction checker use them); their `action`
# is checked like any other address. A page's content is held to the stricter allowlist of
# `sanitize`; this check is for the whole page the theme wraps around it (and the 404 page),
# whose head carries the theme's own stylesheets, script and structured data.
UNSAFE_ELEMENTS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base",
                   "meta", "link", "style"}
# What only the theme's page head may carry: a script file of the site's own (a relative
# address), JSON-LD (written with `tojson`, which escapes `<`), stylesheet links and meta.
THEME_HEAD_ELEMENTS = {"script", "link", "meta"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster", "data",
                  "background", "cite", "srcset"}
SAFE_URL_SCHEMES = {"https", "http", "mailto", "tel"}


def _scheme(value: str) -> str | None:
    # Browsers ignore tabs, newlines and leading spaces in addresses.
    address = re.sub(r"[\x00-\x20\x7f]+", "", value).lower()
    scheme = re.match(r"([a-z][a-z0-9+.\-]*):", address)
    return scheme.group(1) if scheme else None


class _UnsafeHtmlFinder(HTMLParser):
    def __init__(self, whole_page: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.whole_page = whole_page
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSAFE_ELEMENTS and not (self.whole_page and self.theme_head(tag, attrs)):
            self.found.append(f"<{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name} event handler on <{tag}>")
            elif name == "style":
                self.found.append(f"style attribute on <{tag}>")
            elif name == "srcdoc":
                self.found.append(f"srcdoc attribute on <{tag}>")
            elif name in URL_ATTRIBUTES and value:
                scheme = _scheme(value)
                if scheme and scheme not in SAFE_URL_SCHEMES:
                    self.found.append(f"{scheme}: address in {name} of <{tag}>")

    handle_startendtag = handle_starttag

    @staticmethod
    def theme_head(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        values = dict(attrs)
        if tag == "script":
            return (values.get("type") == "application/ld+json" and "src" not in values) or (
                "type" not in values and bool(values.get("src"))
                and _scheme(values["src"]) is None and not values["src"].startswith("//"))
        return tag in THEME_HEAD_ELEMENTS


def unsafe_html(html: str, whole_page: bool = False) -> list[str]:
    """What in a page's HTML could run code or restyle it in a reader's browser (empty if
    safe). `whole_page`: the theme's page, whose head may carry the theme's own script
    file, JSON-LD, stylesheets and meta tags."""
    finder = _UnsafeHtmlFinder(whole_page)
    finder.feed(html)
    finder.close()
    return finder.found
