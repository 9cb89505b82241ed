"""Lifecycle and signals: start the preview's parts in order, run until stopped, clean up.

`serve` raises `ListenError` when it cannot listen and returns once Ctrl-C or
SIGTERM stops it; what either means as an exit status is the command line's business.
"""

from __future__ import annotations

import errno
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TextIO

from .events import LiveSite
from .handler import HOST, HTTPServer, bind
from .overlay import load_script
from .rebuild import BugReport, RebuildLoop
from .watch import Watcher


class ListenError(Exception):
    """The preview cannot listen on the port it was given; the message says why and what to do."""


def serve(project: Path, port: int, *, report_bug: BugReport) -> None:
    """Build, serve on 127.0.0.1:`port` until Ctrl-C or SIGTERM, rebuild on change."""
    try:
        httpd = bind(port)
    except (OSError, OverflowError) as exc:
        raise ListenError(f"cannot listen on {HOST}:{port}: {_why(exc)}") from exc
    dev = DevServer(project, httpd, report_bug=report_bug)
    previous = _on_sigterm(_interrupt)
    try:
        dev.start()
        print(f"site-builder: serving {dev.url} (press Ctrl-C to stop)", file=sys.stderr)
        while True:
            # Short naps: a signal the kernel hands to another thread (a Pagefind run, the
            # watcher) runs its handler, KeyboardInterrupt, only once this thread wakes.
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        _on_sigterm(signal.SIG_IGN)  # a second SIGTERM while cleaning up asks for the same
        dev.stop()
        _on_sigterm(previous)
    print("site-builder: stopped", file=sys.stderr)


def _why(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
        return "the port is in use (is another server running?); choose another with --port"
    if isinstance(exc, OSError) and exc.errno == errno.EACCES:
        return "permission denied; ports below 1024 need privileges, choose another with --port"
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server the way Ctrl-C does, through the same clean-up."""
    raise KeyboardInterrupt


_SignalHandler = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


def _on_sigterm(handler: _SignalHandler) -> _SignalHandler:
    """Install a SIGTERM handler, returning the previous one (signals belong to the main thread)."""
    if handler is None or threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, handler)


class DevServer:
    """The build folder, the watcher, the rebuild loop and the HTTP server, started and stopped."""

    def __init__(
        self,
        project: Path,
        httpd: HTTPServer,
        *,
        report_bug: BugReport,
        stream: TextIO | None = None,
    ) -> None:
        self.project = project.resolve()
        self.httpd = httpd
        self._report_bug = report_bug
        self._stream = stream
        self._tmp: Path | None = None
        self.live: LiveSite
        """What requests see; set up by `start`."""
        self.rebuilds: RebuildLoop
        """The builds; set up by `start`."""
        self._watcher: Watcher | None = None
        self._thread: threading.Thread | None = None

    @property
    def site_dir(self) -> Path:
        """Where every build goes; removed with its temporary parent on stop."""
        if self._tmp is None:
            raise RuntimeError("the server has not started")
        return self._tmp / "site"

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def start(self) -> None:
        """Watch, build once, and serve; changes made while the first build runs are not lost."""
        script = load_script()
        self._tmp = Path(tempfile.mkdtemp(prefix="site-builder-serve-")).resolve()
        self.live = LiveSite(self.site_dir, script)
        self.httpd.live = self.live
        self.rebuilds = RebuildLoop(
            self.project, self.live, self.url, report_bug=self._report_bug, stream=self._stream
        )
        self._watcher = Watcher(self.project, self.rebuilds.rebuild, ignore=[self._tmp])
        self._watcher.start()
        self.rebuilds.rebuild(frozenset())
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="site-builder-http"
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and serving, end every event stream, and remove the build folder."""
        if self._watcher is not None:
            self._watcher.stop()  # waits for a running rebuild
        if self._tmp is not None:
            self.rebuilds.stop()
        streams = self.live.close() if self._tmp is not None else []
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        for thread in streams:
            thread.join(timeout=5)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
