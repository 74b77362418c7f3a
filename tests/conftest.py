"""Shared test helpers: copies of the fixture content that a test may change freely."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
TEMPLATES = ROOT / "templates"
# Shared by the tests' site builds, so each builds only the handouts it changed. Entries are
# keyed by a hash of everything in them, so tests cannot see each other's handouts.
HANDOUT_CACHE = ROOT / ".cache" / "handouts-tests"


def medguide(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli.main", *args], cwd=cwd,
                          capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def as_of_newest_review(content_dir: Path = ROOT / "content") -> dt.date:
    """A "today" for tests of the real content: the day of its newest review, so that no
    review is dated in the future and none has fallen due yet, whenever the tests run."""
    from generator.content.loader import load_catalog
    catalog, _ = load_catalog(content_dir)
    return max(source.record.review.last_reviewed
               for source in catalog.medicines + catalog.interactions)


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A writable copy of the fixture content (one made-up medicine, testofen)."""
    target = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", target)
    return target


@pytest.fixture
def real_content(tmp_path: Path) -> Path:
    """A writable copy of the real content (the six bundled guides)."""
    target = tmp_path / "real-content"
    shutil.copytree(ROOT / "content", target)
    return target


@pytest.fixture
def record_path(content: Path) -> Path:
    return content / "medicines" / "testofen" / "medicine.yaml"


def edit(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of text in a file (fails loudly if it is not there once)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} found {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def add_medicine(content: Path, slug: str, classes: str = "[test-sedatives]") -> None:
    """A second made-up medicine, copied from testofen."""
    text = (content / "medicines" / "testofen" / "medicine.yaml").read_text()
    text = text.replace("generic_name: testofen", f"generic_name: {slug}")
    text = text.replace("classes: [test-sedatives]", f"classes: {classes}")
    text = text.replace("- name: Testrel", f"- name: {slug.capitalize()}rel")
    folder = content / "medicines" / slug
    folder.mkdir()
    (folder / "medicine.yaml").write_text(text)


def write_mkdocs_config(project: Path, content_dir: Path, site_dir: Path | None = None) -> Path:
    """An mkdocs.yml for `content_dir`, inheriting everything else from the real one."""
    config = project / "mkdocs.yml"
    config.write_text(textwrap.dedent(f"""\
        INHERIT: {ROOT / 'mkdocs.yml'}
        docs_dir: {content_dir / 'pages'}
        site_dir: {site_dir or project / 'site'}
        theme:
          name: null
          custom_dir: {TEMPLATES / 'theme'}
          static_templates: [404.html]
          locale: en
        plugins:
          - medguide:
              content_dir: {content_dir}
              templates_dir: {TEMPLATES}
              handout_cache_dir: {HANDOUT_CACHE}
        """), encoding="utf-8")
    return config
