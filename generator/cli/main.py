"""`medguide` command line: check content, build the site, preview it, start a new guide,
report on reviews, and print the record's JSON Schema."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

import yaml

from generator.build import progress
from generator.build.pipeline import build_site
from generator.content.problems import Problems, display_path

log = logging.getLogger("medguide")


def plugin_options(config_file: Path) -> dict:
    """The medguide plugin's options in mkdocs.yml."""
    # mkdocs.yml may hold python tags; only plain keys are read here.
    raw = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_PlainLoader) or {}
    for plugin in raw.get("plugins", []):
        if isinstance(plugin, dict) and "medguide" in plugin:
            return plugin["medguide"] or {}
    return {}


def project_paths(config_file: Path) -> tuple[Path, Path, Path]:
    """(content, templates, site) folders named by mkdocs.yml and its medguide plugin."""
    # mkdocs.yml may hold python tags; only plain keys are read here.
    raw = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_PlainLoader) or {}
    root = config_file.parent
    options = plugin_options(config_file)
    return (root / options.get("content_dir", "content"),
            root / options.get("templates_dir", "templates"),
            root / raw.get("site_dir", "site"))


class _PlainLoader(yaml.SafeLoader):
    pass


_PlainLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def print_problems(problems: Problems) -> None:
    for problem in problems.in_report_order:
        print(problem, file=sys.stderr)
    errors, warnings = len(problems.errors), len(problems.warnings)
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
          file=sys.stderr)


def command_check(args: argparse.Namespace) -> int:
    content_dir, templates_dir, _ = project_paths(args.config)
    result = build_site(content_dir, templates_dir, include_drafts=True,
                        allow_overdue=args.allow_overdue)
    if result.ok:
        result.problems.extend(check_build(args))
    print_problems(result.problems)
    if not result.ok:
        return 1
    print(f"checked {len(result.catalog.medicines)} medicine(s), "
          f"{len(result.catalog.interactions)} interaction(s), {len(result.pages)} pages")
    return 0 if check_reading_level(args, result, templates_dir) else 1


def check_build(args: argparse.Namespace) -> Problems:
    """Run the build's own steps too (MkDocs' link checks, the handouts, the final HTML
    check) into a scratch folder, so that whatever would stop `medguide build` is found by
    `check` first, at the file and line that cause it."""
    from generator.build.builder import BuildFailed, build

    problems = Problems()
    cache_dir = plugin_options(args.config).get("cache_dir", ".cache")
    with contextlib.ExitStack() as stack:
        scratch = (args.config.parent / cache_dir / "check-site" if cache_dir
                   else Path(stack.enter_context(tempfile.TemporaryDirectory())) / "site")
        # The build's progress and MkDocs' own wording of its warnings are not news to an
        # editor: its problems are reported with the others, at their files and lines.
        handlers = logging.getLogger().handlers
        levels = [handler.level for handler in handlers]
        for handler in handlers:
            handler.setLevel(logging.CRITICAL)
        try:
            build(args.config, scratch, plugin_options={
                "search_index": False, "allow_overdue": args.allow_overdue})
        except BuildFailed as exc:
            if exc.problems is not None:
                problems.extend(exc.problems)
            else:
                problems.add(args.config, 1, 1, "(build)", f"the build would fail: {exc}")
        finally:
            for handler, level in zip(handlers, levels):
                handler.setLevel(level)
    return problems


def check_reading_level(args: argparse.Namespace, result, templates_dir: Path) -> bool:
    """Flesch-Kincaid grade of every section; False if any reads above the maximum."""
    from generator.checks.readability import (
        DEFAULT_MAX_GRADE,
        DEFAULT_MIN_WORDS,
        check_readability,
        format_report,
    )

    options = plugin_options(args.config)
    max_grade = args.max_grade if args.max_grade is not None else \
        float(options.get("max_reading_grade", DEFAULT_MAX_GRADE))
    min_words = args.min_words if args.min_words is not None else \
        int(options.get("min_reading_words", DEFAULT_MIN_WORDS))
    report = check_readability(result.pages, max_grade, min_words)
    lines = format_report(report, result.catalog, templates_dir)
    for line in lines[:-1]:
        print(line, file=sys.stderr)
    print(lines[-1])
    return report.ok


def command_build(args: argparse.Namespace) -> int:
    """Check, then build: a new site is swapped in, or changed files are moved in, only if
    everything worked (see `builder`)."""
    from generator.build.builder import BuildFailed, build

    _, _, site_dir = project_paths(args.config)
    site_dir = Path(args.site_dir) if args.site_dir else site_dir
    start = time.perf_counter()
    options = {"allow_overdue": True} if args.allow_overdue else {}
    try:
        report = build(args.config, site_dir, jobs=args.jobs, plugin_options=options)
    except BuildFailed as exc:
        if exc.problems is not None:
            print_problems(exc.problems)
            print("build stopped: nothing was changed in " + display_path(site_dir),
                  file=sys.stderr)
        else:
            print(f"build failed: {exc}", file=sys.stderr)
            print("nothing was changed in " + display_path(site_dir), file=sys.stderr)
        return 1
    except SystemExit as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print("nothing was changed in " + display_path(site_dir), file=sys.stderr)
        return 1
    except OSError as exc:
        # The machine, not the content: a full disk, a read-only folder, a file in the way.
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"build failed: cannot write the site: {exc.strerror or exc}{where}",
              file=sys.stderr)
        print("nothing was changed in " + display_path(site_dir) + "; free some space or "
              "fix the folder's permissions, then build again", file=sys.stderr)
        return 1
    for problem in report.warnings:  # every overdue override is logged here
        print(problem, file=sys.stderr)
    total = time.perf_counter() - start
    print(f"built {report.pages} pages into {site_dir} ({report.mode} build: "
          f"{report.pages_built} converted, {report.files_written} files written, "
          f"{report.files_removed} removed) in {total:.2f} s")
    print(f"phases: {progress.summary(report.phases)}")
    if args.report:
        Path(args.report).write_text(json.dumps({
            "mode": report.mode, "pages": report.pages, "pages_built": report.pages_built,
            "files_written": report.files_written, "files_removed": report.files_removed,
            "phases": report.phases, "total": total}, indent=2), encoding="utf-8")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from generator.build.serve import serve

    serve(args.config, args.dev_addr, jobs=args.jobs)
    return 0


def command_schema(args: argparse.Namespace) -> int:
    from generator.model.schema import schema_text

    text = schema_text()
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def command_new(args: argparse.Namespace) -> int:
    from generator.cli.new_medicine import ScaffoldError, count_todo, new_medicine

    content_dir, templates_dir, _ = project_paths(args.config)
    try:
        path = new_medicine(content_dir, templates_dir, args.name, author=args.by)
    except ScaffoldError as exc:
        print(f"medguide new: {exc}", file=sys.stderr)
        print("nothing was written", file=sys.stderr)
        return 1
    print(f"created {path}: a draft with {count_todo(path)} TODO markers to fill in")
    print("next: edit it, run `medguide check`, and preview it with `make serve`")
    return 0


def command_review_report(args: argparse.Namespace) -> int:
    from generator.cli.review_report import as_csv, as_json, as_table, review_rows
    from generator.content.loader import load_catalog

    content_dir, _, _ = project_paths(args.config)
    catalog, problems = load_catalog(content_dir)
    if problems.errors:
        print_problems(problems)
    rows = review_rows(catalog, args.today or dt.date.today())
    formatter = {"table": as_table, "csv": as_csv, "json": as_json}[args.format]
    sys.stdout.write(formatter(rows))
    if problems.errors:
        print("content has errors (above): records that could not be read are not in the "
              "report", file=sys.stderr)
        return 1
    return 0


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medguide", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="path to mkdocs.yml (default: ./mkdocs.yml)")
    parser.add_argument("--debug", action="store_true",
                        help="on an internal error, show Python's full report")
    sub = parser.add_subparsers(dest="command", required=True)
    overdue_help = ("publish guides whose review is overdue anyway (each one is logged and "
                    "its pages say the review is overdue)")
    check = sub.add_parser("check", help="check all content and report every problem")
    check.add_argument("--max-grade", type=float, default=None,
                       help="fail when a section reads above this Flesch-Kincaid grade "
                            "(default: max_reading_grade in mkdocs.yml, or 10)")
    check.add_argument("--min-words", type=int, default=None,
                       help="score only sections with at least this many words "
                            "(default: min_reading_words in mkdocs.yml, or 10)")
    check.add_argument("--allow-overdue", action="store_true", help=overdue_help)
    build = sub.add_parser("build", help="check content and build the site")
    build.add_argument("--site-dir", help="where to write the site (default: from mkdocs.yml)")
    build.add_argument("--allow-overdue", action="store_true", help=overdue_help)
    build.add_argument("--jobs", type=int, default=None,
                       help="worker processes (default: one per core)")
    build.add_argument("--report", help="also write the build's figures to this JSON file")
    serve = sub.add_parser("serve", help="live-reloading preview, drafts included")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    serve.add_argument("--jobs", type=int, default=None,
                       help="worker processes (default: one per core)")
    new = sub.add_parser("new", help="start a new medicine guide (a draft with TODO markers)")
    new.add_argument("name", help='the generic name, e.g. "baclofen"')
    new.add_argument("--by", help="reviewer id of the author (default: the first in "
                     "content/reviewers.yaml)")
    report = sub.add_parser("review-report",
                            help="every medicine's review status and due date, most urgent first")
    report.add_argument("--format", choices=["table", "csv", "json"], default="table")
    report.add_argument("--today", type=iso_date, help="report as of this date (YYYY-MM-DD)")
    schema = sub.add_parser("schema", help="print the JSON Schema of a medicine record")
    schema.add_argument("--output", help="write it to this file instead")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s %(message)s")
    # WeasyPrint narrates every PDF it makes at INFO; only its warnings are for the editor.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    if not args.config.is_file():
        print(f"{args.config}: no such file (run medguide from the project folder)",
              file=sys.stderr)
        return 2
    handlers = {"check": command_check, "build": command_build, "serve": command_serve,
                "new": command_new, "review-report": command_review_report,
                "schema": command_schema}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        # A build swaps the new site in with one rename at its very end, so whatever was
        # interrupted, the site folder is as it was.
        print("stopped; site/ unchanged", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        # A defect of medguide itself, not of the content: one line, not a page of Python.
        print(internal_error(args.command, exc), file=sys.stderr)
        return 2


STEPS = {"check": "checking the content", "build": "building the site",
         "serve": "previewing the site", "new": "starting a new guide",
         "review-report": "making the review report", "schema": "writing the schema"}


def internal_error(command: str, exc: BaseException) -> str:
    step = STEPS.get(command, command)
    if running := progress.failed_phase(exc):
        step += f" ({running})"
    message = str(exc) or type(exc).__name__
    return (f"internal error in medguide while {step}: {type(exc).__name__}: {message}\n"
            f"This is a bug in medguide, not in your content. Run `medguide --debug {command}` "
            "for the details and report them to the medguide maintainers (see README, "
            "\"Reporting a bug\").")


def run() -> None:
    """The `medguide` command: `main`, then exit without tearing down the heap.

    A build of a thousand medicines leaves millions of objects; freeing them one by one at
    exit takes seconds and does nothing useful, so the process ends as soon as its output is
    flushed."""
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
