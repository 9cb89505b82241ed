"""Write stage: put a fully rendered site in place, all at once or not at all.

Pages are written into a fresh folder beside the output folder (same file
system, so the swap is a rename), then the old output is moved aside and the
new one moved in. A failure before the swap leaves the previous output exactly
as it was; the window between the two renames is a few microseconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from .errors import Diagnostic, Position, error

SOURCE_FOLDERS = ("content", "seeds", "templates", "schemas", ".git")
"""Project folders the build reads or that hold history: never replaced, never written into."""
SITE_MARKER = ".nojekyll"
"""Every built site has this file; a non-empty folder without it is someone's work."""


def check_output_folder(out: Path, project: Path) -> list[Diagnostic]:
    """Refuse output folders whose replacement would destroy the project or anyone's files.

    The write stage replaces the output folder wholesale, so before a build
    starts we make sure that what it replaces is only a previous build, and
    that the folder beside it can take the new one.
    """
    where = Position(str(out))
    try:
        out_resolved = out.resolve()
        project_resolved = project.resolve()
        problem = _refusal(out_resolved, project_resolved) or _unwritable(out_resolved)
    except (OSError, RuntimeError) as exc:  # e.g. a symlink loop
        problem = (f"cannot use the output folder: {exc}", "choose another folder")
    if problem is None:
        return []
    message, hint = problem
    return [error(where, message, hint)]


def _refusal(out: Path, project: Path) -> tuple[str, str] | None:
    """Why replacing `out` would destroy something other than a previous build, if it would."""
    elsewhere = "build into a folder of its own, such as output/ (the default)"
    if out == project or project.is_relative_to(out):
        return "the output folder is the project or contains it; refusing to replace it", elsewhere
    for name in SOURCE_FOLDERS:
        source = project / name
        if out == source or out.is_relative_to(source) or source.is_relative_to(out):
            return f"the output folder overlaps the project's `{name}/` folder", elsewhere
    if (out / ".git").exists():
        return "the output folder holds a `.git` repository; refusing to replace it", elsewhere
    if out.exists() and not out.is_dir():
        return "the output path exists and is not a folder", "remove the file, or choose a folder"
    if out.is_dir() and not (out / SITE_MARKER).exists() and any(out.iterdir()):
        return (
            "the output folder is not empty and was not made by site-builder; "
            "refusing to replace it",
            f"empty it first, or {elsewhere}",
        )
    return None


def _unwritable(out: Path) -> tuple[str, str] | None:
    """Try what the write stage will do: make a folder beside the output folder."""
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot create the output folder: {parent} is a file", "choose another folder"
    try:
        Path(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent)).rmdir()
    except OSError as exc:
        return f"cannot write to {parent}: {exc.strerror}", "check the folder's permissions"
    return None


def write_site(
    out: Path,
    files: Mapping[str, bytes],
    copies: Iterable[tuple[str, Path]],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Replace `out` with exactly `files` (path -> content) plus `copies` (path -> source file).

    `finish` runs on the complete staged folder before it goes live (the search index
    is made from the pages on disk); if it raises, the output stays as it was.
    """
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp's 0700 would hide the site from a web server's user
    try:
        for relpath, data in sorted(files.items()):
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        for relpath, source in sorted(copies):
            target = staging / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if finish is not None:
            finish(staging)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _swap_in(staging: Path, out: Path) -> None:
    if not out.exists():
        staging.rename(out)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def update_site(
    out: Path,
    changed: Mapping[str, bytes],
    copies: Iterable[tuple[str, Path]],
    removed: Iterable[str],
) -> None:
    """Bring an existing output folder up to date by touching only what changed.

    For the live preview, whose private folder nobody deploys: each file is replaced
    atomically (written beside it, then renamed), so a reader never sees half a page.
    """
    for relpath, data in sorted(changed.items()):
        _replace_file(out / relpath, data)
    for relpath, source in sorted(copies):
        _replace_file(out / relpath, source.read_bytes())
    for relpath in sorted(removed):
        target = out / relpath
        target.unlink(missing_ok=True)
        _remove_empty_parents(target.parent, out)


def _replace_file(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _remove_empty_parents(folder: Path, out: Path) -> None:
    while folder != out and folder.is_relative_to(out) and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
