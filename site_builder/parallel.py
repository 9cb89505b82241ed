"""Map a function over many items on several cores, with the results one core would give.

Workers are forked, so they inherit what the function needs (the site, the templates,
the name matcher) instead of receiving it pickled; only items' results travel back.
Items are dealt out in interleaved chunks, so slow items (long articles, big term pages)
spread over every worker. A build also pauses the cyclic garbage collector while it runs
(`cycle_collector_paused`).
"""

from __future__ import annotations

import gc
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_CHUNKS_PER_JOB = 4


def fork_map(function: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R] | None:
    """`[function(item) for item in items]`, computed on `jobs` processes: this one and
    `jobs - 1` forked workers.

    This process takes its share too: a worker forked from it counts, page for page, all
    the memory it shares (a site's model), so one worker fewer is that much less.
    None when this platform cannot fork, or when a worker raised: the caller then runs
    in-process, where an error is raised with its full traceback and context.
    """
    if not items:
        return []
    from multiprocessing import get_all_start_methods, get_context  # only large sites pay for it

    if "fork" not in get_all_start_methods():
        return None
    count = jobs * _CHUNKS_PER_JOB
    chunks = [range(start, len(items), count) for start in range(count)]
    own, theirs = chunks[::jobs], [chunk for i, chunk in enumerate(chunks) if i % jobs]
    try:
        with _stop_signals_held():
            pool = get_context("fork").Pool(jobs - 1, _start_worker, (function, items))
        with pool:
            pending = pool.map_async(_run_chunk, theirs)
            mine = [[function(items[i]) for i in chunk] for chunk in own]
            mapped = pending.get()
    except Exception:  # what a worker raised may not even pickle; the caller redoes it here
        return None
    results: list[Any] = [None] * len(items)
    for chunk, values in zip([*own, *theirs], [*mine, *mapped], strict=True):
        for index, value in zip(chunk, values, strict=True):
            results[index] = value
    return results


_task: tuple[Callable[[Any], Any], Sequence[Any]] | None = None
"""In a forked worker only: the function and the items it inherited."""


def _start_worker(function: Callable[[Any], Any], items: Sequence[Any]) -> None:
    global _task
    _task = (function, items)
    # The pool ends its workers with SIGTERM. A worker inherits the command line's Python
    # handlers, which run only between bytecodes: one stuck in a lock copied by the fork
    # would never run them, and the build would hang at the pool's end. The kernel's
    # default kills it wherever it is. Ctrl-C reaches the whole process group; the main
    # process alone answers it, by ending the pool.
    for number in _STOP_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if _STOP_SIGNALS:  # held since the fork (see _stop_signals_held): one sent early dies now
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)


_STOP_SIGNALS = (
    frozenset(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))
    if hasattr(signal, "pthread_sigmask")
    else frozenset()
)


@contextmanager
def _stop_signals_held() -> Iterator[None]:
    """Hold SIGTERM and SIGHUP back while the pool forks its workers.

    A worker that the pool ends before its initializer ran (a short map can finish first)
    would otherwise meet the signal with the handler it inherited, which in the main
    process of a test or an embedding may do nothing, and wait for work forever. Held, the
    signal waits until the worker has taken the default, then kills it.
    """
    if not _STOP_SIGNALS:
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_chunk(indices: range) -> list[Any]:
    assert _task is not None
    function, items = _task
    return [function(items[i]) for i in indices]


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a build runs.

    A build makes millions of objects that live until it ends, and next to no reference
    cycles: the collector's passes over ever more objects took a fifth of a large build
    (at 1,000 articles, 0.6 s of a parallel resolve's 2.4 s). Reference counting still
    frees everything else at once; the cycles wait for the collector's next pass.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
