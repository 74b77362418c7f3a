"""Load content: read files, parse YAML and front matter, validate against the model.

Every problem is collected (not only the first), each naming file, line, column and field.
Nothing here writes to disk.
"""

from __future__ import annotations

import contextlib
import difflib
import fnmatch
import os
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pydantic import BaseModel, ValidationError

from generator.content.files import size_refusal
from generator.content.problems import Problems
from generator.content.sourcemap import Loc, SourceMap, YamlError, parse_yaml
from generator.model.records import (
    PATTERN_WORDS,
    ClassList,
    Glossary,
    GlossaryTerm,
    Interaction,
    Medicine,
    ProseFrontMatter,
    Reviewer,
    ReviewerList,
    SitePageFrontMatter,
    SiteSettings,
)

RECORD_FILE = "medicine.yaml"
GLOSSARY_FILE = "glossary.yaml"
REVIEWERS_FILE = "reviewers.yaml"
CLASSES_FILE = "classes.yaml"
INTERACTIONS_DIR = "interactions"
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*\n", re.DOTALL)


@dataclass(frozen=True)
class Prose:
    """Free Markdown an editor wrote for one page of a medicine."""

    path: Path
    page: str
    title: str
    body: str
    body_line: int  # line of the file where the body starts


@dataclass(frozen=True)
class MedicineSource:
    slug: str
    path: Path
    record: Medicine
    source_map: SourceMap
    prose: tuple[Prose, ...] = ()
    text: str = ""  # the record's YAML as written, for checks that read comments (TODO)


@dataclass(frozen=True)
class SitePageSource:
    path: Path
    name: str  # file name without .md, e.g. "index", "about"
    front_matter: SitePageFrontMatter
    body: str
    body_line: int


@dataclass(frozen=True)
class GlossarySource:
    path: Path
    glossary: Glossary
    source_map: SourceMap

    @property
    def terms(self) -> list[GlossaryTerm]:
        return list(self.glossary.terms)


@dataclass(frozen=True)
class ClassesSource:
    """`content/classes.yaml`: the classes, substances and other medicines interactions name."""

    path: Path
    record: ClassList
    source_map: SourceMap


@dataclass(frozen=True)
class InteractionSource:
    """One file of `content/interactions/`."""

    path: Path
    record: Interaction
    source_map: SourceMap

    @property
    def name(self) -> str:
        return self.path.stem


@dataclass
class Catalog:
    """Everything under `content/` that loaded and is schema-valid, and what did not load.

    A record that fails to load stays known by its file, so that whatever names it (an
    interaction rule, a link) is skipped quietly instead of being reported again or
    failing: its own problems are reported already."""

    root: Path
    site: SiteSettings | None  # None when site.yaml could not be loaded: nothing is rendered
    medicines: list[MedicineSource] = field(default_factory=list)
    pages: list[SitePageSource] = field(default_factory=list)
    glossary: GlossarySource | None = None
    # Reviewers by id, from reviewers.yaml; None when that file could not be read (then
    # records' reviewer ids are not checked, rather than all reported as unknown).
    reviewers: dict[str, Reviewer] | None = field(default_factory=dict)
    reviewers_map: SourceMap | None = None
    classes: ClassesSource | None = None
    interactions: list[InteractionSource] = field(default_factory=list)
    # Medicine folders whose record could not be loaded: slug -> record file.
    failed_medicines: dict[str, Path] = field(default_factory=dict)
    # classes.yaml exists but could not be loaded: rules and memberships naming a class are
    # skipped rather than reported as naming an unknown class.
    classes_failed: bool = False
    # Interaction rules left out because they name something that could not be loaded.
    skipped_rules: list[InteractionSource] = field(default_factory=list)
    # Where each of site.yaml's fields is written, for problems found in its text.
    site_map: SourceMap | None = None


def read_text(path: Path, problems: Problems) -> str | None:
    """UTF-8 text of a file, or None after recording why it cannot be used."""
    if path.is_symlink():
        return None  # never followed; reported by check_content_tree
    if too_large := size_refusal(path):
        problems.add(path, 1, 1, "(file)", *too_large)
        return None
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.add(path, 1, 1, "(file)", f"cannot read file: {exc.strerror}")
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        problems.add(path, line, column, "(file)",
                     f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                     "save the file with UTF-8 encoding")
        return None
    if not text.strip():
        problems.add(path, 1, 1, "(file)", "file is empty")
        return None
    return text.lstrip("\ufeff")


def load_yaml(path: Path, text: str, problems: Problems, line_offset: int = 0
              ) -> tuple[Any, SourceMap] | None:
    try:
        data, source_map = parse_yaml(text, line_offset)
    except YamlError as exc:
        problems.add(path, exc.line, exc.column, "(yaml)", exc.message)
        return None
    for loc, line, column in source_map.duplicates:
        problems.add(path, line + line_offset, column, dotted(loc), "key appears more than once")
    return data, source_map


def validate_model(model: type[BaseModel], data: Any, path: Path, source_map: SourceMap,
                   problems: Problems) -> Any | None:
    """Validate `data` against `model`, translating each pydantic error to a located problem."""
    if not isinstance(data, dict):
        line, column = source_map.locate(())
        problems.add(path, line, column, "(file)",
                     f"expected a mapping of fields, found {type_name(data)}")
        return None
    try:
        valid = model.model_validate(data)
        # A key written twice is already an error: YAML kept only one of the values, so
        # the record is not what the editor wrote.
        return None if source_map.duplicates else valid
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    # A misspelled key shows up twice: as unknown, and its intended field as missing.
    # Report it once, as the unknown key with a suggestion.
    suggested = set()
    for error in errors:
        if error["type"] == "extra_forbidden":
            loc = tuple(error["loc"])
            close = suggest(str(loc[-1]), field_names_at(model, loc[:-1]))
            if close:
                suggested.add(loc[:-1] + (close,))
    for error in errors:
        if error["type"] == "missing" and tuple(error["loc"]) in suggested:
            continue
        report_validation_error(model, error, path, source_map, problems)
    return None


# Plain words for pydantic's error types; anything not listed keeps pydantic's message.
MESSAGES = {
    "int_type": "must be a whole number", "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number", "float_parsing": "must be a number",
    "string_type": "must be text", "list_type": "must be a list",
    "model_type": "must be a mapping of fields", "dict_type": "must be a mapping of fields",
    "model_attributes_type": "must be a mapping of fields",
    "bool_type": "must be true or false", "bool_parsing": "must be true or false",
    "date_type": "must be a date written like 2026-01-31",
    "date_parsing": "must be a date written like 2026-01-31",
    "date_from_datetime_parsing": "must be a date written like 2026-01-31",
    "finite_number": "must be an ordinary number, not infinity",
}



def suggest(word: str, choices: list[str]) -> str | None:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def report_validation_error(model: type[BaseModel], error: dict, path: Path,
                            source_map: SourceMap, problems: Problems) -> None:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    ctx = error.get("ctx") or {}
    hint = None
    if kind == "extra_forbidden":
        line, column = source_map.locate(loc, key=True)
        known = field_names_at(model, loc[:-1])
        message = "unknown field"
        close = suggest(str(loc[-1]), known)
        if close:
            hint = f"did you mean {close}?"
        elif known:
            hint = "allowed fields: " + ", ".join(known)
    elif kind == "missing":
        line, column = source_map.locate(loc)
        message = "required field is missing"
        hint = f"add `{loc[-1]}:`"
    else:
        line, column = source_map.locate(loc)
        message = MESSAGES.get(kind, error["msg"])
        if message.startswith("Value error, "):
            message = message[len("Value error, "):]
        if kind in ("literal_error", "enum"):
            choices = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            message = "must be one of: " + ", ".join(choices)
            if isinstance(error.get("input"), str):
                close = difflib.get_close_matches(error["input"], choices, n=1, cutoff=0.5)
                if close:
                    hint = f"did you mean {close[0]}?"
        elif kind == "too_short":
            message = ("must not be empty" if isinstance(error.get("input"), str)
                       else f"must have at least {ctx.get('min_length', 1)} item"
                       + ("s" if ctx.get("min_length", 1) != 1 else ""))
        elif kind == "string_too_short":
            message = "must not be empty"
        elif kind == "greater_than":
            message = f"must be more than {ctx.get('gt'):g}"
        elif kind == "string_pattern_mismatch":
            message = PATTERN_WORDS.get(ctx.get("pattern"), message)
            if isinstance(error.get("input"), str):
                message += f" (found {error['input']!r})"
        if kind in MESSAGES and kind != "finite_number" and error.get("input") is not None:
            message += f" (found {type_name(error['input'])} {error['input']!r})"
    problems.add(path, line, column, dotted(loc) or "(record)", message, hint)


def field_names_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names (as written in YAML) of the model found at `loc` inside `model`."""
    current: Any = model
    for part in loc:
        current = _unwrap(current, part)
        if current is None:
            return []
    current = _unwrap(current, None)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _unwrap(annotation: Any, part: str | int | None) -> Any:
    """Step from an annotation to the type at `part` (a field name or a list index)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0]
        else:
            break
    if part is None:
        return annotation
    if isinstance(part, int):
        if typing.get_origin(annotation) is list:
            return typing.get_args(annotation)[0]
        return None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation if not info.metadata else typing.Annotated[
                    info.annotation, *info.metadata]
    return None


def split_front_matter(path: Path, text: str, model: type[BaseModel], problems: Problems
                       ) -> tuple[Any, str, int] | None:
    """(front matter model, body, line where body starts) of a Markdown file."""
    match = FRONT_MATTER.match(text)
    if not match:
        problems.add(path, 1, 1, "(front matter)",
                     "missing front matter", "start the file with a `---` block of fields")
        return None
    body_line = text[: match.end()].count("\n") + 1
    loaded = load_yaml(path, match.group(1) or "", problems, line_offset=1)
    if loaded is None:
        return None
    data, source_map = loaded
    front = validate_model(model, data, path, source_map, problems)
    if front is None:
        return None
    return front, text[match.end():], body_line


def load_medicine(folder: Path, problems: Problems) -> MedicineSource | None:
    path = folder / RECORD_FILE
    if not path.exists():
        problems.add(folder, 1, 1, "(folder)", f"medicine folder has no {RECORD_FILE}")
        return None
    text = read_text(path, problems)
    if text is None:
        return None
    loaded = load_yaml(path, text, problems)
    if loaded is None:
        return None
    data, source_map = loaded
    record = validate_model(Medicine, data, path, source_map, problems)
    prose = []
    for md_path in markdown_files(folder):
        md_text = read_text(md_path, problems)
        if md_text is None:
            continue
        split = split_front_matter(md_path, md_text, ProseFrontMatter, problems)
        if split is None:
            continue
        front, body, body_line = split
        prose.append(Prose(md_path, front.page, front.title, body, body_line))
    if record is None:
        return None
    return MedicineSource(folder.name, path, record, source_map, tuple(prose), text)


def load_site_page(path: Path, problems: Problems) -> SitePageSource | None:
    text = read_text(path, problems)
    if text is None:
        return None
    split = split_front_matter(path, text, SitePageFrontMatter, problems)
    if split is None:
        return None
    front, body, body_line = split
    return SitePageSource(path, path.stem, front, body, body_line)


def load_reviewers(root: Path, problems: Problems
                   ) -> tuple[dict[str, Reviewer] | None, SourceMap | None]:
    """Reviewers by id from `reviewers.yaml` (None if the file cannot be used)."""
    path = root / REVIEWERS_FILE
    if not path.is_file():
        problems.add(path, 1, 1, "(file)", "file is missing",
                     "list who writes and reviews guides: id, name or role, credentials")
        return None, None
    text = read_text(path, problems)
    loaded = load_yaml(path, text, problems) if text is not None else None
    if loaded is None:
        return None, None
    data, source_map = loaded
    listing = validate_model(ReviewerList, data, path, source_map, problems)
    if listing is None:
        return None, None
    reviewers: dict[str, Reviewer] = {}
    for index, reviewer in enumerate(listing.reviewers):
        if reviewer.id in reviewers:
            line, column = source_map.locate(("reviewers", index, "id"))
            problems.add(path, line, column, f"reviewers[{index}].id",
                         f"reviewer id {reviewer.id!r} is listed twice")
        reviewers.setdefault(reviewer.id, reviewer)
    return reviewers, source_map


def load_record(path: Path, model: type[BaseModel], problems: Problems
                ) -> tuple[Any, SourceMap] | None:
    """(validated record, source map) of one YAML file, or None after recording problems."""
    text = read_text(path, problems)
    if text is None:
        return None
    loaded = load_yaml(path, text, problems)
    if loaded is None:
        return None
    record = validate_model(model, loaded[0], path, loaded[1], problems)
    return None if record is None else (record, loaded[1])


def load_interactions(root: Path, problems: Problems, loader: Loader | None = None
                      ) -> tuple[ClassesSource | None, list[InteractionSource]]:
    """`classes.yaml` and every `interactions/*.yaml`; both are optional. `loader` loads the
    files (see `load_catalog`)."""
    loader = loader or load_each
    classes = None
    classes_path = root / CLASSES_FILE
    if classes_path.exists():
        [classes] = loader(load_classes, [classes_path], problems)
    paths = []
    folder = root / INTERACTIONS_DIR
    # scandir's entries know whether they are links or files: thousands of rules cost no
    # more than reading the folder.
    with contextlib.suppress(FileNotFoundError, NotADirectoryError), os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
        for entry in entries:
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_symlink():
                continue  # reported by check_content_tree
            path = folder / entry.name
            if not entry.name.endswith(".yaml") or not entry.is_file():
                problems.add(path, 1, 1, "(file)", "only .yaml files belong in interactions/",
                             "name it like alcohol--baclofen.yaml")
                continue
            paths.append(path)
    loaded_rules = loader(load_rule, paths, problems)
    return classes, [rule for rule in loaded_rules if rule is not None]


def load_classes(path: Path, problems: Problems) -> ClassesSource | None:
    loaded = load_record(path, ClassList, problems)
    return None if loaded is None else ClassesSource(path, *loaded)


def load_rule(path: Path, problems: Problems) -> InteractionSource | None:
    loaded = load_record(path, Interaction, problems)
    return None if loaded is None else InteractionSource(path, *loaded)


# How a list of records is loaded: `loader(load, paths, problems)` gives `load(path,
# problems)` for each path, in order. A cached or parallel loader can stand in for the plain
# one (`load_each`).
Loader = Callable[[Callable[[Path, Problems], Any], list[Path], Problems], list[Any]]


def load_each(load: Callable[[Path, Problems], Any], paths: list[Path], problems: Problems
              ) -> list[Any]:
    return [load(path, problems) for path in paths]


def load_catalog(root: Path, loader: Loader = load_each) -> tuple[Catalog, Problems]:
    """Load all content under `root`. Returns (catalog, problems found).

    Everything that loads is in the catalog, whatever else failed; what failed is listed in
    it too (see `Catalog`). `loader` loads the medicine folders, classes.yaml and the
    interaction rule files (a cached or parallel loader can stand in)."""
    problems = Problems()
    check_content_tree(root, problems)
    site_path = root / "site.yaml"
    loaded_site = load_record(site_path, SiteSettings, problems)
    reviewers, reviewers_map = load_reviewers(root, problems)
    folders = medicine_folders(root)
    medicines, failed = [], {}
    for folder, source in zip(folders, loader(load_medicine, folders, problems)):
        if source is None:
            failed[folder.name] = folder / RECORD_FILE
        else:
            medicines.append(source)
    pages = []
    for md_path in markdown_files(root / "pages"):
        page = load_site_page(md_path, problems)
        if page is not None:
            pages.append(page)
    glossary = load_glossary(root / GLOSSARY_FILE, problems)
    classes, interactions = load_interactions(root, problems, loader)
    catalog = Catalog(root, loaded_site[0] if loaded_site else None, medicines, pages,
                      glossary=glossary, reviewers=reviewers, reviewers_map=reviewers_map,
                      classes=classes, interactions=interactions, failed_medicines=failed,
                      classes_failed=classes is None and (root / CLASSES_FILE).exists())
    catalog.site_map = loaded_site[1] if loaded_site else None
    skip_rules_naming_failures(catalog, problems)
    return catalog, problems


def medicine_folders(root: Path) -> list[Path]:
    """The folders of `content/medicines/` that hold a medicine (not hidden, not `_x`, not a
    symbolic link: see `check_content_tree`)."""
    medicines_dir = root / "medicines"
    if not medicines_dir.is_dir():
        return []
    return sorted(folder for folder in medicines_dir.iterdir()
                  if folder.is_dir() and not folder.is_symlink()
                  and not folder.name.startswith((".", "_")))


def markdown_files(folder: Path) -> list[Path]:
    """The Markdown files medguide reads in `folder` (not symbolic links)."""
    return sorted(path for path in folder.glob("*.md") if not path.is_symlink())


# The files of content/ that medguide reads, by their place in it ("*": any name).
READ_FILES = {("site.yaml",), (REVIEWERS_FILE,), (GLOSSARY_FILE,), (CLASSES_FILE,),
              ("medicine.schema.json",), ("medicines", "*", RECORD_FILE),
              ("medicines", "*", "*.md"), ("pages", "*.md"), (INTERACTIONS_DIR, "*")}


def check_content_tree(root: Path, problems: Problems) -> None:
    """Report what under content/ medguide will not read, so nobody edits a file in vain
    and nothing is published or followed that review did not see:
    - a symbolic link (an error): content may not point outside itself, and a dangling
      link cannot be read;
    - a file in pages/ that is not a .md page (an error): MkDocs would publish it as it is;
    - any other file medguide does not read (a warning), but an error if it is YAML that
      does not parse: it was surely meant to be read."""
    _check_folder(root, (), problems)


def _check_folder(folder: Path, parts: tuple[str, ...], problems: Problems) -> None:
    """`check_content_tree` for one folder (`parts`: its place under content/), then its
    subfolders. Walked with scandir, whose entries know whether they are links or folders:
    a thousand medicine folders cost no more than one `stat` each."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    subfolders = []
    for entry in entries:
        place = parts + (entry.name,)
        if entry.name.startswith(".") or (place[0] == "medicines" and len(place) > 1
                                          and place[1].startswith("_")):
            continue  # hidden, or a medicine kept out on purpose
        if entry.is_symlink():
            path = folder / entry.name
            target = os.readlink(path)
            problems.add(path, 1, 1, "(file)",
                         f"is a symbolic link (to {target}); content may not link "
                         "outside itself, so medguide does not follow it",
                         "replace the link with a copy of the file")
        elif entry.is_dir():
            subfolders.append((folder / entry.name, place))
        elif not _is_read(place):
            _report_unread_file(folder / entry.name, place, problems)
    for path, place in subfolders:
        _check_folder(path, place, problems)


# READ_FILES by length and first part (never a pattern), so each file is matched against
# the one or two shapes it could have: a folder of thousands of rules is checked quickly.
_READ_SHAPES: dict[tuple[int, str], list[tuple[str, ...]]] = {}
for _shape in READ_FILES:
    _READ_SHAPES.setdefault((len(_shape), _shape[0]), []).append(_shape[1:])


def _is_read(place: tuple[str, ...]) -> bool:
    """Whether medguide reads the file at `place` (its path under content/)."""
    return any(all(pattern == "*" or fnmatch.fnmatchcase(part, pattern)
                   for part, pattern in zip(place[1:], rest))
               for rest in _READ_SHAPES.get((len(place), place[0]), ()))


def _report_unread_file(path: Path, parts: tuple[str, ...], problems: Problems) -> None:
    if parts[0] == "pages":
        problems.add(path, 1, 1, "(file)", "only Markdown pages (.md) belong in pages/: "
                     "any other file would be published as it is, without review",
                     "remove it, or write it as a .md page")
        return
    if path.suffix in (".yaml", ".yml"):
        text = read_text(path, problems)
        if text is None or load_yaml(path, text, problems) is None:
            return  # reported: it does not parse
    hint = ("a medicine's folder holds medicine.yaml and .md prose; remove the file or move "
            "its text there" if parts[0] == "medicines" else
            "content/ holds site.yaml, reviewers.yaml, glossary.yaml, classes.yaml and the "
            "folders medicines/, interactions/ and pages/")
    problems.add(path, 1, 1, "(file)", "medguide does not read this file, so nothing in it "
                 "reaches the site", hint, severity="warning")


def skip_rules_naming_failures(catalog: Catalog, problems: Problems) -> None:
    """Take out of the catalog the interaction rules that name a medicine (or, when
    classes.yaml failed, a class) that could not be loaded, with one note per failed file
    saying what it took down."""
    skipped: dict[Path, list[str]] = {}
    kept, skipped_rules = [], []
    loaded = {m.slug for m in catalog.medicines}
    classes_path = catalog.root / CLASSES_FILE
    for rule in catalog.interactions:
        causes = []
        for side in rule.record.between:
            if side in catalog.failed_medicines:
                causes.append(catalog.failed_medicines[side])
            elif catalog.classes_failed and side not in loaded:
                causes.append(classes_path)
        for cause in dict.fromkeys(causes):
            skipped.setdefault(cause, []).append(rule.name)
        (skipped_rules if causes else kept).append(rule)
    catalog.interactions, catalog.skipped_rules = kept, skipped_rules
    for cause, names in skipped.items():
        named = cause.parent.name if cause.name == RECORD_FILE else "a class"
        one = len(names) == 1
        problems.add(cause, 0, 0, "(file)",
                     f"because this file could not be loaded, {len(names)} interaction "
                     f"rule{'' if one else 's'} that name{'s' if one else ''} {named} "
                     f"{'was' if one else 'were'} skipped", severity="note")


def load_glossary(path: Path, problems: Problems) -> GlossarySource | None:
    """`content/glossary.yaml`, which is optional: a site may have no glossary."""
    if not path.exists():
        return None
    loaded = load_record(path, Glossary, problems)
    return None if loaded is None else GlossarySource(path, *loaded)


def dotted(loc: Loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    return {str: "text", int: "a number", float: "a number", list: "a list",
            bool: "true/false"}.get(type(value), type(value).__name__)
