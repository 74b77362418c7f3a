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


class YamlError(Exception):
    def __init__(self, message: str, line: int, column: int):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


# libyaml parses about seven times faster than PyYAML's pure-Python parser (a thousand records
# load in seconds, not half a minute). Its error wording differs, so a document it rejects is
# parsed again by the pure-Python loader, whose messages and positions the checks report.
FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain data plus a map of where each value was written."""
    if FAST_LOADER is not yaml.SafeLoader:
        try:
            return _parse_with(FAST_LOADER, text, line_offset)
        except YamlError:
            pass
    return _parse_with(yaml.SafeLoader, text, line_offset)


def _parse_with(loader_class: type, text: str, line_offset: int) -> tuple[Any, SourceMap]:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, SourceMap(line_offset=line_offset)
        source_map = SourceMap(line_offset=line_offset)
        try:
            data = _construct(node, (), source_map, loader)
        except _Unusual:
            data = loader.construct_document(node)
            source_map = SourceMap(line_offset=line_offset)
            _walk(node, (), source_map)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"invalid YAML: {problem}", line + line_offset, column) from None
    except yaml.YAMLError as exc:  # e.g. a reader error on control characters
        raise YamlError(f"invalid YAML: {exc}", 1 + line_offset, 1) from None
    finally:
        loader.dispose()
    return data, source_map


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Unusual(Exception):
    """A document using YAML features the one-pass reader leaves to PyYAML's constructor."""


def _construct(node: yaml.Node, loc: Loc, source_map: SourceMap, loader: Any) -> Any:
    """Plain data from `node` while recording positions, in one pass: the same result as
    PyYAML's constructor followed by `_walk`, at about half the cost. Plain strings, mappings
    and sequences are built here; other scalars (numbers, dates, booleans) by PyYAML."""
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
            try:
                data[key] = _construct(value_node, child, source_map, loader)
            except TypeError:  # an unhashable key: let PyYAML report it
                raise _Unusual from None
        return data
    if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
        return [_construct(item, loc + (index,), source_map, loader)
                for index, item in enumerate(node.value)]
    raise _Unusual


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
