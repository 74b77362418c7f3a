"""The JSON Schema editors' tools use: generated from the model, committed, and in agreement."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from conftest import FIXTURES, ROOT, medguide

from generator.model.schema import SCHEMA_COMMENT, SCHEMA_FILE, medicine_schema, schema_text

COMMITTED = ROOT / "content" / SCHEMA_FILE
RECORDS = sorted((ROOT / "content" / "medicines").glob("*/medicine.yaml"))


def as_json_data(path: Path):
    """A record as the YAML language server sees it: dates are plain strings."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()
                                 if isinstance(v, dt.date) else str(v)))


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(COMMITTED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_committed_schema_is_up_to_date():
    """After changing model.py, run `make schema` and commit content/medicine.schema.json."""
    assert COMMITTED.read_text(encoding="utf-8") == schema_text()


def test_medguide_schema_prints_the_schema():
    result = medguide("schema")
    assert result.returncode == 0, result.stderr
    assert result.stdout == schema_text()


def test_medguide_schema_can_write_a_file(tmp_path):
    target = tmp_path / "out.json"
    result = medguide("schema", "--output", str(target))
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == schema_text()


def test_the_schema_describes_fields_for_editors():
    schema = medicine_schema()
    assert schema["additionalProperties"] is False
    assert "changes" in schema["required"]
    change = schema["$defs"]["Change"]
    assert change["properties"]["by"]["description"].startswith("Id from content/reviewers.yaml")
    assert schema["$defs"]["Amount"]["properties"]["unit"]["enum"] == [
        "mcg", "mg", "g", "mcg/mL", "mg/mL", "mL"]


@pytest.mark.parametrize("record", RECORDS, ids=lambda p: p.parent.name)
def test_every_record_names_the_schema_and_passes_it(record, validator):
    first_line = record.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_COMMENT
    assert (record.parent / first_line.split("$schema=")[1]).resolve() == COMMITTED.resolve()
    assert list(validator.iter_errors(as_json_data(record))) == []


def test_the_fixture_passes_the_schema(validator):
    assert list(validator.iter_errors(
        as_json_data(FIXTURES / "content" / "medicines" / "testofen" / "medicine.yaml"))) == []


@pytest.mark.parametrize("change, path", [
    (lambda d: d.__setitem__("side_efects", d.pop("side_effects")), []),
    (lambda d: d["review"].__setitem__("status", "aproved"), ["review", "status"]),
    (lambda d: d["forms"][0]["strengths"][0].__setitem__("unit", "mgs"),
     ["forms", 0, "strengths", 0, "unit"]),
    (lambda d: d.pop("changes"), []),
])
def test_the_schema_underlines_what_check_rejects(change, path, validator):
    data = as_json_data(FIXTURES / "content" / "medicines" / "testofen" / "medicine.yaml")
    change(data)
    errors = list(validator.iter_errors(data))
    assert errors, "the schema accepted a record the model rejects"
    assert {tuple(e.absolute_path) for e in errors} == {tuple(path)}
