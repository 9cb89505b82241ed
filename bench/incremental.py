"""Edit-to-served latency of each tool's live preview (issue 6: "instant preview").

A server runs on the 1,000-article corpus; each edit changes one annotation's note in one
article source file (saved atomically, as most editors do), and we time, from the save, (a) the
first GET of that article that shows the new text and (b) for site-builder, the `reload` event
on its Server-Sent Events stream. Only 127.0.0.1 is ever contacted, and every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
POLL_SECONDS = 0.005
START_TIMEOUT = 900.0
EDIT_TIMEOUT = 120.0
SETTLE_SECONDS = 0.5
"""Pause between edits, so one edit's rebuild never overlaps the next save."""
EDIT_ANCHOR = "The *"
"""Every generated note starts with this; the edit puts a marker word after "The"."""


@dataclass(frozen=True)
class Server:
    """How to run one tool's preview server and where its sources and pages are."""

    tool: str
    command: Callable[[Path, int], list[str]]
    source: Callable[[Path, str], Path]
    """project, slug -> the file an editor changes."""
    url: Callable[[str], str]
    """slug -> the path of the article page."""


@dataclass
class EditTimes:
    """Latencies of one tool, seconds, one per edit."""

    tool: str
    served: list[float] = field(default_factory=list)
    reload: list[float] = field(default_factory=list)
    failures: int = 0
    note: str = ""

    def summary(self) -> dict[str, object]:
        return {
            "tool": self.tool,
            "edits": len(self.served),
            "failures": self.failures,
            "served_median_s": statistics.median(self.served) if self.served else None,
            "served_all_s": [round(s, 4) for s in self.served],
            "reload_median_s": statistics.median(self.reload) if self.reload else None,
            "note": self.note,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(port: int, path: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """One GET on the loopback interface; (0, b"") when nothing answers yet."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    except OSError:
        return 0, b""
    finally:
        conn.close()


def wait_for(predicate: Callable[[], bool], timeout: float, interval: float = POLL_SECONDS) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


class EventListener(threading.Thread):
    """Reads an SSE stream and stamps each `reload` event with the time it arrived."""

    def __init__(self, port: int, path: str) -> None:
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.reloads: list[float] = []
        self.connected = threading.Event()

    def run(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=EDIT_TIMEOUT * 2)
        try:
            conn.request("GET", self.path, headers={"Accept": "text/event-stream"})
            response = conn.getresponse()
            self.connected.set()
            while line := response.fp.readline():
                if line.strip() == b"event: reload":
                    self.reloads.append(time.perf_counter())
        except OSError:
            return
        finally:
            conn.close()

    def first_after(self, t0: float, timeout: float) -> float | None:
        """Seconds from `t0` to the first reload event after it, if one comes within `timeout`."""
        wait_for(lambda: any(t > t0 for t in self.reloads), timeout, 0.001)
        later = [t for t in self.reloads if t > t0]
        return later[0] - t0 if later else None


def save_atomically(path: Path, text: str) -> None:
    """Write beside the file and rename over it, as most editors save."""
    temporary = path.with_name(f".{path.name}.bench-tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def start(server: Server, project: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            server.command(project, port),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Ask the server's process group to stop; kill it if it does not within 10 s."""
    for sig, wait in ((signal.SIGINT, 10.0), (signal.SIGKILL, 5.0)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            continue


def measure(
    server: Server,
    corpus: Path,
    slugs: list[str],
    work: Path,
    edits: int = 20,
    events: str = "",
    anchor: str = EDIT_ANCHOR,
) -> EditTimes:
    """Start `server` on a private copy of `corpus`, make `edits` edits, time each; always stop it."""
    project = work / server.tool
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(corpus, project)
    port = free_port()
    times = EditTimes(server.tool)
    proc = start(server, project, port, work / f"{server.tool}.log")
    try:
        if not wait_for(lambda: get(port, server.url(slugs[0]))[0] == 200, START_TIMEOUT, 0.1):
            times.note = (
                f"server did not serve within {START_TIMEOUT:.0f} s (see {server.tool}.log)"
            )
            return times
        listener = None
        if events:
            listener = EventListener(port, events)
            listener.start()
            listener.connected.wait(10)
        originals: dict[Path, str] = {}
        for k in range(edits):
            path = server.source(project, slugs[k % len(slugs)])
            original = originals.setdefault(path, path.read_text(encoding="utf-8"))
            _one_edit(
                server.url(slugs[k % len(slugs)]), port, path, original, k, times, listener, anchor
            )
            time.sleep(SETTLE_SECONDS)
    finally:
        stop(proc)
    return times


def _one_edit(
    url: str,
    port: int,
    path: Path,
    original: str,
    k: int,
    times: EditTimes,
    listener: EventListener | None,
    anchor: str = EDIT_ANCHOR,
) -> None:
    """Change one note of one article (from its pristine text, so markers never pile up).

    A marker word goes in after the first word of `anchor`, a passage of the note.
    """
    if anchor not in original:
        raise ValueError(f"{path}: no note to edit")
    marker = f"benchedit{k}x"
    edited = original.replace(anchor, anchor.replace(" ", f" {marker} ", 1), 1)
    needle = marker.encode()
    save_atomically(path, edited)
    t0 = time.perf_counter()
    if wait_for(lambda: needle in get(port, url)[1], EDIT_TIMEOUT):
        times.served.append(time.perf_counter() - t0)
    else:
        times.failures += 1
    if listener is not None:
        reload = listener.first_after(t0, 5.0)
        if reload is not None:
            times.reload.append(reload)
