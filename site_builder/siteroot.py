"""The files at the root of the site besides the pages: `templates/root/` as is, and
`robots.txt` (FORMAT.md sections 1 and 8).

`templates/root/` holds what crawlers and browsers ask for by name at the root (a favicon,
a search console's file); the project's own come first, then the default theme's. A name
the build itself writes is an error, located at the file, except `robots.txt`: a project's
own replaces the built one.

The theme's `static/` assets are chosen here too, the project's own before the theme's,
and the small files every site has (`.nojekyll`, the feed, `CNAME`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .errors import Diagnostic, Position, error
from .feed import atom_feed
from .load import MAX_COPY_BYTES, Refusal, files_inside, inspect_inside
from .model import Site
from .render import template_problems, theme_dirs, themes
from .urls import FEED, ROBOTS, SITEMAP

F = TypeVar("F")
"""A built file, as the caller keeps it: only its path matters here."""

ROOT_FOLDER = "root"
RESERVED_FOLDERS = ("pagefind",)
"""Folders the build fills after the pages (the search index)."""


def robots_txt(base_url: str) -> bytes:
    """Crawlers may read everything; the sitemap says where every page is."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}{SITEMAP}\n".encode()


def root_files(project: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """Files under `templates/root/` (path at the site root, source), and the problems met.

    A file of the project's own must be a regular file inside the project (a symlink out of
    it is an error, as for any other input); the default theme's are the package's.
    """
    chosen: dict[str, Path] = {}
    problems: list[Diagnostic] = []
    inside = project.resolve()
    for theme in theme_dirs(project):
        folder = theme / ROOT_FOLDER
        own = theme.resolve().is_relative_to(inside)
        for source in sorted(folder.rglob("*")) if folder.is_dir() else ():
            name = source.relative_to(folder).as_posix()
            if name in chosen or source.is_dir():
                continue
            problem = _unusable(source, inside) if own else None
            if problem is not None:
                problems.append(error(Position(_shown(source, inside)), problem))
                continue
            chosen[name] = source
    return sorted(chosen.items()), problems


def _unusable(source: Path, inside: Path) -> str | None:
    if not source.resolve().is_relative_to(inside):
        return "lies outside the project (a symbolic link out of it); it is not published"
    if not source.is_file():
        return "is not a regular file; it is not published"
    return None


def place_root_files(
    files: dict[str, F],
    copies: list[tuple[str, Path]],
    root: list[tuple[str, Path]],
    project: Path,
) -> tuple[dict[str, F], list[tuple[str, Path]], list[Diagnostic]]:
    """Add the root files to what the build writes; a clash with a built file is an error."""
    built = set(files) | {path for path, _ in copies}
    # Every built path on a line of its own: whether a root file is a built folder is then
    # one substring search, where a test per path cost a large site's preview milliseconds.
    listing = "\n" + "\n".join(built) + "\n"
    problems = []
    placed = dict(files)
    for name, source in root:
        if name == ROBOTS:
            placed.pop(ROBOTS, None)  # the project's own replaces the built one
        elif _clashes(name, built, listing):
            problems.append(
                error(
                    Position(_shown(source, project.resolve())),
                    f"`{name}` clashes with a file the build writes at the root of the site",
                    "rename or remove it: templates/root/ may only add files of its own",
                )
            )
    return placed, sorted([*copies, *root]), problems


def _clashes(name: str, built: set[str], listing: str) -> bool:
    """Whether `name` is a built file or folder, or lies in a built file's or reserved place.
    `listing` holds the built paths, each between newlines."""
    parents = _parents(name)
    return (
        name in built
        or name in RESERVED_FOLDERS
        or f"\n{name}/" in listing  # a folder of built files
        or any(p in built for p in parents)
        or bool(parents and parents[0] in RESERVED_FOLDERS)
    )


def _parents(path: str) -> list[str]:
    """`a/b/c.txt` -> `["a", "a/b"]`."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def _shown(source: Path, inside: Path) -> str:
    """A path as messages show it: relative to the project when it is in it."""
    absolute = source.absolute()
    try:
        return absolute.relative_to(inside).as_posix()
    except ValueError:
        try:
            return source.resolve().relative_to(inside).as_posix()
        except ValueError:
            return source.as_posix()


def built_files(
    site: Site, base_url: str, feed: Callable[[Site, str], bytes] = atom_feed
) -> dict[str, bytes]:
    """The files made from the content besides the pages and the articles' exports (their
    jobs make those): the feed, and the files that hosts and crawlers look for. `feed`
    makes the feed (the preview passes its memo's, which redoes it only when it changed)."""
    files: dict[str, bytes] = {}
    files[".nojekyll"] = b""
    files[FEED] = feed(site, base_url)
    files[ROBOTS] = robots_txt(base_url)  # unless templates/root/ has one: site_files
    if site.content.site.cname:  # GitHub Pages reads the custom domain from this file
        files["CNAME"] = site.content.site.cname.encode("ascii") + b"\n"
    return files


def site_files(
    files: dict[str, F], project: Path, copies: list[tuple[str, Path]]
) -> tuple[dict[str, F], list[tuple[str, Path]], list[Diagnostic]]:
    """The rendered files with what is copied as is: `copies` (the checked `static/` files),
    and `templates/root/` at the root of the site (a name that clashes with a built file is
    an error)."""
    root, problems = root_files(project)
    files, copies, clashes = place_root_files(files, copies, root, project)
    return files, copies, problems + clashes


def static_files(project: Path) -> list[tuple[str, Path]]:
    """Assets under `templates/static/`, the project's own taking precedence over the theme's."""
    return scan_static_files(project)[0]


def scan_static_files(project: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The assets `static_files` names, each as the real file to copy, and a problem for each
    one refused: a link out of the project, not a regular file, or over MAX_COPY_BYTES.

    A refused file of the project's own is not replaced by the theme's file of that name:
    the build fails, rather than publish something the editor did not put there.
    """
    chosen: dict[str, Path | None] = {}
    problems: list[Diagnostic] = []
    for theme in themes(project):
        static = theme.folder / "static"
        found, refused = files_inside(theme.boundary, static, theme.relpath(static))
        problems += refused
        for relpath, source in found:
            name = f"static/{relpath}"
            if name in chosen:
                continue
            try:
                outcome = inspect_inside(theme.boundary, source, MAX_COPY_BYTES)
            except OSError as exc:
                outcome = Refusal(f"cannot read the file: {exc.strerror}", "")
            if isinstance(outcome, Refusal):
                problems.append(error(Position(theme.relpath(source)), *outcome))
            chosen[name] = outcome if isinstance(outcome, Path) else None
    return sorted((name, path) for name, path in chosen.items() if path is not None), problems


def scan_theme(project: Path) -> tuple[list[tuple[str, Path]], list[Diagnostic]]:
    """The static files to copy, and every problem with the templates and those files."""
    copies, problems = scan_static_files(project)
    # A link out above `static/` is met by both scans: it is one problem.
    return copies, list(dict.fromkeys(template_problems(project) + problems))
