"""The event stream: what open pages are told (Server-Sent Events) after each rebuild.

A page reloads once a good build is fully in place, or shows the errors of a failed
one over the last good build; a page opened later, or from an older build, is told
at once when it connects.
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

from .overlay import script_tag

KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream sends a comment, which is how a closed tab is noticed."""

REBUILD_WAIT_SECONDS = 10.0
"""The longest a page asked for during a rebuild waits for it; after that the last build
is served (a template edit re-renders a large site in seconds)."""


class Stream:
    """One open event stream: a queue of messages for one browser tab."""

    def __init__(self) -> None:
        self.messages: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.thread = threading.current_thread()

    def next(self, timeout: float) -> bytes | None:
        """The next message, a keep-alive comment after `timeout`, or None when the server stops."""
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            return b": keep-alive\n\n"


class LiveSite:
    """The served folder and the outcome of the last build, shared by rebuilds and requests."""

    def __init__(self, root: Path, script: str) -> None:
        self.root = root
        """The build folder; it does not exist until a build succeeds."""
        self.script = script
        self.build = 0
        """Good builds so far; a page carries the number it was served from, to notice it is stale."""
        self.failure: bytes | None = None
        """The `build-error` message of the last build, when it failed."""
        self.failure_text: list[str] = []
        self._streams: set[Stream] = set()
        self._closed = False
        self._lock = threading.Lock()
        self._rebuilding = False
        self._rebuilt = threading.Condition(self._lock)

    def succeeded(self) -> None:
        """A new build is in place: every page reloads."""
        with self._lock:
            self.build += 1
            self.failure, self.failure_text = None, []
            self._publish(_message("reload", {"build": self.build}))

    def failed(self, diagnostics: list[str], errors: int) -> None:
        """A rebuild failed with these (formatted) diagnostics: every page shows why."""
        kept = "the page shows the last good build" if self.build else "the site is not built yet"
        report = {
            "build": self.build,
            "errors": errors,
            "summary": f"site-builder: {errors} error(s); {kept}",
            "diagnostics": diagnostics,
        }
        with self._lock:
            self.failure, self.failure_text = _message("build-error", report), diagnostics
            self._publish(self.failure)

    @contextlib.contextmanager
    def rebuilding(self) -> Iterator[None]:
        """While a rebuild runs: pages asked for wait for its outcome (`wait_for_rebuild`)."""
        with self._lock:
            self._rebuilding = True
        try:
            yield
        finally:
            with self._lock:
                self._rebuilding = False
                self._rebuilt.notify_all()

    def wait_for_rebuild(self, timeout: float = REBUILD_WAIT_SECONDS) -> None:
        """Return once no rebuild runs (or after `timeout`), so that a page reloaded just
        after a save is the new one, not the one the save made stale."""
        with self._lock:
            self._rebuilt.wait_for(lambda: not self._rebuilding or self._closed, timeout)

    def subscribe(self, since: int | None) -> Stream:
        """Open a stream; a page from an older build reloads, one after a failure sees it."""
        stream = Stream()
        with self._lock:
            if self._closed:
                stream.messages.put(None)
                return stream
            if since is not None and since != self.build and self.build:
                stream.messages.put(_message("reload", {"build": self.build}))
            elif self.failure is not None:
                stream.messages.put(self.failure)
            self._streams.add(stream)
        return stream

    def unsubscribe(self, stream: Stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def close(self) -> list[threading.Thread]:
        """End every stream; returns their threads, to wait for."""
        with self._lock:
            self._closed = True
            self._rebuilt.notify_all()
            self._publish(None)
            return [s.thread for s in self._streams]

    def script_tag(self) -> bytes:
        """The live-reload script for a page served now, from the current build."""
        return script_tag(self.script, self.build)

    def _publish(self, message: bytes | None) -> None:
        for stream in self._streams:
            stream.messages.put(message)


def _message(event: str, data: dict[str, object]) -> bytes:
    # JSON keeps the multi-line diagnostics on one `data:` line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
