"""The mutation sweep: break every real content file in every way an editor could, run
`medguide check` and `medguide build` on each, and count what medguide did wrong.

    python tests/mutate.py              # the full sweep over content/ (make mutate)
    python tests/mutate.py --sample 60  # a deterministic sample of 60 mutations

For every key of every YAML record (and of every Markdown file's front matter): delete it,
misspell it, and give it a value of each other type (text, number, list, mapping, null).
For every file: empty it, cut it off mid-line, put invalid UTF-8 in it, indent a line with
a tab, repeat a key. Then the slips that are about meaning: a wrong review status, a
`next_review_due` in the past, `<script>` and a `javascript:` link in a text, a unit typo in
a dose, and what a strict build fails on but the Markdown hides (an absolute link, a
zero-width character in `javascript:`, an indented fake code fence, a reference definition,
an image path).

Each mutation must be answered cleanly:
- no traceback (nor the CLI's last-resort "internal error", which only hides one);
- check and build agree, and neither exits 0 when the content is wrong by the JSON Schema
  of its record or by the kind of slip (a misspelled key is always wrong);
- when they fail, the output names the broken file with a line number;
- a failed build leaves `site/` byte-identical.

Each command runs in a child forked from a process that has imported everything already,
so a mutation costs what medguide does with it, not Python's start-up.
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent

TEXT_VALUES = {"text": "'some words'", "number": "42", "list": "[one, two]",
               "mapping": "{one: two}", "null": "null"}
# Kinds of mutation after which the content is wrong whatever the schema says.
ALWAYS_WRONG = {"misspell key", "empty file", "invalid UTF-8", "tab indent", "repeat key",
                "wrong status", "script in text", "javascript: link", "unit typo",
                "absolute link", "zero-width javascript: link", "image path",
                "reference definition", "past next_review_due"}
# A line of medguide's report that names a file and a line.
LOCATED = re.compile(r"^\S+:\d+:\d+: ", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Mutation:
    path: str  # relative to the project
    kind: str
    where: str  # the key path or line it broke
    data: bytes  # the whole new file

    @property
    def file_kind(self) -> str:
        parts = Path(self.path).parts
        if parts[1] == "medicines":
            return "medicine record" if parts[-1] == "medicine.yaml" else "medicine prose"
        if parts[1] in ("interactions", "pages"):
            return {"interactions": "interaction rule", "pages": "site page"}[parts[1]]
        return parts[-1]


# ---------------------------------------------------------------- making mutations

def yaml_entries(text: str, offset: int = 0):
    """(key path, key node, value node, parent mapping node) of every key in `text`."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return

    def walk(node, path):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                here = f"{path}.{key.value}" if path else str(key.value)
                yield here, key, value, node
                yield from walk(value, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, f"{path}[{index}]")
    if root is not None:
        yield from walk(root, "")


def misspelled(word: str) -> str:
    """`word` with one letter dropped from its middle (side_effects -> side_efects)."""
    if len(word) < 4:
        return word + "x"
    middle = len(word) // 2
    return word[:middle] + word[middle + 1:]


def key_mutations(text: str, start: int = 0, end: int | None = None):
    """(kind, where, new text) for each key of the YAML in text[start:end]."""
    end = len(text) if end is None else end
    part = text[start:end]
    for where, key, value, parent in yaml_entries(part):
        k0, k1 = start + key.start_mark.index, start + key.end_mark.index
        v0, v1 = start + value.start_mark.index, start + value.end_mark.index
        if parent.flow_style:
            cut0, cut1 = k0, v1
            if text[cut1:cut1 + 2] == ", ":
                cut1 += 2
            elif text[cut0 - 2:cut0] == ", ":
                cut0 -= 2
            yield "delete key", where, text[:cut0] + text[cut1:]
        else:
            line0 = text.rfind("\n", 0, k0) + 1
            prefix = text[line0:k0]
            cut1 = v1 if text[v1 - 1:v1] == "\n" else text.find("\n", v1) + 1 or len(text)
            rest = text[cut1:]
            if not prefix.strip():
                yield "delete key", where, text[:line0] + rest
            elif prefix.strip() == "-":
                # The first key of a list item: the next key of the item takes the dash.
                indent = len(rest) - len(rest.lstrip(" "))
                if rest.strip() and indent == len(prefix):
                    yield "delete key", where, text[:k0] + rest[indent:]
                else:
                    yield "delete key", where, text[:k0] + "{}\n" + rest
        yield "misspell key", where, text[:k0] + misspelled(str(key.value)) + text[k1:]
        old = text[v0:v1]
        trailing = old[len(old.rstrip()):]
        for kind, new in TEXT_VALUES.items():
            if old.strip() == new:
                continue
            if isinstance(value, yaml.ScalarNode) and kind == "text" and value.tag.endswith(
                    ":str"):
                continue  # already text
            yield f"retype to {kind}", where, text[:v0] + new + trailing + text[v1:]


def yaml_file_mutations(text: str):
    """(kind, where, new text) for whole-file slips."""
    lines = text.splitlines(keepends=True)
    yield "empty file", "", ""
    middle = len(text) // 2
    cut = text.find("\n", middle)
    cut = middle if cut < 0 else max(middle, cut - 5)
    yield "cut off mid-line", f"character {cut}", text[:cut]
    indented = next((i for i, line in enumerate(lines) if line.startswith("  ")
                     and line.strip()), None)
    if indented is not None:
        yield "tab indent", f"line {indented + 1}", "".join(
            lines[:indented] + ["\t" + lines[indented].lstrip(" ")] + lines[indented + 1:])
    top = next((i for i, line in enumerate(lines)
                if re.match(r"[a-z_]+: \S", line)), None)
    if top is not None:
        yield "repeat key", f"line {top + 1}", "".join(lines[:top + 1] + [lines[top]]
                                                       + lines[top + 1:])


def text_fields(text: str, start: int = 0, end: int | None = None):
    """Plain-text values (with a space in them) that are not addresses, ids or dates."""
    part = text[start:(len(text) if end is None else end)]
    for where, key, value, _ in yaml_entries(part):
        if (isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str")
                and " " in value.value and value.style in (None, "", "'", '"')
                and "\n" not in value.value and key.value not in ("url", "title")):
            yield where, start + value.start_mark.index, start + value.end_mark.index


def meaning_mutations(text: str):
    """(kind, where, new text): wrong status, past review date, unsafe text, unit typo."""
    status = re.search(r"^(\s*)status: (\w+)$", text, re.MULTILINE)
    if status:
        yield "wrong status", "status", text[:status.start(2)] + "aproved" + text[status.end(2):]
    due = re.search(r"next_review_due: (\S+)", text)
    if due:
        yield ("past next_review_due", "next_review_due",
               text[:due.start(1)] + "2020-01-31" + text[due.end(1):])
    field = next(text_fields(text), None)
    if field:
        where, v0, v1 = field
        value = yaml.safe_load(text[v0:v1])
        for kind, extra in (("script in text", "<script>alert(1)</script>"),
                            ("javascript: link", "[more](javascript:alert(1))")):
            yield kind, where, text[:v0] + json.dumps(f"{value} {extra}") + text[v1:]
    unit = re.search(r"unit: (mg|mL|mcg)\b", text)
    if unit:
        yield "unit typo", "unit", text[:unit.start(1)] + unit.group(1) + "g" + text[unit.end(1):]


MARKDOWN_SLIPS = {
    "absolute link": "See [the A to Z](/medicines/) for more.",
    "zero-width javascript: link": "See [more](java\u200bscript:alert(1)).",
    "image path": "![a chart](chart.png)",
    "reference definition": "See [the list][list].\n\n[list]: /medicines/",
    "fake code fence": "    ```\n    code\n    ```",
    "script in text": "<script>alert(1)</script>",
    "javascript: link": "See [more](javascript:alert(1)).",
}


def markdown_mutations(text: str):
    match = re.match(r"---\n(.*?\n)---\n", text, re.DOTALL)
    if match:
        yield from key_mutations(text, match.start(1), match.end(1))
    yield "empty file", "", ""
    cut = len(text) // 2
    yield "cut off mid-line", f"character {cut}", text[:cut]
    for kind, slip in MARKDOWN_SLIPS.items():
        yield kind, "body", text.rstrip("\n") + "\n\n" + slip + "\n"


def mutations_of(project: Path, relative: str) -> list[Mutation]:
    raw = (project / relative).read_bytes()
    text = raw.decode("utf-8")
    found = []
    if relative.endswith(".md"):
        made = markdown_mutations(text)
    else:
        made = [*key_mutations(text), *yaml_file_mutations(text), *meaning_mutations(text)]
    for kind, where, new in made:
        if new != text:
            found.append(Mutation(relative, kind, where, new.encode("utf-8")))
    newline = raw.find(b"\n", len(raw) // 3)
    found.append(Mutation(relative, "invalid UTF-8", f"byte {newline}",
                          raw[:newline] + b" \xff\xfe" + raw[newline:]))
    return found


def content_files(project: Path) -> list[str]:
    content = project / "content"
    return sorted(str(p.relative_to(project)) for p in content.rglob("*")
                  if p.is_file() and p.suffix in (".yaml", ".md"))


def all_mutations(project: Path) -> list[Mutation]:
    """Every mutation, in a fixed shuffled order: a sweep stopped early has still tried a
    fair sample of all of them."""
    found = [m for relative in content_files(project) for m in mutations_of(project, relative)]
    random.Random(13).shuffle(found)
    return found


# ---------------------------------------------------------------- what is wrong, by the schema

def schema_says_wrong(mutation: Mutation) -> bool:
    """Whether the mutated record breaks the JSON Schema of its kind (as a separate judge
    from medguide's own loader)."""
    import jsonschema

    from generator.model import records as model
    models = {"medicine record": model.Medicine, "interaction rule": model.Interaction,
              "classes.yaml": model.ClassList, "glossary.yaml": model.Glossary,
              "site.yaml": model.SiteSettings, "reviewers.yaml": model.ReviewerList,
              "medicine prose": model.ProseFrontMatter, "site page": model.SitePageFrontMatter}
    record = models.get(mutation.file_kind)
    try:
        text = mutation.data.decode("utf-8")
        if mutation.path.endswith(".md"):
            match = re.match(r"---\n(.*?\n)---\n", text, re.DOTALL)
            if not match:
                return True
            text = match.group(1)
        data = yaml.safe_load(text)
    except (UnicodeDecodeError, yaml.YAMLError):
        return True
    if record is None:
        return False
    try:
        jsonschema.validate(json.loads(json.dumps(data, default=str)),
                            record.model_json_schema(mode="validation"))
    except jsonschema.ValidationError:
        return True
    return False


# ---------------------------------------------------------------- running medguide

def run_medguide(project: Path, argv: list[str], output: Path) -> tuple[int, str]:
    """Run `medguide <argv>` in a child forked from this (warm) process."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 99
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # as a real run starts
            os.chdir(project)
            handle = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(handle, 1)
            os.dup2(handle, 2)
            # Whatever stood in for the standard streams (pytest's capture) writes there too.
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
            from generator.cli import main as cli
            code = cli.main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code if isinstance(code, int) else 99)
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return code, output.read_text(encoding="utf-8", errors="replace")


def site_state(site: Path) -> str:
    if not site.is_dir():
        return "none"
    parts = []
    for path in sorted(site.rglob("*")):
        stat = path.lstat()
        parts.append(f"{path.relative_to(site)} {stat.st_mtime_ns} {stat.st_size}")
        if path.is_file():
            parts.append(hashlib.sha256(path.read_bytes()).hexdigest())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


@dataclasses.dataclass
class Outcome:
    mutation: Mutation
    check: tuple[int, str]
    build: tuple[int, str]
    expected_wrong: bool
    site_changed_after_failure: bool

    @property
    def traceback(self) -> bool:
        return any("Traceback (most recent call last)" in out or "internal error" in out
                   or code not in (0, 1) for code, out in (self.check, self.build))

    @property
    def wrong_exit(self) -> bool:
        check, build = self.check[0], self.build[0]
        return (check == 0) != (build == 0) or (self.expected_wrong and check == 0)

    @property
    def unlocated(self) -> bool:
        """A failure that names no file and line (the broken file, or the files that now
        point at something it no longer has)."""
        return any(code != 0 and not LOCATED.search(out) for code, out in (self.check,
                                                                          self.build))

    @property
    def clean(self) -> bool:
        return not (self.traceback or self.wrong_exit or self.unlocated
                    or self.site_changed_after_failure)


def try_mutation(project: Path, mutation: Mutation, scratch: Path) -> Outcome:
    path = project / mutation.path
    original = path.read_bytes()
    path.write_bytes(mutation.data)
    try:
        check = run_medguide(project, ["check"], scratch / "check.txt")
        before = site_state(project / "site")
        build = run_medguide(project, ["build"], scratch / "build.txt")
        changed = build[0] != 0 and site_state(project / "site") != before
    finally:
        path.write_bytes(original)
    return Outcome(mutation, check, build, mutation.kind in ALWAYS_WRONG
                   or schema_says_wrong(mutation), changed)


def make_project(into: Path) -> Path:
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, into / name, symlinks=True)
    shutil.copy2(ROOT / "mkdocs.yml", into / "mkdocs.yml")
    return into


def warm_up() -> None:
    """Import what a run imports, once, in the parent of every child."""
    import mkdocs.commands.build  # noqa: F401
    import weasyprint  # noqa: F401

    import generator.build.builder  # noqa: F401
    import generator.build.handouts  # noqa: F401
    import generator.build.plugin  # noqa: F401
    import generator.checks.readability  # noqa: F401
    import generator.cli.main  # noqa: F401


def sweep(mutations: list[Mutation], project: Path, progress=None) -> list[Outcome]:
    warm_up()
    with tempfile.TemporaryDirectory() as scratch:
        code, out = run_medguide(project, ["build"], Path(scratch) / "first.txt")
        if code != 0:
            raise RuntimeError(f"the unmutated content does not build:\n{out}")
        outcomes = []
        try:
            for number, mutation in enumerate(mutations, 1):
                outcomes.append(try_mutation(project, mutation, Path(scratch)))
                if progress:
                    progress(number, outcomes[-1])
        except KeyboardInterrupt:  # (or SIGTERM) report what was tried so far
            print(f"stopped after {len(outcomes)} of {len(mutations)} mutations",
                  file=sys.stderr)
    return outcomes


def sample(mutations: list[Mutation], size: int) -> list[Mutation]:
    """A deterministic sample with every kind of mutation and every kind of file in it."""
    chooser = random.Random(13)
    chosen: list[Mutation] = []
    for attribute in ("kind", "file_kind"):
        groups = collections.defaultdict(list)
        for mutation in mutations:
            groups[getattr(mutation, attribute).split(" to ")[0]].append(mutation)
        for _, group in sorted(groups.items()):
            if not any(getattr(m, attribute).split(" to ")[0] == getattr(group[0], attribute)
                       .split(" to ")[0] for m in chosen):
                chosen.append(chooser.choice(group))
    rest = [m for m in mutations if m not in set(chosen)]
    return chosen + chooser.sample(rest, max(0, min(len(rest), size - len(chosen))))


def report(outcomes: list[Outcome], seconds: float) -> str:
    counts = collections.Counter()
    table = collections.defaultdict(collections.Counter)
    for outcome in outcomes:
        row = (outcome.mutation.file_kind, outcome.mutation.kind.split(" to ")[0])
        table[row]["tried"] += 1
        for name in ("clean", "traceback", "wrong_exit", "unlocated",
                     "site_changed_after_failure"):
            if getattr(outcome, name):
                counts[name] += 1
                table[row][name] += 1
        if outcome.check[0] == 0:
            counts["accepted"] += 1
    lines = [f"mutations tried: {len(outcomes)} in {seconds:.0f} s",
             f"handled cleanly: {counts['clean']}",
             f"tracebacks: {counts['traceback']}",
             f"wrong exit codes: {counts['wrong_exit']}",
             f"messages without file and line: {counts['unlocated']}",
             f"site changed after a failed build: {counts['site_changed_after_failure']}",
             f"(accepted as harmless by check and build: {counts['accepted']})", "",
             f"{'file kind':<18} {'mutation':<28} {'tried':>6} {'clean':>6} {'trace':>6} "
             f"{'exit':>5} {'noline':>6} {'site':>5}"]
    for (file_kind, kind), row in sorted(table.items()):
        lines.append(f"{file_kind:<18} {kind:<28} {row['tried']:>6} {row['clean']:>6} "
                     f"{row['traceback']:>6} {row['wrong_exit']:>5} {row['unlocated']:>6} "
                     f"{row['site_changed_after_failure']:>5}")
    return "\n".join(lines)


def describe(outcome: Outcome) -> str:
    m = outcome.mutation
    problems = [name for name in ("traceback", "wrong_exit", "unlocated",
                                  "site_changed_after_failure") if getattr(outcome, name)]
    return (f"{m.path} [{m.kind} at {m.where}]: {', '.join(problems)}\n"
            f"  check exit {outcome.check[0]}: {outcome.check[1].strip()[-600:]}\n"
            f"  build exit {outcome.build[0]}: {outcome.build[1].strip()[-600:]}")


def stop_on_sigterm() -> None:
    signal.signal(signal.SIGTERM, signal.default_int_handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="try a deterministic sample of this size")
    parser.add_argument("--file", help="only mutate this file (relative to the project)")
    parser.add_argument("--part", help="K/N: only every Nth mutation from the Kth (1-based), "
                        "so N sweeps can share the work, one per core")
    parser.add_argument("--skip", type=int, default=0,
                        help="leave out the first N mutations (of the part): resume a sweep "
                        "that was stopped after N")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--failures", type=Path, help="write every unclean outcome here")
    args = parser.parse_args(argv)
    stop_on_sigterm()
    # A sweep stopped by SIGTERM may leave a child writing into the copy while it is removed.
    with tempfile.TemporaryDirectory(prefix="medguide-mutate-",
                                     ignore_cleanup_errors=True) as folder:
        project = make_project(Path(folder))
        mutations = all_mutations(project)
        if args.file:
            mutations = [m for m in mutations if m.path == args.file]
        if args.sample:
            mutations = sample(mutations, args.sample)
        if args.part:
            k, n = (int(x) for x in args.part.split("/"))
            mutations = mutations[k - 1::n]
        mutations = mutations[args.skip:]
        if args.list:
            for m in mutations:
                print(f"{m.path}\t{m.kind}\t{m.where}")
            return 0
        start = time.monotonic()

        def progress(number: int, outcome: Outcome) -> None:
            if not outcome.clean:
                print(describe(outcome), file=sys.stderr, flush=True)
            if number % 50 == 0:
                print(f"... {number} of {len(mutations)} "
                      f"({time.monotonic() - start:.0f} s)", file=sys.stderr, flush=True)
        outcomes = sweep(mutations, project, progress)
        print(report(outcomes, time.monotonic() - start))
        if args.failures:
            args.failures.write_text("\n\n".join(describe(o) for o in outcomes
                                                 if not o.clean), encoding="utf-8")
    return 0 if all(o.clean for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
