"""Write stage: put a fully rendered site in place, all at once or not at all.

Pages are written into a fresh staging folder beside the output folder (same file
system) by the render workers as they make them (`Staging.put`: no process holds the
whole site's HTML), checked, and then swapped in: on Linux (`renameat2(RENAME_EXCHANGE)`) and
macOS (`renamex_np(RENAME_SWAP)`) the old and new folders trade places in one system
call, so at every instant the output folder is either the whole old site or the whole
new one, whatever kills the build. Elsewhere (other systems, file systems that cannot
exchange) the fallback is two renames, old out and new in, with a window of a few
microseconds in which the output folder is missing.

Every build carries `BUILD_MARKER`, written first into its staging folder: it is how a
later build knows that a folder is a previous build it may replace, and that a staging
folder left by a killed run is ours to remove. A folder being removed loses its marker
last, so a folder interrupted halfway is still recognised.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .errors import Diagnostic, Position, error

SOURCE_FOLDERS = ("content", "seeds", "templates", "schemas", ".git")
"""Project folders the build reads or that hold history: never replaced, never written into."""
BUILD_MARKER = ".site-builder"
"""Every built site has this file, and nothing else writes it; a non-empty folder without it
is someone's work. (`.nojekyll` is no proof: hand-made GitHub Pages folders have one too.)"""
MARKER_TEXT = (
    b"This folder was built by site-builder, which replaces it whole at every build.\n"
    b"Keep nothing of your own in it.\n"
)
STAGING_KINDS = ("new", "old", "probe")
"""Folders beside the output folder named `.<output>.<kind>-*`: the new site being
written, the old one being removed, and the probe that tries the folder is writable."""


class SiteWriteError(Exception):
    """A file of the site could not be written whole; the output folder was left as it was."""


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
    if out.is_dir() and not _has_marker(out) and any(out.iterdir()):
        return (
            "the output folder is not empty and was not made by site-builder; "
            "refusing to replace it",
            f"site-builder marks every build with a `{BUILD_MARKER}` file and this folder has "
            f"none; empty it first (a build by an older site-builder included), or {elsewhere}",
        )
    return None


def _has_marker(folder: Path) -> bool:
    """Whether `folder` carries the build marker as a file of its own (a link proves nothing)."""
    return (folder / BUILD_MARKER).is_file() and not (folder / BUILD_MARKER).is_symlink()


def _unwritable(out: Path) -> tuple[str, str] | None:
    """Try what the write stage will do: make a folder beside the output folder."""
    parent = out.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        return f"cannot create the output folder: {parent} is a file", "choose another folder"
    try:
        probe = Path(tempfile.mkdtemp(prefix=_staging_prefix(out, "probe"), dir=parent))
    except OSError as exc:
        return f"cannot write to {parent}: {exc.strerror}", "check the folder's permissions"
    with suppress(FileNotFoundError):  # a build beside this one may have removed it as stale
        probe.rmdir()
    return None


@dataclass(frozen=True)
class Staged:
    """A file of the new site as the build made it: its size and digest, and its bytes
    only where a run keeps them (`check`, which writes nothing). Two are equal when their
    size and digest are: what the preview compares to rewrite only the pages that changed."""

    size: int
    digest: bytes
    data: bytes | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, data: bytes, keep: bool = False) -> Staged:
        digest = hashlib.sha1(data, usedforsecurity=False).digest()  # SHA-1 in hardware: 1.5 GB/s
        return cls(len(data), digest, data if keep else None)


def kept_in_memory(relpath: str, data: bytes) -> Staged:
    """A file made by a run that writes nothing: its bytes stay in memory."""
    return Staged.of(data, keep=True)


@dataclass(frozen=True)
class Staging:
    """The folder beside the output folder that a build writes its new files into.

    Render workers write their own pages here as they make them (`put`), so no process
    holds the whole site's HTML. `whole`: the folder becomes the whole new site, swapped
    in (`swap_in`); otherwise it carries only the files of a preview's rebuild, which
    `update_from` moves into the live folder one by one.
    """

    folder: Path
    out: Path
    whole: bool

    def put(self, relpath: str, data: bytes) -> Staged:
        """Write one file of the new site; SiteWriteError when it cannot be written."""
        _write_file(self.folder, relpath, data)
        return Staged.of(data)


@contextmanager
def staging_beside(out: Path, whole: bool) -> Iterator[Staging]:
    """A fresh staging folder beside `out` (same file system, so a rename puts it in place),
    marked as a build, locked while this build runs, and removed at the end whatever
    happens: after a swap it holds the old site."""
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if whole:
            remove_stale_staging(out)
        folder = Path(tempfile.mkdtemp(prefix=_staging_prefix(out, "new"), dir=out.parent))
    except OSError as exc:
        raise SiteWriteError(f"cannot make a folder beside {out}: {exc.strerror or exc}") from exc
    # Held until the end: a build running beside this one sees it is live and leaves it alone.
    with _claimed(folder):
        try:
            try:
                (folder / BUILD_MARKER).write_bytes(MARKER_TEXT)
                folder.chmod(0o755)  # mkdtemp's 0700 would hide the site from a web server's user
            except OSError as exc:
                raise SiteWriteError(f"cannot write {BUILD_MARKER}: {exc.strerror or exc}") from exc
            yield Staging(folder, out, whole)
        finally:
            # Before the swap this is the new site, after an exchange the old one: either
            # way it is not what the output folder now holds.
            _remove_ours(folder)


def swap_in(
    staging: Staging,
    files: Mapping[str, Staged],
    copies: Iterable[tuple[str, Path]],
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Replace the output folder with exactly `files` (already staged) plus `copies`
    (path -> source file).

    `finish` runs on the complete staged folder before it goes live (the search index
    is made from the pages on disk); if it raises, the output stays as it was. A file
    that cannot be written whole raises `SiteWriteError`.
    """
    expected = {BUILD_MARKER: len(MARKER_TEXT)}
    expected.update((relpath, made.size) for relpath, made in files.items())
    for relpath, source in sorted(copies):
        data = source.read_bytes()
        _write_file(staging.folder, relpath, data)
        expected[relpath] = len(data)
    _check_staged(staging.folder, expected)
    if finish is not None:
        finish(staging.folder)
    _swap_in(staging.folder, staging.out)


def _staging_prefix(out: Path, kind: str) -> str:
    return f".{out.name}.{kind}-"


def _write_file(staging: Path, relpath: str, data: bytes) -> None:
    target = staging / relpath
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:
        raise SiteWriteError(f"cannot write {relpath}: {exc.strerror or exc}") from exc


def _check_staged(staging: Path, expected: Mapping[str, int]) -> None:
    """Raise unless every staged file is there with the size it was written with.

    Writers can fail without saying so (a full disk under a tool that ignores its
    errors, a file system that reports late); what is on disk is what goes live.
    """
    for relpath, size in sorted(expected.items()):
        try:
            found = (staging / relpath).stat().st_size
        except OSError as exc:
            raise SiteWriteError(f"cannot write {relpath}: {exc.strerror or exc}") from exc
        if found != size:
            raise SiteWriteError(f"cannot write {relpath}: {found} of {size} bytes were written")


def _swap_in(staging: Path, out: Path) -> None:
    """Put `staging` at `out`; after an exchange, `staging` holds the old site."""
    if not out.exists():
        staging.rename(out)
    elif not exchange(staging, out):
        _swap_by_two_renames(staging, out)


def _swap_by_two_renames(staging: Path, out: Path) -> None:
    retired = Path(tempfile.mkdtemp(prefix=_staging_prefix(out, "old"), dir=out.parent))
    retired.rmdir()
    out.rename(retired)
    try:
        staging.rename(out)
    except BaseException:
        retired.rename(out)
        raise
    _remove_ours(retired)


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one system call; False when this system or file system cannot."""
    swap = _atomic_swap()
    if swap is None:
        return False
    if swap(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux, <linux/fs.h>
_RENAME_SWAP = 2  # macOS, <stdio.h>


@cache
def _atomic_swap() -> Callable[[bytes, bytes], int] | None:
    """The C library's exchanging rename, as a function of two paths returning 0 or -1."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        renameat2 = libc.renameat2
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        renameat2.argtypes.append(ctypes.c_uint)
        return lambda a, b: int(renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        renamex_np = libc.renamex_np
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        return lambda a, b: int(renamex_np(a, b, _RENAME_SWAP))
    return None


def remove_stale_staging(out: Path) -> None:
    """Remove what killed earlier runs left beside `out`: only folders that are clearly ours.

    Ours means named `.<out>.new-*`, `.old-*` or `.probe-*`, and holding the build marker or
    nothing at all; a folder a running build holds (locked) is left alone.
    """
    prefixes = tuple(_staging_prefix(out, kind) for kind in STAGING_KINDS)
    try:
        entries = [e for e in os.scandir(out.parent) if e.name.startswith(prefixes)]
    except OSError:
        return
    for entry in entries:
        folder = Path(entry.path)
        if not entry.is_dir(follow_symlinks=False) or not _ours(folder):
            continue
        with suppress(OSError), _claimed(folder, wait=False) as claimed:
            if claimed:
                _remove_ours(folder)


def _ours(folder: Path) -> bool:
    try:
        return _has_marker(folder) or not any(folder.iterdir())
    except OSError:
        return False


@contextmanager
def _claimed(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold an advisory lock on `folder`; yields False when another process holds it.

    The kernel drops the lock when its holder dies, however it dies: a locked staging
    folder belongs to a live build. Without `fcntl` (Windows) nothing is locked.
    """
    try:
        import fcntl
    except ImportError:
        yield True
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(descriptor)


def _remove_ours(folder: Path) -> None:
    """Remove one of our folders, its marker last, so that a kill halfway leaves it recognisable."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    # What cannot be removed now (a file someone holds open elsewhere) stays behind,
    # marked, for the next build to remove; it must not fail a build that succeeded.
    for entry in entries:
        if entry.name == BUILD_MARKER:
            continue
        with suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    with suppress(OSError):
        if set(os.listdir(folder)) <= {BUILD_MARKER}:
            (folder / BUILD_MARKER).unlink(missing_ok=True)
            folder.rmdir()


def update_from(
    staging: Staging,
    changed: Iterable[str],
    copies: Iterable[tuple[str, Path]],
    removed: Iterable[str],
) -> None:
    """Bring the existing output folder up to date by touching only what changed: the
    staged files `changed` are moved in, `copies` copied, `removed` deleted.

    For the live preview, whose private folder nobody deploys: each file is replaced
    atomically (a rename over it), so a reader never sees half a page.
    """
    out = staging.out
    for relpath in sorted(changed):
        target = out / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging.folder / relpath, target)
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
