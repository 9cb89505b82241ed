"""Recorded outputs the tests compare against, and the one way to record them again.

Two kinds, both rewritten by `python tests/regen.py` (see tests/README.md):

- `tests/fixtures/invalid/<case>/`: a project made of `_base/` with the case's own files laid
  over it (and the paths in its `remove.txt` taken away), and `expected.txt`: the command
  (`$ site-builder check ...`), then exactly what it prints on standard error, then its exit
  status (`[exit 1]`). The same layout as markdown-it-py's fixture files: input beside the
  output, read by one parametrized test.
- `tests/golden/seed/`: the repository's own project built with `GOLDEN_BUILD`, file for file.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import io
import re
import shutil
from pathlib import Path

from site_builder.cli import main

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
INVALID = TESTS / "fixtures" / "invalid"
BASE = INVALID / "_base"
GOLDEN = TESTS / "golden" / "seed"
COPIED_MANIFEST = TESTS / "golden" / "seed-copied.sha256"

RECORD_FILES = ("expected.txt", "remove.txt")
"""A case's files that describe it rather than lie over the base project."""
DEFAULT_COMMAND = "$ site-builder check"
SECONDS = re.compile(r" in \d+\.\d\ds\b")
SECONDS_SHOWN = " in #.##s"
"""The one thing a run prints that changes from run to run: how long it took."""

GOLDEN_BUILD = ("build", "--no-search")
"""The search index is left out: Pagefind writes binary files that change with its version."""
DIFF_LINES = 80
"""The diff of the first differing file is cut here: enough to see what changed."""
COPIED = ("static/",)
"""Output folders the build copies from the theme as they are: recorded by hash, not kept twice."""


# --- invalid-site cases ------------------------------------------------------------------


def case_names() -> list[str]:
    """Every case folder, sorted; `_base` and other `_` folders are not cases."""
    return sorted(p.name for p in INVALID.iterdir() if p.is_dir() and not p.name.startswith("_"))


def command_of(case: str) -> list[str]:
    """The case's command line after `site-builder`, from the first line of its expected.txt."""
    expected = INVALID / case / "expected.txt"
    first = expected.read_text(encoding="utf-8").partition("\n")[0] if expected.exists() else ""
    if not first.startswith("$ site-builder "):
        first = DEFAULT_COMMAND
    return first.removeprefix("$ site-builder ").split()


def make_case_project(case: str, root: Path) -> Path:
    """Lay out the case's project in `root` (which must not exist yet) and return it."""
    shutil.copytree(BASE, root)
    folder = INVALID / case
    for source in sorted(folder.rglob("*")):
        relpath = source.relative_to(folder)
        if source.is_dir() or relpath.as_posix() in RECORD_FILES:
            continue
        target = root / relpath
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    removals = folder / "remove.txt"
    if removals.exists():
        for line in removals.read_text(encoding="utf-8").splitlines():
            if line.strip():
                (root / line.strip()).unlink()
    return root


def run_case(case: str, workspace: Path) -> str:
    """What expected.txt should hold for `case`, run in-process in a fresh copy in `workspace`."""
    root = make_case_project(case, workspace / case)
    args = command_of(case)
    code, stderr = run_cli([*args, "--project", str(root)])
    return "\n".join(["$ site-builder " + " ".join(args), stderr + f"[exit {code}]", ""])


def run_cli(argv: list[str]) -> tuple[int, str]:
    """Run the command line in this process; its exit status and its standard error.

    Its standard output must stay empty: every message of a run goes to standard error.
    """
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    if out.getvalue():
        raise AssertionError(
            f"site-builder {argv[0]} printed on standard output:\n{out.getvalue()}"
        )
    return code, SECONDS.sub(SECONDS_SHOWN, err.getvalue())


def write_case(case: str, workspace: Path) -> bool:
    """Record the case's output again; whether expected.txt changed."""
    expected = INVALID / case / "expected.txt"
    text = run_case(case, workspace)
    changed = not expected.exists() or expected.read_text(encoding="utf-8") != text
    expected.write_text(text, encoding="utf-8")
    return changed


# --- the golden seed site ----------------------------------------------------------------


def build_seed_site(out: Path) -> None:
    """Build the repository's own project into `out` as the golden folder records it."""
    code, stderr = run_cli([*GOLDEN_BUILD, "--project", str(REPO), "--out", str(out)])
    if code != 0:
        raise AssertionError(f"the seed site did not build (exit {code}):\n{stderr}")


def is_copied(relpath: str) -> bool:
    return relpath.startswith(COPIED)


def site_files(folder: Path) -> dict[str, Path]:
    """Every file below `folder` by its relative path, hidden ones (`.nojekyll`) included."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copied_manifest(files: dict[str, Path]) -> str:
    """`sha256sum` lines for the copied files, so `sha256sum -c` can read them too."""
    return "".join(f"{sha256(p)}  {name}\n" for name, p in files.items() if is_copied(name))


def write_golden(built: Path) -> list[str]:
    """Replace the golden record with the site in `built`; the files that changed, relative
    to tests/golden/."""
    before = _golden_record()
    shutil.rmtree(GOLDEN, ignore_errors=True)
    files = site_files(built)
    for name, path in files.items():
        if not is_copied(name):
            target = GOLDEN / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    COPIED_MANIFEST.write_text(copied_manifest(files), encoding="utf-8")
    after = _golden_record()
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


def _golden_record() -> dict[str, bytes]:
    """Every file of the golden record by its path below tests/golden/, with its bytes."""
    folder = GOLDEN.parent
    paths = [*site_files(GOLDEN).values(), COPIED_MANIFEST] if GOLDEN.is_dir() else []
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in paths if p.exists()}


def golden_differences(built: Path) -> str:
    """Empty when `built` matches the golden folder; else what differs, the first file diffed."""
    files = site_files(built)
    kept = {name: p for name, p in files.items() if not is_copied(name)}
    recorded = site_files(GOLDEN)
    problems = []
    missing = sorted(recorded.keys() - kept.keys())
    extra = sorted(kept.keys() - recorded.keys())
    if missing:
        problems.append("not built any more: " + ", ".join(missing))
    if extra:
        problems.append("built, but not in the golden folder: " + ", ".join(extra))
    changed = [
        name
        for name in sorted(kept.keys() & recorded.keys())
        if not _same(kept[name], recorded[name])
    ]
    if changed:
        problems.append(f"{len(changed)} file(s) differ: " + ", ".join(changed))
        problems.append(_diff(changed[0], recorded[changed[0]], kept[changed[0]]))
    manifest = copied_manifest(files)
    recorded_manifest = (
        COPIED_MANIFEST.read_text(encoding="utf-8") if COPIED_MANIFEST.exists() else ""
    )
    if manifest != recorded_manifest:
        problems.append(
            f"the copied files differ from {COPIED_MANIFEST.name}:\n"
            + "".join(
                difflib.unified_diff(
                    recorded_manifest.splitlines(True),
                    manifest.splitlines(True),
                    COPIED_MANIFEST.name,
                    "built",
                )
            )
        )
    return "\n".join(problems)


def _same(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


def _diff(name: str, recorded: Path, built: Path) -> str:
    try:
        old = recorded.read_text(encoding="utf-8").splitlines(keepends=True)
        new = built.read_text(encoding="utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"{name}: binary, sha256 {sha256(recorded)} recorded, {sha256(built)} built"
    diff = list(difflib.unified_diff(old, new, f"golden/seed/{name}", f"built/{name}", n=2))
    if len(diff) > DIFF_LINES:
        diff = [*diff[:DIFF_LINES], f"... ({len(diff) - DIFF_LINES} more lines of diff)\n"]
    return "".join(diff)
