"""The layout of `generator/` is the pipeline: model → content → checks and render → build →
cli. A module imports only from its own stage or an earlier one, and nothing imports in a
circle, so a newcomer can read the stages in order."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# Earlier stages first. checks and render are siblings: both read content, neither the other.
STAGES = ["model", "content", ("checks", "render"), "build", "cli"]


def stage_rank(module: str) -> int:
    stage = module.split(".")[1]
    for rank, names in enumerate(STAGES):
        if stage == names or stage in names:
            return rank
    raise AssertionError(f"{module} is in no stage package")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """The medguide modules `path` imports, wherever in the file (function-level too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}: relative import; name the stage"
            if node.module and node.module.startswith("generator"):
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("generator")}
    return found


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}
GRAPH = {name: imports_of(path) - {name} for name, path in MODULES.items()}
STAGE_MODULES = sorted(name for name in MODULES if name.count(".") >= 2)


def test_every_module_lives_in_a_stage_package():
    loose = [name for name in MODULES if name.count(".") == 1 and name.split(".")[1]
             not in {"model", "content", "checks", "render", "build", "cli"}]
    assert loose == []


@pytest.mark.parametrize("module", STAGE_MODULES)
def test_a_module_imports_only_its_own_stage_or_earlier_ones(module):
    rank = stage_rank(module)
    stage = module.split(".")[1]
    later = sorted(d for d in GRAPH[module] if d.count(".") >= 1 and (
        stage_rank(d) > rank or (stage_rank(d) == rank and d.split(".")[1] != stage)))
    assert later == [], f"{module} imports from a later or sibling stage"


def test_no_import_cycles():
    cycles = []
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for dependency in sorted(GRAPH.get(module, ())):
            if state.get(dependency) == 1:
                cycles.append(path[path.index(dependency):] + [dependency])
            elif dependency in GRAPH and not state.get(dependency):
                visit(dependency, path + [dependency])
        state[module] = 2

    for module in sorted(GRAPH):
        if not state.get(module):
            visit(module, [module])
    assert cycles == []


def test_the_rule_catches_an_upward_import(tmp_path):
    """The check above can fail: a content module importing from build is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text("from generator.build.cache import digest\n")
    module = "generator.content.loader"
    assert any(stage_rank(d) > stage_rank(module) for d in imports_of(sample))
