"""Every page is valid HTML by the Nu Html Checker (vnu-jar from npm, run with the machine's
Java 17), and no internal link or anchor is broken."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .conftest import ALL_PAGES, NODE_MODULES, html_file

VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def run_vnu(paths: list[Path]) -> list[dict]:
    assert VNU.exists(), "vnu-jar is missing: `make test` runs `npm ci`"
    java = shutil.which("java")
    assert java, "Java is missing: `make test` installs it"
    result = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--also-check-css",
                             *map(str, paths)], capture_output=True, text=True)
    return json.loads(result.stderr or '{"messages": []}')["messages"]


def test_every_page_and_stylesheet_is_valid(site_dir, report):
    pages = sorted(site_dir.rglob("*.html"))
    stylesheets = sorted(site_dir.glob("css/*.css"))
    assert len(pages) == len(ALL_PAGES)
    messages = run_vnu(pages + stylesheets)
    errors = [m for m in messages if m["type"] in ("error", "non-document-error")
              or m.get("subType") == "fatal"]
    report["vnu"] = {
        "files_checked": len(pages) + len(stylesheets), "pages_checked": len(pages),
        "errors": len(errors),
        "warnings": len([m for m in messages if m.get("subType") == "warning"]),
    }
    assert errors == [], "\n".join(
        f"{Path(unquote(urlsplit(m.get('url', '')).path)).relative_to(site_dir)}:"
        f"{m.get('lastLine', '?')}: {m['message']}" for m in errors)


def test_the_validator_catches_a_real_error(tmp_path):
    """Guards the guard: a page with a duplicate id and a stray end tag fails."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!doctype html><html lang="en"><title>x</title><p id="a">1</p>'
                   '<p id="a">2</p></span>', encoding="utf-8")
    assert [m for m in run_vnu([bad]) if m["type"] == "error"]


class LinkCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, int]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.ids.add(attributes["name"])
        for name in ("href", "src", "action"):
            if attributes.get(name) is not None and tag != "base":
                self.links.append((attributes[name], self.getpos()[0]))


def parse(path: Path) -> LinkCollector:
    collector = LinkCollector()
    collector.feed(path.read_text(encoding="utf-8"))
    return collector


def target_file(site: Path, page: Path, href: str) -> Path:
    parts = urlsplit(href)
    if not parts.path:
        return page
    base = site if parts.path.startswith("/") else page.parent
    target = (base / unquote(parts.path).lstrip("/")).resolve()
    return target / "index.html" if target.is_dir() else target


def test_no_internal_link_or_anchor_is_broken(site_dir, report):
    parsed = {path.resolve(): parse(path) for path in site_dir.rglob("*.html")}
    broken, checked = [], 0
    for page, collector in parsed.items():
        for href, line in collector.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                continue  # https:, tel: and mailto: addresses leave the site
            checked += 1
            target = target_file(site_dir.resolve(), page, href)
            where = f"{page.relative_to(site_dir.resolve())}:{line}: {href}"
            if not target.is_file():
                broken.append(f"{where}: no such file")
            elif parts.fragment and target in parsed and \
                    unquote(parts.fragment) not in parsed[target].ids:
                broken.append(f"{where}: no element with id {parts.fragment!r}")
    report["links"] = {"internal_links_checked": checked, "broken": len(broken)}
    assert checked > 500
    assert broken == []


def test_404_page_links_work_from_any_folder(site_dir):
    """The 404 page is served at whatever address was missing, so its links start at /."""
    collector = parse(site_dir / "404.html")
    for href, _ in collector.links:
        parts = urlsplit(href)
        if not parts.scheme and parts.path:
            assert href.startswith("/"), href
            assert target_file(site_dir, site_dir / "404.html", href).is_file(), href


def test_every_published_page_was_built(site_dir):
    for url in ALL_PAGES:
        assert html_file(site_dir, url).is_file(), url
