"""Which file of the build folder a URL path names, and the Content-Type it goes out with."""

from __future__ import annotations

import functools
import mimetypes
import os
import stat
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote


@dataclass(frozen=True)
class Target:
    """What a request path names in the build folder."""

    status: HTTPStatus
    file: Path | None = None
    location: str = ""
    """For a redirect: the path with its trailing slash."""


def locate(root: Path, url_path: str) -> Target:
    """Map a URL path to a file of the site, refusing anything that would leave it."""
    try:
        path = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return Target(HTTPStatus.BAD_REQUEST)
    parts = path.split("/")
    if not path.startswith("/") or "\0" in path or any(p in (".", "..") for p in parts):
        return Target(HTTPStatus.BAD_REQUEST)
    root = _resolved(root)
    names = [p for p in parts if p]
    mode = _mode_without_links(root, names)
    if mode is None:
        return Target(HTTPStatus.NOT_FOUND)
    if mode == _LINKED:  # a symbolic link on the way: served only if it stays in the site
        try:
            found = root.joinpath(*names).resolve(strict=True)
        except (OSError, RuntimeError):
            return Target(HTTPStatus.NOT_FOUND)
        if not found.is_relative_to(root):
            return Target(HTTPStatus.NOT_FOUND)
        mode = found.stat().st_mode
    else:
        found = root.joinpath(*names)
    if stat.S_ISDIR(mode):
        if not path.endswith("/"):
            return Target(HTTPStatus.FOUND, location=url_path + "/")
        return locate(root, url_path + "index.html")
    return Target(HTTPStatus.OK, found) if stat.S_ISREG(mode) else Target(HTTPStatus.NOT_FOUND)


_LINKED = -1


@functools.lru_cache(maxsize=16)
def _resolved(root: Path) -> Path:
    """The build folder's real path: it stays where the server put it for its whole life."""
    return root.resolve()


def _mode_without_links(root: Path, names: list[str]) -> int | None:
    """The file mode at `root/names...` from one lstat per name (a page is asked for every
    few milliseconds while an editor's preview polls); `_LINKED` when a name on the way is
    a symbolic link, None when nothing is there."""
    here = str(root)
    mode = stat.S_IFDIR
    for name in names:
        here = os.path.join(here, name)
        try:
            mode = os.lstat(here).st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            return _LINKED
    return mode


_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
"""Fixed here so the answer does not depend on the machine's /etc/mime.types."""


def content_type(path: Path) -> str:
    """The Content-Type of a file; text types say they are UTF-8, as the build writes them."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    textual = kind.startswith("text/") or kind in {
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
    return f"{kind}; charset=utf-8" if textual else kind
