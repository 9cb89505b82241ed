"""How long tracing annotations through a seed's revision takes (issue 15, FORMAT.md section 10).

    python -m bench.trace_speed [--kb 100] [--spans 200] [--repeat 5]

A deterministic seed of about `--kb` kilobytes (sentences drawn from the repository's seed)
is revised in several ways; for each, the diff is made and `--spans` recorded passages are
traced through it. Also timed: the check of an unchanged seed against its record (a hash).
Every traced passage is checked to be exact (same characters) where it survived. Figures
are the best of `--repeat` runs; docs/records.md keeps them.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from site_builder.trace import Diff

SEED = Path(__file__).resolve().parent.parent / "seeds" / "xi-heads-internet-security-group.txt"


def make_text(kb: int, rng: random.Random) -> list[str]:
    """Paragraphs of 3 to 6 sentences each, until the text is `kb` kilobytes."""
    sentences = [s.strip() + "." for s in SEED.read_text(encoding="utf-8").split(".") if s.strip()]
    paragraphs: list[str] = []
    size = 0
    while size < kb * 1000:
        paragraph = " ".join(rng.choice(sentences) for _ in range(rng.randint(3, 6)))
        paragraph = f"({len(paragraphs)}) {paragraph}"  # numbered: real paragraphs differ
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 1
    return paragraphs


def revisions(rng: random.Random) -> dict[str, Callable[[list[str]], str]]:
    def typo(ps: list[str]) -> str:
        ps = ps.copy()
        for i in rng.sample(range(len(ps)), 10):
            ps[i] = ps[i].replace("the ", "teh ", 1)
        return "\n".join(ps) + "\n"

    def insert(ps: list[str]) -> str:
        ps = ps.copy()
        ps.insert(len(ps) // 3, ps[len(ps) // 2])  # a paragraph repeating another
        return "\n".join(ps) + "\n"

    def swap(ps: list[str]) -> str:
        ps = ps.copy()
        a, b = len(ps) // 4, 3 * len(ps) // 4
        ps[a], ps[b] = ps[b], ps[a]
        return "\n".join(ps) + "\n"

    def crlf(ps: list[str]) -> str:
        return "\r\n".join(ps) + "\r\n"

    def quotes(ps: list[str]) -> str:
        return ("\n".join(ps) + "\n").replace('"', "\u201c")

    def rewrite(ps: list[str]) -> str:
        ps = ps.copy()
        del ps[len(ps) // 5]
        ps[len(ps) // 2] = "An entirely new paragraph replaces this one."
        return "\n".join(ps) + "\n"

    return {
        "typos": typo,
        "insert": insert,
        "swap": swap,
        "crlf": crlf,
        "quotes": quotes,
        "rewrite": rewrite,
    }


def best_of(repeat: int, run: Callable[[], object]) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kb", type=int, default=100)
    parser.add_argument("--spans", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    rng = random.Random(15)
    paragraphs = make_text(args.kb, rng)
    old = "\n".join(paragraphs) + "\n"
    starts = sorted(rng.sample(range(len(old) - 40), args.spans))
    spans = [(s, s + rng.randint(2, 40)) for s in starts]
    print(
        f"seed: {len(old.encode()) / 1000:.1f} KB, {len(paragraphs)} paragraphs, "
        f"{len(spans)} passages traced"
    )
    raw = old.encode()
    recorded = hashlib.sha256(raw).hexdigest()
    unchanged, _ = best_of(args.repeat, lambda: hashlib.sha256(raw).hexdigest() == recorded)
    print(f"unchanged seed (hash compare): {unchanged * 1000:.2f} ms")
    for name, revise in revisions(rng).items():
        new = revise(paragraphs)

        def trace_all(new: str = new) -> list[object]:
            diff = Diff(old, new)
            return [diff.trace(s, e, old[max(0, s - 32) : s], old[e : e + 32]) for s, e in spans]

        seconds, results = best_of(args.repeat, trace_all)
        intact = [t for t in results if t.kind == "intact"]  # type: ignore[attr-defined]
        wrong = sum(
            1
            for (s, e), t in zip(spans, results, strict=True)  # type: ignore[call-overload]
            if t.kind == "intact" and new[t.span[0] : t.span[1]] != old[s:e]
        )
        print(
            f"{name:8} {seconds * 1000:7.1f} ms  intact {len(intact):3}/{len(spans)}  "
            f"not exact {wrong}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
