"""One-note edits rebuilt in-process by the preview's builder: CPU per rebuild at N articles.

    python -m bench.rebuild_edit [--n 1000] [--edits 5]

The live preview's own latency (watcher, server, reload) is `bench.run --servers ours`;
this isolates what the incremental layer costs, with no server and no polling in the way.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench.corpus import generate
from site_builder.build import Builder, BuildOptions, Changes
from site_builder.serve.watch import WATCHED_FOLDERS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "ours"
        generate(args.n, Path(tmp), tools=("ours",))
        options = BuildOptions(root, out=Path(tmp) / "out", search=False, jobs=0, records="check")
        builder = Builder(options)
        started = time.perf_counter()
        assert not builder.build().failed
        print(f"first build: {time.perf_counter() - started:.2f} s at N = {args.n}")
        article = sorted((root / "content/articles").glob("*.yaml"))[args.n // 2]
        source = article.read_text(encoding="utf-8")
        # As the preview rebuilds: told by its watcher which file changed. Without that,
        # the build checks every article's and seed's stamp itself (a plain rebuild).
        told = Changes(frozenset({article.relative_to(root).as_posix()}), WATCHED_FOLDERS)
        for label, changes in (("told what changed", told), ("by stamps", None)):
            seconds = []
            for edit in range(args.edits + 1):
                article.write_text(source.replace("note: ", f"note: Edit {edit}. ", 1), "utf-8")
                started = time.process_time()
                report = builder.build(changes)
                seconds.append(time.process_time() - started)
                assert not report.failed, report.errors[:1]
            print(f"CPU per one-note rebuild, {label} (s):", " ".join(f"{s:.3f}" for s in seconds))
            print(f"median, {label}: {statistics.median(seconds):.3f} s")


if __name__ == "__main__":
    main()
