"""YAML parsing that remembers where every value came from, so problems can name a line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Loc = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Line and column (1-based) of each value and each mapping key, by path."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    duplicates: list[tuple[Loc, int, int]] = field(default_factory=list)
    line_offset: int = 0

    def locate(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Position of `loc`, or of its nearest parent that exists (for missing fields)."""
        loc = tuple(loc)
        if key and loc in self.keys:
            line, col = self.keys[loc]
            return line + self.line_offset, col
        while loc:
            if loc in self.values:
                line, col = self.values[loc]
                return line + self.line_offset, col
            loc = loc[:-1]
        line, col = self.values.get((), (1, 1))
        return line + self.line_offset, col


    def field_at(self, line: int) -> str:
        """The dotted name of the field written on `line`: the deepest value starting on the
        nearest line at or above it (a long text continues over several lines)."""
        best: tuple[int, int] | None = None
        found: Loc = ()
        for loc, (value_line, _) in self.values.items():
            value_line += self.line_offset
            if value_line <= line and (best is None or (value_line, len(loc)) > best):
                best, found = (value_line, len(loc)), loc
        text = ""
        for part in found:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
        return text or "(record)"


class YamlError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class _ContentLoader(yaml.SafeLoader):
    """PyYAML's safe loader, stricter where content needs it.

    Aliases (`*name`) are refused: records never need them, and an alias bomb would expand
    into billions of values during validation. A value that YAML's own constructors cannot
    build (a date like 2026-02-30, `!!int abc`) becomes an error at that value's position
    instead of a bare Python exception.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed; write the value out in full",
                event.start_mark)
        return super().compose_node(parent, index)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            what = "a real date" if node.tag.endswith(":timestamp") else "a valid value"
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not {what} ({exc})", node.start_mark) from None


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus a map of where each value was written."""
    try:
        loader = _ContentLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise YamlError(f"invalid YAML: control character #x{exc.character:04x} is not allowed",
                        line + line_offset, column) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, SourceMap(line_offset=line_offset)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and problem.startswith("but "):  # "expected X" + "but found Y"
            problem = f"{exc.context}, {problem}"
        raise YamlError(f"invalid YAML: {problem}", line + line_offset, column) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        raise YamlError(f"invalid YAML: {exc}", 1 + line_offset, 1) from None
    except RecursionError:
        raise YamlError("invalid YAML: values are nested too deeply", loader.line + 1 +
                        line_offset, loader.column + 1) from None
    finally:
        loader.dispose()
    source_map = SourceMap(line_offset=line_offset)
    _walk(node, (), source_map)
    return data, source_map


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, loc: Loc, source_map: SourceMap) -> None:
    source_map.values[loc] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            child = loc + (key,)
            if key in seen:
                source_map.duplicates.append((child, *_mark(key_node)))
            seen.add(key)
            source_map.keys[child] = _mark(key_node)
            _walk(value_node, child, source_map)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, loc + (index,), source_map)
