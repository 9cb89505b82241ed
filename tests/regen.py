"""Record the invalid-site fixtures' expected.txt and the golden seed site again.

    .venv/bin/python tests/regen.py            # both
    .venv/bin/python tests/regen.py invalid    # tests/fixtures/invalid/*/expected.txt only
    .venv/bin/python tests/regen.py golden     # tests/golden/ only

Run it after a change that is meant to change messages or pages, then read `git diff`: what
it shows is what the change does to editors and readers. A case folder without expected.txt
gets one (with `$ site-builder check`; put another command on its first line and run again).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from snapshots import INVALID, build_seed_site, case_names, write_case, write_golden

KINDS = ("invalid", "golden")


def regenerate(kinds: list[str]) -> list[str]:
    """Rewrite the recorded outputs of `kinds`; the files that changed, relative to tests/."""
    changed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="site-builder-regen-") as scratch:
        workspace = Path(scratch)
        if "invalid" in kinds:
            for case in case_names():
                if write_case(case, workspace):
                    changed.append(f"fixtures/invalid/{case}/expected.txt")
        if "golden" in kinds:
            built = workspace / "seed-site"
            build_seed_site(built)
            changed += [f"golden/{name}" for name in write_golden(built)]
    return changed


def main(argv: list[str]) -> int:
    kinds = argv or list(KINDS)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        print(
            f"regen: unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}", file=sys.stderr
        )
        return 2
    try:
        changed = regenerate(kinds)
    except AssertionError as problem:  # the seed site did not build: nothing to record
        print(f"regen: {problem}", file=sys.stderr)
        return 1
    for name in changed:
        print(f"rewrote tests/{name}")
    cases = len(case_names()) if "invalid" in kinds else 0
    print(f"regen: {len(changed)} file(s) changed ({cases} invalid-site cases in {INVALID.name}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
