"""Property-based tests (hypothesis): whatever an editor's file holds, medguide answers with
a valid record or with clean, located errors, and never with a traceback.

Inputs: random text and bytes, random YAML data, the fixture record with random structural
mutations (fields deleted, renamed, retyped, replaced), and the fixture's text with random
edits. The examples are derandomized so `make test` is repeatable; set
MEDGUIDE_HYPOTHESIS_EXAMPLES=2000 (and HYPOTHESIS_RANDOM=1) to search harder.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, TEMPLATES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.pipeline import build_site
from generator.checks.records import check_catalog
from generator.content.loader import load_catalog
from generator.content.problems import Problem

RECORD = FIXTURES / "content" / "medicines" / "testofen" / "medicine.yaml"
RECORD_TEXT = RECORD.read_text(encoding="utf-8")
RECORD_DATA = yaml.safe_load(RECORD_TEXT)
TODAY = dt.date(2026, 11, 21)
EXAMPLES = int(os.environ.get("MEDGUIDE_HYPOTHESIS_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None,
                    derandomize=not os.environ.get("HYPOTHESIS_RANDOM"),
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("property") / "content"
    shutil.copytree(FIXTURES / "content", content)
    return content


def load_and_check(content: Path, data: bytes) -> None:
    """Write `data` as the record and run the loader and the checks. Asserts the property."""
    record_path = content / "medicines" / "testofen" / "medicine.yaml"
    record_path.write_bytes(data)
    catalog, problems = load_catalog(content)  # must not raise
    assert catalog is not None  # site.yaml is untouched
    loaded = [m for m in catalog.medicines if m.slug == "testofen"]
    record_errors = [p for p in problems.errors if p.path.endswith("testofen/medicine.yaml")]
    # Either a valid record, or clean errors that say where: never both, never neither.
    assert bool(loaded) != bool(record_errors), (loaded, record_errors)
    line_count = max(1, data.count(b"\n") + 1)
    for problem in problems.items:
        assert_clean(problem, line_count)
    if loaded:
        for problem in check_catalog(catalog, TODAY).items:  # must not raise either
            assert_clean(problem, line_count + 1000)


def assert_clean(problem: Problem, line_count: int) -> None:
    text = str(problem)
    assert "Traceback" not in text
    assert problem.message and problem.field
    assert 1 <= problem.line <= line_count + 1, text
    assert problem.column >= 1, text
    assert text.startswith(f"{problem.path}:{problem.line}:{problem.column}: {problem.field}: ")


# ---------------------------------------------------------------- strategies

scalars = (st.none() | st.booleans() | st.integers(min_value=-10**12, max_value=10**12)
           | st.floats() | st.text(max_size=30) | st.dates()
           | st.sampled_from(["mg", "mL", "draft", "approved", "tablet", "by_mouth",
                              "editorial-team", "<script>x</script>", "[a](javascript:x)",
                              "TODO", "", "2026-02-30", "*alias", ".inf"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12) | st.sampled_from(
                          ["value", "unit", "status", "forms", "id"]), inner, max_size=4),
                      max_leaves=12)


def paths_in(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths_in(value, prefix + (key,))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from paths_in(value, prefix + (index,))


@st.composite
def mutated_records(draw):
    data = copy.deepcopy(RECORD_DATA)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        paths = [p for p in paths_in(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        key = path[-1]
        action = draw(st.sampled_from(["delete", "replace", "rename", "duplicate", "empty"]))
        if action == "delete":
            del parent[key]
        elif action == "replace":
            parent[key] = draw(values)
        elif action == "rename" and isinstance(parent, dict):
            parent[key + draw(st.sampled_from(["s", "_", "x"]))] = parent.pop(key)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif action == "empty":
            parent[key] = type(parent[key])() if isinstance(parent[key], (list, dict, str)) \
                else None
    return data


@st.composite
def edited_texts(draw):
    lines = RECORD_TEXT.splitlines(keepends=True)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        index = draw(st.integers(min_value=0, max_value=len(lines) - 1))
        action = draw(st.sampled_from(["delete", "insert", "indent", "dedent", "truncate",
                                       "duplicate"]))
        if action == "delete":
            del lines[index]
        elif action == "insert":
            column = draw(st.integers(min_value=0, max_value=len(lines[index])))
            text = draw(st.text(max_size=10) | st.sampled_from(
                [": ", "- ", "\t", "[", "{", "&a ", "*a", "!!int ", "'", '"', "#", "---\n"]))
            lines[index] = lines[index][:column] + text + lines[index][column:]
        elif action == "indent":
            lines[index] = "  " + lines[index]
        elif action == "dedent":
            lines[index] = lines[index].lstrip()
        elif action == "truncate":
            lines = lines[:index]
        elif action == "duplicate":
            lines.insert(index, lines[index])
        if not lines:
            break
    return "".join(lines)


# ---------------------------------------------------------------- properties


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_give_a_record_or_clean_errors(workspace, data):
    load_and_check(workspace, data)


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_gives_a_record_or_clean_errors(workspace, text):
    load_and_check(workspace, text.encode("utf-8"))


@SETTINGS
@given(values)
def test_random_yaml_data_gives_a_record_or_clean_errors(workspace, data):
    load_and_check(workspace, yaml.safe_dump(data, allow_unicode=True).encode("utf-8"))


@SETTINGS
@given(mutated_records())
def test_mutated_records_give_a_record_or_clean_errors(workspace, data):
    load_and_check(workspace, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
                   .encode("utf-8"))


@SETTINGS
@given(edited_texts())
def test_edited_record_text_gives_a_record_or_clean_errors(workspace, text):
    load_and_check(workspace, text.encode("utf-8"))


@settings(SETTINGS, max_examples=max(10, EXAMPLES // 3))
@given(mutated_records())
def test_the_whole_pipeline_never_raises_in_build_or_preview(workspace, data):
    record_path = workspace / "medicines" / "testofen" / "medicine.yaml"
    record_path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    published = build_site(workspace, TEMPLATES, today=TODAY)
    preview = build_site(workspace, TEMPLATES, today=TODAY, preview=True)
    if published.ok:
        assert any(p.medicine == "testofen" for p in published.pages)
    else:
        # The preview still shows the medicine: its pages, or a page saying why it cannot.
        assert any(p.src_uri.startswith("medicines/testofen/") for p in preview.pages)
        assert "banner--problems" in next(p for p in preview.pages
                                          if p.src_uri == "index.md").markdown
