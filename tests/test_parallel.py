"""Work on several processes gives the same results as work in one: pages, and articles."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from conftest import REPO
from test_incremental import tree_differences

from site_builder import incremental, render
from site_builder.build import BuildOptions, build, resolve_site
from site_builder.parallel import fork_map
from site_builder.write import Staged, Staging


def test_parallel_rendering_is_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(render, "PARALLEL_THRESHOLD", 1)  # the seed site is small: force workers
    seen = tmp_path / "workers"
    seen.mkdir()
    real_render = render.render_page

    def spying_render(template: str, context: dict[str, object], env: object) -> str:
        if template != "sitemap.xml":  # made after the pages, from the paths they took
            (seen / str(os.getpid())).touch()  # in a worker, which inherited this by fork
        return real_render(template, context, env)

    monkeypatch.setattr(render, "render_page", spying_render)
    writers = tmp_path / "writers.log"
    real_put = Staging.put

    def spying_put(staging: Staging, relpath: str, data: bytes) -> Staged:
        with writers.open("a", encoding="utf-8") as log:  # appends of a line do not interleave
            log.write(f"{os.getpid()} {relpath}\n")
        return real_put(staging, relpath, data)

    monkeypatch.setattr(Staging, "put", spying_put)
    serial = build(BuildOptions(REPO, out=tmp_path / "serial", jobs=1, search=False))
    for marker in seen.iterdir():
        marker.unlink()
    writers.unlink()
    parallel = build(BuildOptions(REPO, out=tmp_path / "parallel", jobs=2, search=False))
    assert not serial.failed and not parallel.failed
    workers = {int(p.name) for p in seen.iterdir()}
    # Pages were rendered in another process as well as in this one, which takes a share
    assert os.getpid() in workers and len(workers) == 2
    # ... and each written where it was rendered: no process holds another's pages
    written_by = dict(reversed(line.split(" ", 1)) for line in writers.read_text().splitlines())
    pages = [path for path in written_by if path.endswith(".html")]
    assert len(pages) > 20 and {int(written_by[path]) for path in pages} == workers
    assert tree_differences(tmp_path / "serial", tmp_path / "parallel") == []
    assert serial.files_written == parallel.files_written > 20


def _corpus(root: Path, n: int) -> Path:
    """A generated project of `n` articles (the benchmark's corpus), all of it valid."""
    from bench.corpus import make_corpus, write_ours

    write_ours(make_corpus(n), root)
    return root


def _break_some_articles(root: Path) -> None:
    """Errors of every per-article stage, and one that spans two articles."""
    articles = sorted((root / "content" / "articles").glob("*.yaml"))
    first, second, third = (p.read_text(encoding="utf-8") for p in articles[:3])
    # validate and link: an unknown person; anchor: a passage that is not in the seed
    articles[0].write_text(
        first.replace("person: ", "person: nobody-", 1).replace("text: ", "text: Nowhere ", 1),
        encoding="utf-8",
    )
    # load: a duplicate key; across articles: an explicit id the first file already uses
    articles[1].write_text(second + "title: again\n", encoding="utf-8")
    for path, text in ((articles[0], None), (articles[2], third)):
        text = text if text is not None else path.read_text(encoding="utf-8")
        path.write_text(text.replace("  - type:", "  - id: shared-id\n    type:", 1), "utf-8")


@pytest.mark.parametrize("broken", [False, True])
def test_parallel_resolve_matches_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken: bool
) -> None:
    root = _corpus(tmp_path / "corpus", 12)
    if broken:
        _break_some_articles(root)
    monkeypatch.setattr(incremental, "PARALLEL_ARTICLES", 1)  # force workers on a small site
    seen = tmp_path / "workers"
    seen.mkdir()
    real_resolve = incremental.resolve_article

    def spying_resolve(shared: object, job: tuple[str, bytes]) -> object:
        (seen / str(os.getpid())).touch()
        return real_resolve(shared, job)  # type: ignore[arg-type]

    monkeypatch.setattr(incremental, "resolve_article", spying_resolve)
    serial = resolve_site(BuildOptions(root, jobs=1))
    assert {int(p.name) for p in seen.iterdir()} == {os.getpid()}
    for marker in seen.iterdir():
        marker.unlink()
    parallel = resolve_site(BuildOptions(root, jobs=2))
    workers = {int(p.name) for p in seen.iterdir()}
    assert os.getpid() in workers and len(workers) == 2  # here and in a worker
    assert parallel == serial
    site, diagnostics = serial
    if broken:
        messages = "\n".join(d.message for d in diagnostics)
        for expected in ("unknown person", "not found", "duplicate key", "already used in"):
            assert expected in messages
        assert site is None
    else:
        assert site is not None and len(site.articles) == 12 and diagnostics == []


def _square(n: int) -> int:
    return n * n


def _fail_on_seven(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n


def test_fork_map_keeps_the_order_of_items() -> None:
    items = list(range(53))  # not a multiple of the chunk count
    assert fork_map(_square, items, 2) == [n * n for n in items]
    assert fork_map(_square, [], 2) == []


def test_fork_map_leaves_a_failure_to_the_caller() -> None:
    assert fork_map(_fail_on_seven, list(range(20)), 2) is None


def _signal_dispositions(_: int) -> tuple[int, bool, bool, bool]:
    return (
        os.getpid(),
        signal.getsignal(signal.SIGTERM) is signal.SIG_DFL,
        signal.getsignal(signal.SIGINT) is signal.SIG_IGN,
        signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, []),
    )


def test_workers_die_by_the_kernel_when_the_pool_ends_them() -> None:
    """The command line's SIGTERM handler is Python code, which a worker stuck in a lock it
    inherited from the fork never runs: the pool's SIGTERM must kill it as the default does."""
    previous = signal.signal(signal.SIGTERM, lambda *_: None)
    try:
        found = fork_map(_signal_dispositions, list(range(8)), 3)
        assert found is not None
        workers = [dispositions for pid, *dispositions in found if pid != os.getpid()]
        assert len(workers) == 5 and workers == [[True, True, True]] * 5  # the items of 2 workers
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert signal.getsignal(signal.SIGTERM) is previous
    assert signal.SIGTERM not in signal.pthread_sigmask(signal.SIG_BLOCK, [])
