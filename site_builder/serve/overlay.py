"""The live-reload script and the error page, added to HTML responses at request time.

They never go into a file: the build folder holds exactly what `build` would deploy.
"""

from __future__ import annotations

import html
from importlib import resources

EVENTS_PATH = "/__livereload"
"""The Server-Sent Events stream; no page of a site can live there (FORMAT.md section 8)."""


def load_script() -> str:
    """The live-reload client, shipped inside the package."""
    script = resources.files(__package__).joinpath("livereload.js").read_text(encoding="utf-8")
    if "</script" in script.lower():  # it is inlined in a <script> element
        raise ValueError("livereload.js must not contain `</script`")
    return script


def script_tag(script: str, build: int) -> bytes:
    """The script as an element that tells it which build the page came from."""
    tag = (
        f'<script id="site-builder-livereload" data-build="{build}" '
        f'data-events="{EVENTS_PATH}">\n{script}</script>\n'
    )
    return tag.encode("utf-8")


def inject(page: bytes, tag: bytes) -> bytes:
    """Put the live-reload script just before `</body>` (or at the end of a page without one)."""
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def placeholder_page(diagnostics: list[str], tag: bytes) -> bytes:
    """What every URL shows while no build has succeeded yet: the errors, and the script."""
    errors = html.escape("\n".join(diagnostics))
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>site-builder: the site did not build</title>\n</head>\n<body>\n"
        "<h1>The site did not build</h1>\n"
        "<p>Fix these errors (also printed in the terminal) and save; "
        "this page reloads by itself.</p>\n"
        f"<pre>{errors}</pre>\n</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), tag)
