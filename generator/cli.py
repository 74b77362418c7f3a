"""`medguide` command line: check content, build the site, preview it."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

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
        print(f"checked {len(result.catalog.medicines)} medicine(s), "
              f"{len(result.catalog.interactions)} interaction(s), {len(result.pages)} pages")
    return 0 if result.ok else 1


def command_build(args: argparse.Namespace) -> int:
    """Check, then build into a temporary folder and swap it in only if everything worked."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    content_dir, templates_dir, site_dir = project_paths(args.config)
    site_dir = Path(args.site_dir) if args.site_dir else site_dir
    result = build_site(content_dir, templates_dir)
    if not result.ok:
        print_problems(result.problems)
        print("build stopped: nothing was changed in " + str(site_dir), file=sys.stderr)
        return 1
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-new-", dir=site_dir.parent))
    try:
        config = load_config(config_file=str(args.config), site_dir=str(staging))
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
        config.plugins.on_shutdown()
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"build failed: {exc}", file=sys.stderr)
        print("nothing was changed in " + str(site_dir), file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    swap_in(staging, site_dir)
    print(f"built {len(result.pages)} pages into {site_dir}")
    return 0


def swap_in(staging: Path, site_dir: Path) -> None:
    """Replace `site_dir` with `staging` using renames, so readers never see half a site."""
    old = None
    if site_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=".site-old-", dir=site_dir.parent))
        old.rmdir()
        site_dir.rename(old)
    staging.chmod(0o755)  # mkdtemp makes private folders; a site is for everyone to read
    staging.rename(site_dir)
    if old is not None:
        shutil.rmtree(old)


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


if __name__ == "__main__":
    sys.exit(main())
