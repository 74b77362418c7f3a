"""`medguide` command line: check content, build the site, preview it."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

import yaml

from . import progress
from .problems import Problems
from .site import build_site

log = logging.getLogger("medguide")


def project_paths(config_file: Path) -> tuple[Path, Path, Path]:
    """(content, templates, site) folders named by mkdocs.yml and its medguide plugin."""
    # mkdocs.yml may hold python tags; only plain keys are read here.
    raw = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_PlainLoader) or {}
    root = config_file.parent
    options = {}
    for plugin in raw.get("plugins", []):
        if isinstance(plugin, dict) and "medguide" in plugin:
            options = plugin["medguide"] or {}
    return (root / options.get("content_dir", "content"),
            root / options.get("templates_dir", "templates"),
            root / raw.get("site_dir", "site"))


class _PlainLoader(yaml.SafeLoader):
    pass


_PlainLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def print_problems(problems: Problems) -> None:
    for problem in problems.errors + problems.warnings:
        print(problem, file=sys.stderr)
    errors, warnings = len(problems.errors), len(problems.warnings)
    print(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}",
          file=sys.stderr)


def command_check(args: argparse.Namespace) -> int:
    content_dir, templates_dir, _ = project_paths(args.config)
    result = build_site(content_dir, templates_dir, include_drafts=True)
    print_problems(result.problems)
    if result.ok:
        print(f"checked {len(result.catalog.medicines)} medicine(s), {len(result.pages)} pages")
    return 0 if result.ok else 1


def command_build(args: argparse.Namespace) -> int:
    """Check, then build: a new site is swapped in, or changed files moved in, only if
    everything worked (see `builder`)."""
    from .builder import BuildFailed, build

    content_dir, templates_dir, site_dir = project_paths(args.config)
    site_dir = Path(args.site_dir) if args.site_dir else site_dir
    start = time.perf_counter()
    try:
        report = build(args.config, site_dir, jobs=args.jobs)
    except BuildFailed as exc:
        if exc.problems is not None:
            print_problems(exc.problems)
            print("build stopped: nothing was changed in " + str(site_dir), file=sys.stderr)
        else:
            print(f"build failed: {exc}", file=sys.stderr)
            print("nothing was changed in " + str(site_dir), file=sys.stderr)
        return 1
    except SystemExit as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        print("nothing was changed in " + str(site_dir), file=sys.stderr)
        return 1
    total = time.perf_counter() - start
    print(f"built {report.pages} pages into {site_dir} ({report.mode} build: "
          f"{report.pages_built} converted, {report.files_written} files written, "
          f"{report.files_removed} removed) in {total:.2f} s")
    print(f"phases: {progress.current.summary()}")
    if args.report:
        Path(args.report).write_text(json.dumps({
            "mode": report.mode, "pages": report.pages, "pages_built": report.pages_built,
            "files_written": report.files_written, "files_removed": report.files_removed,
            "phases": report.phases, "total": total}, indent=2), encoding="utf-8")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from mkdocs.commands.serve import serve

    serve(config_file=str(args.config), dev_addr=args.dev_addr, livereload=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="medguide", description=__doc__)
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"),
                        help="path to mkdocs.yml (default: ./mkdocs.yml)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="check all content and report every problem")
    build = sub.add_parser("build", help="check content and build the site")
    build.add_argument("--site-dir", help="where to write the site (default: from mkdocs.yml)")
    build.add_argument("--jobs", type=int, default=None,
                       help="worker processes for pages (default: one per core)")
    build.add_argument("--report", help="also write the build's figures to this JSON file")
    serve = sub.add_parser("serve", help="live-reloading preview, drafts included")
    serve.add_argument("--dev-addr", default="127.0.0.1:8000")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)-7s %(message)s")
    if not args.config.is_file():
        print(f"{args.config}: no such file (run medguide from the project folder)",
              file=sys.stderr)
        return 2
    handlers = {"check": command_check, "build": command_build, "serve": command_serve}
    return handlers[args.command](args)


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
