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
from collections.abc import Iterable, Mapping
from pathlib import Path

from .errors import Diagnostic, Position, error


def check_output_folder(out: Path, project: Path) -> list[Diagnostic]:
    """Refuse output folders whose replacement would destroy the project or a repository."""
    out_resolved = out.resolve()
    project_resolved = project.resolve()
    where = Position(str(out))
    if out_resolved == project_resolved or project_resolved.is_relative_to(out_resolved):
        return [
            error(
                where,
                "the output folder is the project or contains it",
                "choose a folder inside the project, such as output/",
            )
        ]
    if (out_resolved / ".git").exists():
        return [
            error(
                where,
                "the output folder holds a `.git` repository; refusing to replace it",
                "build into a separate folder, such as output/",
            )
        ]
    if out_resolved.exists() and not out_resolved.is_dir():
        return [error(where, "the output path exists and is not a folder")]
    parent = out_resolved.parent
    while not parent.exists():
        parent = parent.parent
    if not os.access(parent, os.W_OK):
        return [error(where, f"cannot write to {parent}", "check the folder's permissions")]
    return []


def write_site(out: Path, files: Mapping[str, bytes], copies: Iterable[tuple[str, Path]]) -> None:
    """Replace `out` with exactly `files` (path -> content) plus `copies` (path -> source file)."""
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
