"""Which file of the build folder a URL path names, and the Content-Type it goes out with."""

from __future__ import annotations

import mimetypes
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
    root = root.resolve()
    try:
        found = root.joinpath(*(p for p in parts if p)).resolve(strict=True)
    except (OSError, RuntimeError):
        return Target(HTTPStatus.NOT_FOUND)
    if not found.is_relative_to(root):  # a symlink out of the site
        return Target(HTTPStatus.NOT_FOUND)
    if found.is_dir():
        if not path.endswith("/"):
            return Target(HTTPStatus.FOUND, location=url_path + "/")
        return locate(root, url_path + "index.html")
    return Target(HTTPStatus.OK, found) if found.is_file() else Target(HTTPStatus.NOT_FOUND)


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
