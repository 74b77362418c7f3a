"""The corpus of bad input: each case under tests/checks/bad_records/ and exactly what it prints.

A case is a folder holding `case.yaml` (what is wrong, how the fixture content is changed,
which command runs) and `expected.txt` (everything the command prints on stderr). Changes
are applied to a copy of tests/fixtures/content: `edit` replaces one exact piece of text in a
file, `files/` is copied over the content, `copy` duplicates a folder of it, `delete` removes
files.

After an intended change of wording, run `UPDATE_BAD_RECORDS=1 make test` and review the
diff of tests/checks/bad_records/ before committing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, edit, write_mkdocs_config

from generator.cli import main as cli

CORPUS = Path(__file__).parent / "bad_records"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())


def make_project(tmp_path: Path, case_dir: Path, case: dict) -> Path:
    content = tmp_path / "content"
    shutil.copytree(FIXTURES / "content", content)
    if (case_dir / "files").is_dir():
        shutil.copytree(case_dir / "files", content, dirs_exist_ok=True)
    for copy in case.get("copy", []):
        shutil.copytree(content / copy["from"], content / copy["to"])
    for change in case.get("edit", []):
        edit(content / change["file"], change["replace"], change["with"])
    for name in case.get("delete", []):
        (content / name).unlink()
    return write_mkdocs_config(tmp_path, content, tmp_path / "site")


def run(command: list[str], tmp_path: Path, capsys) -> tuple[int, str]:
    if command[0] == "check":
        # In-process: fast, and `check` prints only through sys.stderr.
        code = cli.main(["--config", "mkdocs.yml", *command])
        return code, capsys.readouterr().err
    # A build runs MkDocs, which configures logging: a fresh process each time.
    result = subprocess.run([sys.executable, "-m", "generator.cli.main", "--config", "mkdocs.yml",
                             *command], cwd=tmp_path, capture_output=True, text=True)
    return result.returncode, result.stderr


def test_the_corpus_is_not_empty():
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", CASES)
def test_bad_input_prints_exactly_the_expected_message(name, tmp_path, monkeypatch, capsys):
    case_dir = CORPUS / name
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    make_project(tmp_path, case_dir, case)
    monkeypatch.chdir(tmp_path)
    code, stderr = run(case.get("command", ["check"]), tmp_path, capsys)
    expected_path = case_dir / "expected.txt"
    if os.environ.get("UPDATE_BAD_RECORDS"):
        expected_path.write_text(stderr, encoding="utf-8")
    assert "Traceback" not in stderr
    assert code == case.get("exit", 1)
    assert stderr == expected_path.read_text(encoding="utf-8")
    if case.get("command", ["check"])[0] == "build":
        assert not (tmp_path / "site").exists(), "a failed build must not create a site"
