"""Site search: Pagefind indexes the built HTML at the end of the build.

Only each page's main content is indexed (the theme marks it with `data-pagefind-body`; parts
repeated on every page carry `data-pagefind-ignore`). The index is static files under
`site/pagefind/`, so search works from any static web server.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pagefind_bin

SEARCH_BUNDLE = "pagefind"


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> Path:
    return pagefind_bin.get_executable()


def build_search_index(site_dir: Path, output_dir: Path | None = None) -> None:
    """Write the Pagefind index of `site_dir` into `site_dir/pagefind/` (or `output_dir`)."""
    command = [str(pagefind_executable()), "--site", str(site_dir), "--silent"]
    command += (["--output-path", str(output_dir)] if output_dir is not None
                else ["--output-subdir", SEARCH_BUNDLE])
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed (exit {result.returncode}):\n"
                               + (result.stderr or result.stdout).strip())
