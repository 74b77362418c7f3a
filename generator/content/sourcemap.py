"""YAML parsing that remembers where every value came from, so problems can name a line."""

from __future__ import annotations

import re
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


# Records nest a few levels deep; no real content comes near this.
MAX_NESTING = 100


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
        # A fixed limit, so the error names the same place however deep the caller's stack.
        depth = getattr(self, "_depth", 0)
        if depth >= MAX_NESTING:
            raise yaml.composer.ComposerError(None, None, "values are nested too deeply",
                                              self.peek_event().start_mark)
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as exc:
            what = "a real date" if node.tag.endswith(":timestamp") else "a valid value"
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not {what} ({exc})", node.start_mark) from None


# libyaml parses about three times faster than PyYAML's pure-Python loader (a thousand records
# load in seconds, not half a minute). A document the fast path does not take as it is (any
# error, an alias, a merge key, an unusual tag) goes through `_ContentLoader`, whose messages
# and positions the checks report.
FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus a map of where each value was written."""
    if FAST_LOADER is not None:
        parsed = _parse_fast(text, line_offset)
        if parsed is not None:
            return parsed
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


class _Unusual(Exception):
    """A document the fast path leaves to `_ContentLoader`."""


# libyaml composes recursively in C: a document nested tens of thousands deep would crash the
# process. These bounds on nesting (flow brackets, indentation, "- - -" runs) send any
# document that could nest deeply to the careful loader, which stops at MAX_NESTING.
_DEEP_INDENT = re.compile(r"\n[ \t]{%d}" % (4 * MAX_NESTING))
_DEEP_DASHES = re.compile(r"(?:-[ \t]+){%d}" % MAX_NESTING)


_BRACKETS = re.compile(r"[\[\]{}]")


def _flow_depth(text: str) -> int:
    """How deep brackets nest in `text` (at least: brackets inside quotes count too)."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(0, depth - 1)
    return deepest


def _parse_fast(text: str, line_offset: int) -> tuple[Any, SourceMap] | None:
    """`parse_yaml` by libyaml for plain documents; None for any other."""
    if _flow_depth(text) >= MAX_NESTING or _DEEP_INDENT.search(text) or \
            _DEEP_DASHES.search(text):
        return None
    try:
        loader = FAST_LOADER(text)
    except Exception:
        return None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        source_map = SourceMap(line_offset=line_offset)
        return _construct(node, (), source_map, loader, set()), source_map
    except (yaml.YAMLError, _Unusual, RecursionError, ValueError, TypeError, OverflowError):
        return None
    finally:
        loader.dispose()


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _construct(node: yaml.Node, loc: Loc, source_map: SourceMap, loader: Any,
               seen_nodes: set[int]) -> Any:
    """Plain data from `node` while recording positions, in one pass: what PyYAML's
    constructor followed by `_walk` give, at about half the cost. Strings, mappings and
    sequences are built here; other scalars (numbers, dates, booleans) by PyYAML."""
    if id(node) in seen_nodes:  # an alias: refused, with its message, by _ContentLoader
        raise _Unusual
    seen_nodes.add(id(node))
    mark = node.start_mark
    source_map.values[loc] = (mark.line + 1, mark.column + 1)
    kind = node.__class__
    if kind is yaml.ScalarNode:
        return node.value if node.tag == _STR_TAG else loader.construct_object(node, deep=True)
    if kind is yaml.MappingNode and node.tag == _MAP_TAG:
        data: dict = {}
        seen: set[Any] = set()
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode or key_node.tag == _MERGE_TAG:
                raise _Unusual
            raw = key_node.value
            child = loc + (raw,)
            key_mark = key_node.start_mark
            if raw in seen:
                source_map.duplicates.append((child, key_mark.line + 1, key_mark.column + 1))
            seen.add(raw)
            source_map.keys[child] = (key_mark.line + 1, key_mark.column + 1)
            key = raw if key_node.tag == _STR_TAG else loader.construct_object(key_node)
            data[key] = _construct(value_node, child, source_map, loader, seen_nodes)
        return data
    if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_construct(item, loc + (index,), source_map, loader, seen_nodes)
                for index, item in enumerate(node.value)]
    raise _Unusual
