"""How large a content file may be before anything reads it.

A record or page over `MAX_FILE_BYTES` is not a guide (the largest bundled record is about
30 KB): it is refused with its size, before it is parsed, checked or laid out as a PDF. (Which
files may be read at all, and that symbolic links never are: `loader.check_content_tree`.)
"""

from __future__ import annotations

from pathlib import Path

MAX_FILE_BYTES = 1_000_000


def size_refusal(path: Path) -> tuple[str, str] | None:
    """(message, hint) when the file at `path` is too large to read, else None."""
    try:
        size = path.stat().st_size
    except OSError:
        return None  # reading it reports why it cannot be read
    if size <= MAX_FILE_BYTES:
        return None
    return (f"file is {size / 1_000_000:.1f} MB; at most {MAX_FILE_BYTES / 1_000_000:g} MB "
            "is allowed",
            "split the text or shorten it: a guide is read on a phone and printed on two "
            "pages")
