"""Edit-to-served latency of `site-builder serve` on the seed site (issue 4's benchmark).

    python -m bench.seed_preview [--edits 20]

Runs the preview on a private copy of the repository's content, seeds and templates, edits
the note on the first quotation (saved atomically) and times, from each save, the first GET
of the article showing the change and the `reload` event. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from bench import incremental

REPO = Path(__file__).resolve().parent.parent
SLUG = "xi-heads-internet-security-group"
ANCHOR = "In Chinese: 努力把"
"""The start of the first quotation's note; the marker goes in after "In"."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args(argv)
    server = incremental.Server(
        tool="ours-seed",
        command=lambda project, port: [
            sys.executable,
            "-m",
            "site_builder",
            "serve",
            "--project",
            str(project),
            "--port",
            str(port),
        ],
        source=lambda project, slug: project / "content" / "articles" / f"{slug}.yaml",
        url=lambda slug: f"/articles/{slug}/",
    )
    with tempfile.TemporaryDirectory() as scratch:
        corpus = Path(scratch) / "seed"
        for folder in ("content", "seeds", "templates"):
            shutil.copytree(REPO / folder, corpus / folder)
        times = incremental.measure(
            server, corpus, [SLUG], Path(scratch), args.edits, "/__livereload", ANCHOR
        )
    served, reload = times.served, times.reload
    print(f"seed site, {len(served)} edits, {times.failures} failures {times.note}")
    if served:
        print(
            f"  saved -> page served: median {statistics.median(served) * 1000:.0f} ms "
            f"(min {min(served) * 1000:.0f}, max {max(served) * 1000:.0f})"
        )
    if reload:
        print(f"  saved -> reload event: median {statistics.median(reload) * 1000:.0f} ms")
    return 0 if served and not times.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
