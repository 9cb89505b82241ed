"""`site-builder new DIR`: a project that builds at once (FORMAT.md section 9).

Everything a new project gets is copied from files the package carries: the example
content (`site_builder/example/`), the JSON Schemas and the Pages workflow, which the
wheel takes from the repository's own `schemas/` and `.github/workflows/pages.yml`, so
a new project always gets the same files this repository builds and deploys with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).parent
EXAMPLE = PACKAGE / "example"
"""The example project: content/, seeds/, the bare variants of people and glossary."""

# In the wheel these are copies (pyproject.toml force-includes them); in a checkout of
# the repository the originals are read where they are.
_PACKAGED_SCHEMAS = PACKAGE / "schemas"
_SOURCE_SCHEMAS = PACKAGE.parent / "schemas"
_PACKAGED_WORKFLOW = PACKAGE / "project_files" / "pages.yml"
_SOURCE_WORKFLOW = PACKAGE.parent / ".github" / "workflows" / "pages.yml"

WORKFLOW_PATH = ".github/workflows/pages.yml"

# The repository's workflow installs site-builder from its own checkout (`pip install .`);
# a project made by `new` has no package of its own, so it installs the version that made
# it, pinned in requirements.txt (which is also what setup-python's pip cache keys on).
_INSTALL_CHECKOUT = re.compile(r"pip install \.(?=\s|$)", re.MULTILINE)
_INSTALL_PINNED = "pip install -r requirements.txt"


class ScaffoldError(Exception):
    """The command cannot make a project there; the message says why."""


@dataclass(frozen=True)
class ProjectFile:
    path: str
    """Relative to the new project, with forward slashes."""
    data: bytes


def schemas_folder() -> Path:
    """Where the package keeps the JSON Schemas it gives new projects."""
    return _PACKAGED_SCHEMAS if _PACKAGED_SCHEMAS.is_dir() else _SOURCE_SCHEMAS


def workflow_file() -> Path:
    """The Pages workflow a new project gets: the repository's own."""
    return _PACKAGED_WORKFLOW if _PACKAGED_WORKFLOW.is_file() else _SOURCE_WORKFLOW


def project_workflow() -> str:
    """The repository's Pages workflow, installing site-builder from requirements.txt."""
    return _INSTALL_CHECKOUT.sub(_INSTALL_PINNED, workflow_file().read_text(encoding="utf-8"))


def project_files(bare: bool = False) -> list[ProjectFile]:
    """Every file of a new project, in path order; `bare` leaves out the example text."""
    files: dict[str, bytes] = {
        "content/site.yaml": _example("content/site.yaml"),
        ".gitignore": _example("gitignore"),
        WORKFLOW_PATH: project_workflow().encode("utf-8"),
        "requirements.txt": f"site-builder=={__version__}\n".encode(),
    }
    for name in ("people.yaml", "glossary.yaml"):
        files[f"content/{name}"] = _example(f"bare/content/{name}" if bare else f"content/{name}")
    if not bare:
        # The example's anchor record too, so that `new` then `build --strict` succeeds.
        for folder in ("content/anchors", "content/articles", "seeds"):
            for path in sorted((EXAMPLE / folder).iterdir()):
                files[f"{folder}/{path.name}"] = path.read_bytes()
    for path in sorted(schemas_folder().glob("*.schema.json")):
        files[f"schemas/{path.name}"] = path.read_bytes()
    return [ProjectFile(path, data) for path, data in sorted(files.items())]


def _example(relpath: str) -> bytes:
    return (EXAMPLE / relpath).read_bytes()


def create_project(target: Path, bare: bool = False) -> list[ProjectFile]:
    """Write a new project into `target`, which must be missing or empty."""
    _refuse_unless_empty(target)
    files = project_files(bare)
    target.mkdir(parents=True, exist_ok=True)
    for folder in ("content/articles", "seeds"):  # where the editor's files go, even when bare
        (target / folder).mkdir(parents=True, exist_ok=True)
    for file in files:
        path = target / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as out:  # never overwrite, even a file that appeared meanwhile
            out.write(file.data)
    # The packaged schemas list this repository's people and terms: list the new project's.
    from .schema import project_ids, write_schema_files

    write_schema_files(target, project_ids(target))
    return files


def _refuse_unless_empty(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ScaffoldError(f"{target} is a file, not a folder")
    if target.is_dir() and any(target.iterdir()):
        raise ScaffoldError(
            f"{target} is not empty; `new` only writes into a new or empty folder, "
            "so that it never overwrites a file"
        )
