"""The mutation sweep (`tests/mutate.py`): a fixed sample of slips in the real content is
answered cleanly, the sweep reaches every key, and it counts what it is meant to catch.
The full sweep is `make mutate`."""

from __future__ import annotations

import collections
import subprocess
import sys

import mutate
import pytest
import yaml
from conftest import ROOT

from generator.content import loader

pytestmark = pytest.mark.pdf  # runs check and build on mutated content, handouts included


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return mutate.make_project(tmp_path_factory.mktemp("mutate"))


def test_a_sample_of_slips_in_the_real_content_is_answered_cleanly():
    # Run as `make mutate` runs it: in a process of its own, whose forked runs inherit
    # nothing from this one (no worker pools, no captured streams).
    done = subprocess.run([sys.executable, str(ROOT / "tests" / "mutate.py"), "--sample",
                           "50"], capture_output=True, text=True, cwd=ROOT)
    print(done.stdout)
    assert done.returncode == 0, done.stderr[-5000:]
    assert "mutations tried: 50 " in done.stdout and "handled cleanly: 50\n" in done.stdout
    for kind in ("medicine record", "medicine prose", "interaction rule", "site page",
                 "site.yaml", "classes.yaml", "glossary.yaml", "reviewers.yaml"):
        assert f"\n{kind} " in done.stdout


def test_every_key_of_every_content_file_is_deleted_misspelled_and_retyped(project):
    mutations = mutate.all_mutations(project)
    by_file = collections.defaultdict(collections.Counter)
    for m in mutations:
        by_file[m.path][m.kind] += 1
    record = project / "content" / "medicines" / "baclofen" / "medicine.yaml"
    keys = sum(1 for _ in mutate.yaml_entries(record.read_text()))
    assert keys > 200
    counts = by_file["content/medicines/baclofen/medicine.yaml"]
    assert counts["misspell key"] == counts["retype to null"] == keys
    assert counts["delete key"] == keys
    for path in mutate.content_files(project):
        assert by_file[path]["invalid UTF-8"] == 1 and by_file[path]["empty file"] == 1


def test_a_traceback_is_counted_even_behind_the_last_resort_handler(project, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a defect nobody has found yet")
    monkeypatch.setattr(loader, "load_yaml", broken)  # the forked runs inherit it
    [mutation] = [m for m in mutate.all_mutations(project)
                  if m.kind == "misspell key" and m.where == "name"
                  and m.path == "content/site.yaml"]
    outcome = mutate.try_mutation(project, mutation, project)
    assert "internal error in medguide" in outcome.check[1]
    assert outcome.traceback and not outcome.clean


def test_a_mutation_that_breaks_the_schema_must_not_be_accepted(project):
    record = project / "content" / "medicines" / "baclofen" / "medicine.yaml"
    data = yaml.safe_load(record.read_text())
    data["generic_name"] = 42
    mutation = mutate.Mutation("content/medicines/baclofen/medicine.yaml", "retype to number",
                               "generic_name", yaml.safe_dump(data).encode())
    assert mutate.schema_says_wrong(mutation)
    harmless = mutate.Mutation(mutation.path, "delete key", "x", record.read_bytes())
    assert not mutate.schema_says_wrong(harmless)
