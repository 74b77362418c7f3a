"""Content-addressed caches for the core pipeline, so a rebuild redoes only what changed.

Four caches, each a folder of pickles named by a hash of everything the result depends on:
- records: a medicine folder's bytes → its loaded record (and the problems loading found);
- checks: the same, the shared content, the date and every medicine's identity → the problems
  checking that medicine found;
- pages: a medicine's record, the templates, the shared content and every medicine's identity
  → that medicine's rendered pages;
- handout plans: the same → which PDFs that medicine has and the hash their cached files
  go by (so finding them does not mean rendering their HTML again).
A key that misses is computed and stored; entries no build used are removed at the end of a
build, so the cache never holds more than about one site's worth. Wrong or unreadable entries
are treated as misses: a cache can make a build faster, never different.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import gc
import hashlib
import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Collection, Iterable, Iterator, Mapping

# Bump when what is cached changes shape, so old entries are never read.
CACHE_VERSION = "1"


def digest(*parts: bytes | str) -> str:
    hasher = hashlib.sha256(CACHE_VERSION.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "little"))
        hasher.update(data)
    return hasher.hexdigest()


def tree_digest(folder: Path, *, skip: Collection[Path] = ()) -> str:
    """Hash of every file under `folder` (names and bytes), in a stable order, leaving out
    the files and folders in `skip` (a skipped folder is not even walked: a thousand
    medicine folders cost nothing when they are not part of the hash)."""
    parts: list[bytes | str] = []
    root = str(folder)
    for relative in _files_under(root, {str(path) for path in skip}):
        parts += ["/".join(relative), file_digest(os.path.join(root, *relative))]
    return digest(*parts)


def _files_under(root: str, skip: set[str]) -> list[tuple[str, ...]]:
    """Every file under `root` but those in `skip` and under folders in `skip`, as the
    parts of its path relative to `root`, sorted."""
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [name for name in dirs if os.path.join(folder, name) not in skip]
        here = tuple(os.path.relpath(folder, root).split(os.sep)) if folder != root else ()
        found += [here + (name,) for name in names if os.path.join(folder, name) not in skip]
    return sorted(found)


def folder_digest(folder: Path) -> str:
    """Hash of the files directly in `folder` plus its location (paths end up in problems)."""
    parts: list[bytes | str] = [str(folder.resolve())]
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_file():
                parts += [entry.name, file_digest(entry.path)]
    return digest(*parts)


# file path → ((size, modification time, inode), hash of its bytes). Several digests of one
# build read the same files; a file is read again only when its size, time or inode changed
# (`medguide serve` keeps this process from one rebuild to the next).
RECENT_NS = 2_000_000_000
_FILE_DIGESTS: dict[str, tuple[tuple[int, int, int], str]] = {}


def file_digest(path: str | Path) -> str:
    path = str(path)
    stat = os.stat(path)
    state = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
    known = _FILE_DIGESTS.get(path)
    if known is not None and known[0] == state:
        return known[1]
    with open(path, "rb") as handle:
        value = hashlib.sha256(handle.read()).hexdigest()
    # A file changed in the last moments could change again within the clock's resolution
    # without its time or size changing: it is read again next time (as git does).
    if time.time_ns() - stat.st_mtime_ns > RECENT_NS:
        _FILE_DIGESTS[path] = (state, value)
    return value


TEMP_PREFIX = ".tmp-"
# A write renames its temporary file within moments; one this old was left by a process
# that was killed (or ran out of disk) and is removed by the next build.
STALE_TEMP_SECONDS = 600
# A cache entry that no build has read or written for this long is removed.
UNUSED_ENTRY_SECONDS = 24 * 3600


def write_atomically(path: Path, data: bytes) -> None:
    """Write `path` so that nobody ever reads half of it: into a temporary file next to it,
    then renamed over it. If the write fails (a full disk), the temporary file goes too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def remove_stale_temp_files(folder: Path) -> None:
    """Remove the temporary files killed processes left anywhere under `folder`."""
    cutoff = time.time() - STALE_TEMP_SECONDS
    for path in folder.rglob(f"{TEMP_PREFIX}*") if folder.is_dir() else ():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # gone already, or not ours to remove


class PickleCache:
    """One folder of pickled values by key, remembering which keys this build used."""

    def __init__(self, folder: Path, *, in_memory: bool = False) -> None:
        self.folder = folder
        self.used: set[str] = set()
        self.recent: dict[str, Any] = {}  # values this build already has in memory
        # Keep every value read in memory too, from one build to the next (the preview: a
        # save then reads nothing back from disk). Values are never changed once made.
        self.in_memory = in_memory
        self.pruned = False

    def remember(self, key: str, value: Any) -> None:
        """Note a value another process stored under `key`, so reading it costs nothing."""
        self.used.add(key)
        self.recent[key] = value

    def get(self, key: str) -> Any | None:
        self.used.add(key)
        if key in self.recent:
            return self.recent[key]
        path = self.folder / f"{key}.pickle"
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry is a miss
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: see `prune`
        if self.in_memory:
            self.recent[key] = value
        return value

    def has(self, key: str) -> bool:
        return key in self.recent or (self.folder / f"{key}.pickle").is_file()

    def put(self, key: str, value: Any) -> None:
        self.used.add(key)
        if self.in_memory:
            self.recent[key] = value
        write_atomically(self.folder / f"{key}.pickle",
                         pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> None:
        """Remove entries this build did not use and nothing else used for a day. The preview
        and `medguide build` share the cache with different keys (drafts, banners): neither
        may throw out what the other uses."""
        self.recent = {key: value for key, value in self.recent.items() if key in self.used}
        if self.in_memory and self.pruned:
            return  # the preview looks through the folder once, not after every save
        self.pruned = True
        if not self.folder.is_dir():
            return
        unused_since = time.time() - UNUSED_ENTRY_SECONDS
        for path in self.folder.iterdir():
            if path.suffix == ".pickle" and path.stem not in self.used:
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < unused_since:
                        path.unlink()


# Remembered keys are dropped all at once past this many (a long preview session whose
# shared inputs changed many times).
DERIVED_KEYS_KEPT = 200_000


class CoreCache:
    """The caches of one project (under its cache folder, e.g. `.cache/`)."""

    def __init__(self, cache_dir: Path, *, in_memory: bool = False) -> None:
        """`in_memory`: keep what is read in memory between builds (see `PickleCache`)."""
        self.folder = cache_dir
        self.records = PickleCache(cache_dir / "records", in_memory=in_memory)
        self.pages = PickleCache(cache_dir / "pages", in_memory=in_memory)
        self.checks = PickleCache(cache_dir / "checks", in_memory=in_memory)
        self.handout_plans = PickleCache(cache_dir / "handout-plans", in_memory=in_memory)
        self.folder_digests: dict[Path, str] = {}
        # This build's interaction rule files → the hash of their bytes.
        self.rule_digests: dict[Path, str] = {}
        # Keys worked out from other hashes, kept for the life of the process (the preview's
        # saves): a thousand rule keys are a thousand hashes to make again otherwise.
        self.derived_keys: dict[tuple[str, ...], str] = {}
        # The last build's interaction pairs (`InteractionIndex.pair_rules`) under the hash
        # of what they were resolved from.
        self.resolved_pairs: tuple[str, list] | None = None

    def derived_key(self, *parts: str) -> str:
        """`digest(*parts)`, remembered."""
        key = self.derived_keys.get(parts)
        if key is None:
            key = self.derived_keys[parts] = digest(*parts)
        return key

    @property
    def parts(self) -> list[PickleCache]:
        return [self.records, self.pages, self.checks, self.handout_plans]

    def begin(self) -> None:
        """A new build starts: nothing is used yet (what it does not use, `prune` drops)."""
        for part in self.parts:
            part.used = set()
        self.folder_digests, self.rule_digests = {}, {}
        if len(self.derived_keys) > DERIVED_KEYS_KEPT:
            self.derived_keys = {}

    def prune(self) -> None:
        for part in self.parts:
            part.prune()


def shared_inputs_digest(content_dir: Path, templates_dir: Path, rules_dir: Path,
                         rules: Mapping[Path, str], extra: Iterable[str] = ()) -> str:
    """Hash of everything every medicine's pages may depend on besides its own record and
    the code (which the caller adds to `extra`): the page templates and all content outside
    `medicines/` (site settings, glossary, interactions, ...). The web theme is not
    included: it does not shape page Markdown. The interaction rule files (in `rules_dir`)
    come hashed already (`rules`: path → hash of its bytes), as loading them keyed them."""
    return digest(
        tree_digest(templates_dir, skip=[templates_dir / "theme"]),
        tree_digest(content_dir, skip=[content_dir / "medicines", rules_dir]),
        *(part for path in sorted(rules) for part in (path.name, rules[path])),
        *extra,
    )


@functools.lru_cache(maxsize=None)
def code_digest(module: str, *more: str) -> str:
    """Hash of the code a cached result is made by: the source of the modules named
    (medguide's, by dotted name) and of every medguide module they import (`code_modules`).
    Derived from the imports, so no list of dependencies is kept by hand, and a change
    elsewhere in medguide keeps the result."""
    return digest(*(part for name in sorted(code_modules(module, *more))
                    for part in (name, _module_path(name).read_bytes())))


def code_modules(*modules: str) -> set[str]:
    """`modules` and every medguide module they import, directly or not, with their
    packages (whose `__init__` runs on import)."""
    seen: set[str] = set()
    todo = list(modules)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        parent = name.rpartition(".")[0]
        todo += [parent] if parent else []
        todo += _imported_modules(name)
    return seen


_PACKAGE = __name__.split(".")[0]
_SOURCE_ROOT = Path(__file__).resolve().parents[len(__name__.split(".")) - 1]


def _module_path(name: str) -> Path:
    path = _SOURCE_ROOT.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _imported_modules(name: str) -> list[str]:
    """The medguide modules `name` imports anywhere in its code (functions included)."""
    found = []
    for node in ast.walk(ast.parse(_module_path(name).read_bytes())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
            # `from generator.build import progress` imports a module by name.
            found += [f"{node.module}.{alias.name}" for alias in node.names
                      if _module_path(f"{node.module}.{alias.name}").exists()]
    return [module for module in found
            if module.split(".")[0] == _PACKAGE and _module_path(module).exists()]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while making many long-lived objects.

    Loading a thousand records makes millions of objects with no reference cycles; the
    collector would scan all of them again and again (two thirds of the loading time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
