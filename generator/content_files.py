"""Which files under `content/` may be used at all, before anything reads them.

Content arrives as pull requests, so a file can be anything: a symbolic link to
`/etc/passwd` or to a whole folder of the build machine, an HTML page with a script, a
50 MB record. Only what we make is published:
- a symbolic link anywhere under `content/` is an error naming the link, and is never
  followed (nothing reads through it, nothing publishes it);
- `content/pages/` holds Markdown pages (`.md`) only: any other file there would be copied
  into the site as it is;
- a file to be read must be under `MAX_FILE_BYTES`: a record or page larger than that is
  not a guide, and would cost minutes of layout before any other rule could refuse it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .problems import Problems

PAGES_DIR = "pages"
PAGE_SUFFIXES = {".md"}
MAX_FILE_BYTES = 1_000_000
LINK_HINT = "replace the link with the file itself; links in content are never followed"


def check_content_tree(root: Path, problems: Problems) -> None:
    """Report every symbolic link under `root`, and every file in `pages/` that is not a
    Markdown page. Walks without following links."""
    if not root.is_dir():
        return
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        for name in sorted(dirs + files):
            path = here / name
            if path.is_symlink():
                problems.add(path, 1, 1, "(file)", "is a symbolic link, which content may "
                             "not use", LINK_HINT)
            elif name in files and here == root / PAGES_DIR and not name.startswith(".") \
                    and path.suffix not in PAGE_SUFFIXES:
                problems.add(path, 1, 1, "(file)",
                             f"only Markdown pages (.md) belong in {PAGES_DIR}/",
                             "write the page in Markdown; other files would be published "
                             "as they are")
        dirs[:] = [name for name in dirs if not (here / name).is_symlink()]


def file_refusal(path: Path) -> tuple[str, str] | None:
    """Why the file at `path` must not be read, as (message, hint), or None. A symbolic
    link is refused without a message: `check_content_tree` reports every link once."""
    if path.is_symlink():
        return "", ""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # reading it reports why it cannot be read
    if size > MAX_FILE_BYTES:
        return (f"file is {size / 1_000_000:.1f} MB; at most "
                f"{MAX_FILE_BYTES / 1_000_000:g} MB is allowed",
                "split the text or shorten it: a guide is read on a phone and printed on "
                "two pages")
    return None
