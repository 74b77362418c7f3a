"""The caches of the core pipeline make a rebuild faster, never different."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time

from conftest import TEMPLATES, edit

from generator.build import cache as cache_module
from generator.build.cache import CoreCache, PickleCache, code_digest, code_modules
from generator.build.pipeline import build_site


def pages_of(result) -> list[tuple[str, str]]:
    assert result.ok, result.problems.errors
    return [(page.src_uri, page.markdown) for page in result.pages]


def test_a_cached_build_equals_an_uncached_one_after_each_kind_of_change(content, tmp_path):
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    cache_dir = tmp_path / "cache"
    record = content / "medicines" / "testofen" / "medicine.yaml"

    def both() -> None:
        cached = build_site(content, templates, cache=CoreCache(cache_dir))
        assert pages_of(cached) == pages_of(build_site(content, templates))

    both()
    both()  # everything from the cache
    edit(record, "Testofen is a made-up medicine", "Testofen is an invented medicine")
    both()
    edit(templates / "pages" / "medicine" / "side-effects.md.j2",
         "This is not every possible side effect.", "Not every side effect is listed.")
    both()
    edit(content / "site.yaml", "Medicine", "Medicines")
    both()
    edit(content / "medicines" / "testofen" / "tips.md", "Keep a list", "Always keep a list")
    both()


def test_problems_found_last_time_are_reported_again_from_the_cache(content, tmp_path):
    record = content / "medicines" / "testofen" / "medicine.yaml"
    edit(record, "  - name: Testrel\n    forms: [tablet]",
         "  - name: Testrel\n    forms: [capsule]")  # a brand naming no form: an error
    first = build_site(content, TEMPLATES, cache=CoreCache(tmp_path / "cache"))
    again = build_site(content, TEMPLATES, cache=CoreCache(tmp_path / "cache"))
    assert [str(p) for p in first.problems.errors] == [str(p) for p in again.problems.errors]
    assert any("no form with id 'capsule'" in str(p) for p in again.problems.errors)


def test_an_overdue_review_is_found_on_the_day_it_becomes_overdue(content, tmp_path):
    cache = tmp_path / "cache"
    record = content / "medicines" / "testofen" / "medicine.yaml"
    due = dt.date.fromisoformat(
        next(line.split(":", 1)[1].strip() for line in record.read_text().splitlines()
             if line.strip().startswith("next_review_due:")))
    assert build_site(content, TEMPLATES, today=due, cache=CoreCache(cache)).ok
    later = build_site(content, TEMPLATES, today=due + dt.timedelta(days=1),
                       cache=CoreCache(cache))
    assert any("overdue" in str(p) for p in later.problems.errors)


def test_unused_entries_are_removed_so_the_cache_stays_one_site_big(content, tmp_path):
    cache_dir = tmp_path / "cache"
    record = content / "medicines" / "testofen" / "medicine.yaml"
    build_site(content, TEMPLATES, cache=CoreCache(cache_dir))
    sizes = {kind: len(list((cache_dir / kind).glob("*.pickle")))
             for kind in ("records", "pages", "checks")}
    # One medicine: its record, its findings, its pages; classes.yaml and each interaction
    # rule file; the findings about the interaction store, and the checker's data.
    rules = len(list((content / "interactions").glob("*.yaml")))
    assert sizes == {"records": 1 + 1 + rules, "pages": 2, "checks": 2}
    two_days_ago = time.time() - 2 * 24 * 3600
    for word in ("first", "second", "third"):
        for entry in cache_dir.rglob("*.pickle"):  # as if last used two days ago
            os.utime(entry, (two_days_ago, two_days_ago))
        text = record.read_text()
        record.write_text(text.replace("used to test this site", f"used to test ({word})"))
        build_site(content, TEMPLATES, cache=CoreCache(cache_dir))
    assert {kind: len(list((cache_dir / kind).glob("*.pickle")))
            for kind in ("records", "pages", "checks")} == sizes


def test_a_build_keeps_the_entries_the_preview_uses(content, tmp_path):
    """The preview and `medguide build` share the cache under different keys: a build
    between two saves must not make the preview's next rebuild start from nothing."""
    cache_dir = tmp_path / "cache"
    build_site(content, TEMPLATES, preview=True, cache=CoreCache(cache_dir))
    preview_entries = set(cache_dir.rglob("*.pickle"))
    build_site(content, TEMPLATES, cache=CoreCache(cache_dir))
    assert preview_entries <= set(cache_dir.rglob("*.pickle"))


def test_a_damaged_entry_is_a_miss(tmp_path):
    cache = PickleCache(tmp_path)
    cache.put("key", {"a": 1})
    assert cache.get("key") == {"a": 1}
    (tmp_path / "key.pickle").write_bytes(b"not a pickle")
    assert cache.get("key") is None
    assert cache.get("absent") is None


def test_code_keys_follow_the_imports_of_the_code_that_makes_a_result(tmp_path, monkeypatch):
    package = tmp_path / "generator"
    (package / "sub").mkdir(parents=True)
    for name, text in {"__init__.py": "", "sub/__init__.py": "",
                       "maker.py": "def make():\n    from generator.sub import helper\n",
                       "sub/helper.py": "import generator.sub.deep\n",
                       "sub/deep.py": "X = 1\n", "unrelated.py": "Y = 1\n"}.items():
        (package / name).write_text(text)
    monkeypatch.setattr(cache_module, "_SOURCE_ROOT", tmp_path)
    code_digest.cache_clear()
    try:
        assert code_modules("generator.maker") == {
            "generator", "generator.maker", "generator.sub", "generator.sub.helper",
            "generator.sub.deep"}
        before = code_digest("generator.maker")
        (package / "unrelated.py").write_text("Y = 2\n")
        code_digest.cache_clear()
        assert code_digest("generator.maker") == before
        (package / "sub/deep.py").write_text("X = 2\n")  # imported by what `maker` imports
        code_digest.cache_clear()
        assert code_digest("generator.maker") != before
    finally:
        code_digest.cache_clear()


def test_a_pdf_is_keyed_by_the_code_that_makes_pdfs_not_by_the_wording_code():
    """Rewording a page or a handout changes its HTML, which keys the PDF already; the PDF's
    code key covers only the HTML-to-PDF step, so other code changes keep every cached PDF."""
    modules = code_modules("generator.build.pdf")
    assert "generator.build.pdf" in modules and "generator.build.fetcher" in modules
    assert not {"generator.build.handouts", "generator.render.catalog",
                "generator.content.loader", "generator.build.pipeline"} & modules
