"""Run one command and measure it: wall time, peak memory, exit status.

Peak memory is taken two ways and the larger is kept: `wait4`'s `ru_maxrss` (the largest
single process, exact, what `/usr/bin/time -v` reports) and the sum of RSS over the whole
process tree, sampled every 50 ms, because a build that fans out to worker processes uses the
sum of their memory, which `ru_maxrss` alone would understate.

Why RSS and not PSS, although forked workers share pages copy-on-write: reading a process's
PSS (`/proc/PID/smaps_rollup`) walks its page tables, about 100 ms for a 3 GB process on this
machine, and would slow the very build it measures; and for site-builder's forked render
workers the two sums differ by about 1 % (784 against 792 MB at N = 1,000), since Python's
reference counting writes to, and so un-shares, most pages a worker touches.
`tree_memory_kb(pid, pss=True)` gives the PSS sum for a one-off check.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.05


@dataclass(frozen=True)
class Measurement:
    """One run of one command."""

    seconds: float
    max_rss_kb: int
    """`ru_maxrss` of the child from `wait4`: the largest single process of the tree."""
    tree_rss_kb: int
    """The largest sampled sum of RSS over the process and its descendants."""

    returncode: int
    stderr_tail: str
    timed_out: bool = False

    @property
    def peak_kb(self) -> int:
        return max(self.max_rss_kb, self.tree_rss_kb)


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    kids: list[int] = []
    for tid in tasks:
        try:
            kids += [int(k) for k in Path(f"/proc/{pid}/task/{tid}/children").read_text().split()]
        except OSError:
            continue
    return kids


def _field_kb(path: str, field: str) -> int:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += _children(current)
    return found


def tree_memory_kb(pid: int, pss: bool = False) -> tuple[int, int]:
    """The current RSS of a process and all its descendants, in kB, and with `pss` their PSS."""
    pids = _tree(pid)
    rss = sum(_field_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    return rss, sum(_field_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids) if pss else 0


class _Sampler(threading.Thread):
    """Samples the tree's RSS until told to stop; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.rss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SAMPLE_SECONDS):
            self.rss = max(self.rss, tree_memory_kb(self.pid)[0])


def run_measured(
    cmd: Sequence[str | Path], cwd: Path | None = None, timeout: float = 1800.0
) -> Measurement:
    """Run `cmd` to the end (killing its process group after `timeout` seconds) and measure it."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [str(c) for c in cmd],
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,  # its own process group, so a timeout can end all of it
        )
        sampler = _Sampler(proc.pid)
        sampler.start()
        expired = threading.Event()
        killer = threading.Timer(timeout, _kill_group, (proc.pid, expired))
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            sampler.done.set()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        sampler.join()
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    return Measurement(
        seconds, usage.ru_maxrss, sampler.rss, proc.returncode, tail, expired.is_set()
    )


def _kill_group(pid: int, expired: threading.Event) -> None:
    expired.set()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
