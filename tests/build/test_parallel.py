"""Work spread over all cores gives exactly what the same work gives in one process."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, TEMPLATES, edit

from bench import corpus  # the benchmark's record cloner
from generator.build import workers as parallel
from generator.build.cache import CoreCache
from generator.build.pipeline import build_site
from generator.render.templates import TemplateProblem


@pytest.fixture
def many(content: Path) -> Path:
    template = corpus.read_templates(FIXTURES / "content")[0]
    for number in range(1, 7):
        corpus.write_clone(template, number, content / "medicines")
    return content


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_CALLS", 1)
    with parallel.using(2):
        yield


def site_of(content: Path, **kwargs):
    result = build_site(content, TEMPLATES, **kwargs)
    return result, [(p.src_uri, p.markdown) for p in result.pages]


def test_loading_and_rendering_over_two_workers_equals_one_process(many, tmp_path,
                                                                  monkeypatch):
    with parallel.using(1):
        _, alone = site_of(many)
    monkeypatch.setattr(parallel, "MIN_CALLS", 1)
    with parallel.using(2):
        _, spread = site_of(many)
        _, cached_then = site_of(many, cache=CoreCache(tmp_path / "cache"))
        _, cached_now = site_of(many, cache=CoreCache(tmp_path / "cache"))
    assert alone == spread == cached_then == cached_now
    assert len([uri for uri, _ in alone if uri.startswith("medicines/") and "/" in uri[10:]]) == 7 * 8


def test_problems_found_by_workers_come_back_in_folder_order(many, two_workers):
    folders = sorted(p for p in (many / "medicines").iterdir())
    for folder in (folders[1], folders[4]):
        edit(folder / "medicine.yaml", "pronunciation: ", "pronounciation: ")
    result, _ = site_of(many)
    assert [Path(p.path).parent.name for p in result.problems.errors] == [
        folders[1].name, folders[4].name]
    assert all("pronounciation: unknown field (did you mean pronunciation?)" in str(p)
               for p in result.problems.errors)


def test_a_template_error_in_a_worker_names_the_template_and_line(many, two_workers,
                                                                  tmp_path):
    import shutil
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    edit(templates / "pages" / "medicine" / "side-effects.md.j2",
         "This is not every possible side effect.", "{{ medicine.no_such_field }}")
    result = build_site(many, templates)
    [problem] = result.problems.errors
    assert problem.path.endswith("side-effects.md.j2") and "no_such_field" in problem.message


def test_an_error_a_worker_cannot_send_back_is_raised_with_its_message(two_workers):
    class Unpicklable(Exception):
        def __init__(self):
            super().__init__("broken on purpose")
            self.handle = lambda: None

    def fail():
        raise Unpicklable()

    with pytest.raises(RuntimeError, match="Unpicklable: broken on purpose"):
        parallel.run_calls([fail, fail])
    assert parallel.run_calls([lambda: 1, lambda: 2, lambda: 3]) == [1, 2, 3]


def test_template_problems_survive_the_trip_between_processes():
    import pickle
    problem = pickle.loads(pickle.dumps(TemplateProblem("a.j2", 3, "bad")))
    assert (problem.path, problem.line, problem.message) == ("a.j2", 3, "bad")
