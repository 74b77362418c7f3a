"""What the handout renderer may load: our own files, nothing else.

WeasyPrint loads every address a handout's HTML or CSS names (stylesheets, fonts, images,
`rel=attachment` links) through a URL fetcher; its default one opens any `file:` and
`http(s):` address. Handouts are made from untrusted content, so this fetcher serves:
- files inside the handout templates' folder (`templates/handouts/`: stylesheets);
- the font files those stylesheets name with `url(file://…)` (found by `handouts`);
- `data:` images we made (the QR code, an SVG of a few kilobytes): an image type, under
  `MAX_DATA_BYTES`.
Everything else is refused, and each refusal is remembered so the build can say what was
refused and why: `file:` anywhere else (`/etc/passwd`, `/proc/self/environ`, SSH keys),
`http:` and `https:` (a build never reaches the network), other `data:` and other schemes.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint.urls import URLFetcher, URLFetcherResponse

# The QR code of a handout is about 5 KB; a data: image larger than this is not ours.
MAX_DATA_BYTES = 64 * 1024
DATA_URL = re.compile(r"data:([^;,]*)[;,]", re.IGNORECASE)


class HandoutFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves only `folder`'s files and `files`."""

    def __init__(self, folder: Path, files: list[Path] = ()) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.folder = folder.resolve()
        self.files = {path.resolve() for path in files}
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        reason = self.refusal(url)
        if reason is not None:
            self.refused.append(f"{shorten_url(url)} was refused: {reason}")
            raise ValueError(f"refused by the handout fetcher: {reason}")
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = local_path(url).resolve()
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  {"Content-Type": media_type})

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be loaded, or None when it may."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "file":
            path = local_path(url).resolve()
            if (path == self.folder or self.folder in path.parents or path in self.files) \
                    and path.is_file():
                return None
            return "handouts may load only their own templates, stylesheets and fonts"
        if scheme == "data":
            match = DATA_URL.match(url)
            if not match or not match.group(1).lower().startswith("image/"):
                return "a data: address that is not an image"
            if len(url) > MAX_DATA_BYTES:
                return f"a data: image larger than {MAX_DATA_BYTES // 1024} KB"
            return None
        if scheme in ("http", "https"):
            return "a handout is built without reaching the network"
        return f"{scheme or 'this kind of'} address is not allowed in a handout"


def local_path(url: str) -> Path:
    return Path(url2pathname(urlsplit(url).path))


def shorten_url(url: str, limit: int = 80) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"
