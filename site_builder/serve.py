"""`site-builder serve`: build, serve on 127.0.0.1, rebuild on change, reload open pages.

The dev server is a client of the build (STYLE.md): it calls `build()` as the
command line does, into a private temporary folder (output/ is what gets
deployed, and stays as the last `build` left it). Live reload is added at
request time: the script goes into the HTML responses, never into a file, and
a Server-Sent Events stream tells pages to reload once a rebuild is fully in
place, or shows them the errors of a failed one while the last good build
stays served.
"""

from __future__ import annotations

import errno
import gc
import html
import json
import mimetypes
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from types import FrameType
from typing import TextIO
from urllib.parse import parse_qs, unquote, urlsplit

from .build import Builder, BuildOptions, BuildReport
from .errors import Diagnostic, Position, error
from .search import SearchIndexError
from .watch import Watcher

HOST = "127.0.0.1"
EVENTS_PATH = "/__livereload"
"""The Server-Sent Events stream; no page of a site can live there (FORMAT.md section 8)."""
KEEPALIVE_SECONDS = 15.0
"""How often an idle event stream sends a comment, which is how a closed tab is noticed."""
EXIT_OK, EXIT_USAGE = 0, 2


def serve(project: Path, port: int) -> int:
    """Build, serve on 127.0.0.1:`port` until Ctrl-C or SIGTERM, rebuild on change; exit status."""
    try:
        httpd = bind(port)
    except (OSError, OverflowError) as exc:
        print(f"site-builder: error: cannot listen on {HOST}:{port}: {_why(exc)}", file=sys.stderr)
        return EXIT_USAGE
    dev = DevServer(project, httpd)
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
    return EXIT_OK


def bind(port: int) -> _HTTPServer:
    """Listen on the loopback interface only; port 0 picks a free one."""
    if not 0 <= port <= 65535:
        raise OverflowError("a port is a number from 0 to 65535")
    return _HTTPServer((HOST, port), _Handler)


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
    """The build folder, the watcher, the HTTP server, and the rebuilds that tie them together."""

    def __init__(self, project: Path, httpd: _HTTPServer, *, stream: TextIO | None = None):
        self.project = project.resolve()
        self.httpd = httpd
        self._stream = stream
        self._tmp: Path | None = None
        self.live: LiveSite
        """What requests see; set up by `start`."""
        self._build_lock = threading.Lock()
        self._warnings: list[str] = []
        self._watcher: Watcher | None = None
        self._thread: threading.Thread | None = None
        self._builder: Builder | None = None
        self._indexer: _SearchIndexer | None = None

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
        self._watcher = Watcher(self.project, self.rebuild, ignore=[self._tmp])
        self._watcher.start()
        self._indexer = _SearchIndexer(self._refresh_search)
        self.rebuild(frozenset())
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, name="site-builder-http"
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop watching and serving, end every event stream, and remove the build folder."""
        if self._watcher is not None:
            self._watcher.stop()  # waits for a running rebuild
        if self._indexer is not None:
            self._indexer.stop()
        streams = self.live.close() if self._tmp is not None else []
        if self._thread is not None:
            self.httpd.shutdown()
            self._thread.join()
        self.httpd.server_close()
        for thread in streams:
            thread.join(timeout=5)
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)

    def rebuild(self, changed: frozenset[Path]) -> None:
        """Build after `changed`; publish the new site or its errors; say so in one line."""
        with self._build_lock:
            report = self._build()
            if report.failed:
                self._say_failure(changed, report)
                self.live.failed(report.diagnostics, len(report.errors))
            else:
                self._say_success(changed, report)
                self.live.succeeded()
                if self._indexer is not None:
                    self._indexer.request()

    def _build(self) -> BuildReport:
        if self._builder is None:
            # This server's own address as base_url: the 404 page's absolute links work
            # locally. Search is indexed after each reload, off the edit-to-page path.
            options = BuildOptions(
                self.project,
                out=self.site_dir,
                base_url=self.url,
                search=False,
                jobs=1,
                records="check",
            )
            self._builder = Builder(options)
        started = time.perf_counter()
        try:
            report = self._builder.build()
        except Exception as exc:  # a bug in the build: report it, keep serving
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            problem = error(
                Position("site-builder"),
                f"internal error: {type(exc).__name__}: {exc}",
                f"at {frame.filename}:{frame.lineno}\nthis is a bug in site-builder, not in your content",
            )
            return BuildReport([problem], seconds=time.perf_counter() - started, failed=True)
        # The memos hold the whole site, millions of objects that live on: left to the cyclic
        # garbage collector, every few rebuilds one of its full passes over them would add a
        # quarter of a second to an edit (at 1,000 articles). Collected once, then frozen,
        # they are out of its way; each later collection sees only what the last edit made.
        gc.collect()
        gc.freeze()
        return report

    def _refresh_search(self) -> None:
        """Bring the preview's search index up to date; runs on the indexer's thread."""
        if self._builder is None:
            return
        try:
            self._builder.refresh_search()
        except (OSError, SearchIndexError) as exc:
            self._say(f"site-builder: search index not updated: {exc}")

    def _say_success(self, changed: frozenset[Path], report: BuildReport) -> None:
        warnings = [d.format() for d in report.diagnostics]
        if warnings != self._warnings:  # the same warnings at every save would drown the news
            self._say(*warnings)
        self._warnings = warnings
        line = f"built {report.files_written} files in {report.seconds:.2f}s"
        if warnings:
            line += f", {len(warnings)} warning(s)"
        self._say(self._headline(changed, line))

    def _say_failure(self, changed: frozenset[Path], report: BuildReport) -> None:
        self._warnings = []
        errors = len(report.errors)
        kept = "still serving the last good build" if self.live.build else "nothing to serve yet"
        line = f"{errors} error(s) in {report.seconds:.2f}s; {kept}"
        self._say(*(d.format() for d in report.diagnostics), self._headline(changed, line))

    def _headline(self, changed: frozenset[Path], outcome: str) -> str:
        if not changed:
            return f"site-builder: {outcome}"
        stamp = time.strftime("%H:%M:%S")
        return f"[{stamp}] {describe_changes(changed, self.project)} changed: {outcome}"

    def _say(self, *lines: str) -> None:
        stream = self._stream or sys.stderr
        for line in lines:
            print(line, file=stream, flush=True)


QUIET_BEFORE_INDEXING = 1.0
"""Seconds without a new build before the preview's search index is brought up to date."""


class _SearchIndexer:
    """Re-indexes search on its own thread, so a reload never waits for Pagefind.

    Requests made while an index runs fold into one more run, as saves do for rebuilds.
    """

    def __init__(self, index: Callable[[], None]) -> None:
        self._index = index
        self._wanted = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name="site-builder-search", daemon=True)
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        self._stopping = True
        self._wanted.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            # Wait for a quiet spell: on a large site an index takes seconds of CPU, which
            # would otherwise slow the rebuilds of an editor saving again and again.
            while not self._stopping:
                self._wanted.clear()
                if not self._wanted.wait(QUIET_BEFORE_INDEXING):
                    break
            if self._stopping:
                return
            self._index()


def describe_changes(changed: Iterable[Path], project: Path, shown: int = 3) -> str:
    """Name the changed files as editors know them, relative to the project, a few at most."""
    names = sorted({_relative(p, project) for p in changed})
    text = ", ".join(names[:shown])
    if len(names) > shown:
        text += f" and {len(names) - shown} more"
    return text


def _relative(path: Path, project: Path) -> str:
    try:
        return path.relative_to(project).as_posix()
    except ValueError:
        return path.as_posix()


def load_script() -> str:
    """The live-reload client, shipped inside the package."""
    script = resources.files(__package__).joinpath("livereload.js").read_text(encoding="utf-8")
    if "</script" in script.lower():  # it is inlined in a <script> element
        raise ValueError("livereload.js must not contain `</script`")
    return script


# --- What the pages are told -------------------------------------------------------------------


class _Stream:
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
        self._streams: set[_Stream] = set()
        self._closed = False
        self._lock = threading.Lock()

    def succeeded(self) -> None:
        """A new build is in place: every page reloads."""
        with self._lock:
            self.build += 1
            self.failure, self.failure_text = None, []
            self._publish(_message("reload", {"build": self.build}))

    def failed(self, diagnostics: list[Diagnostic], errors: int) -> None:
        """A rebuild failed: every page shows why, over the last good build."""
        text = [d.format() for d in diagnostics]
        kept = "the page shows the last good build" if self.build else "the site is not built yet"
        report = {
            "build": self.build,
            "errors": errors,
            "summary": f"site-builder: {errors} error(s); {kept}",
            "diagnostics": text,
        }
        with self._lock:
            self.failure, self.failure_text = _message("build-error", report), text
            self._publish(self.failure)

    def subscribe(self, since: int | None) -> _Stream:
        """Open a stream; a page from an older build reloads, one after a failure sees it."""
        stream = _Stream()
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

    def unsubscribe(self, stream: _Stream) -> None:
        with self._lock:
            self._streams.discard(stream)

    def close(self) -> list[threading.Thread]:
        """End every stream; returns their threads, to wait for."""
        with self._lock:
            self._closed = True
            self._publish(None)
            return [s.thread for s in self._streams]

    def script_tag(self) -> bytes:
        tag = (
            f'<script id="site-builder-livereload" data-build="{self.build}" '
            f'data-events="{EVENTS_PATH}">\n{self.script}</script>\n'
        )
        return tag.encode("utf-8")

    def _publish(self, message: bytes | None) -> None:
        for stream in self._streams:
            stream.messages.put(message)


def _message(event: str, data: dict[str, object]) -> bytes:
    # JSON keeps the multi-line diagnostics on one `data:` line.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


# --- Requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What a request path names in the build folder."""

    status: HTTPStatus
    file: Path | None = None
    location: str = ""
    """For a redirect: the path with its trailing slash."""


def locate(root: Path, url_path: str) -> Target:
    """Map a URL path to a file of the site, refusing anything that would leave it."""
    try:
        path = unquote(url_path, errors="strict")
    except UnicodeDecodeError:
        return Target(HTTPStatus.BAD_REQUEST)
    parts = path.split("/")
    if not path.startswith("/") or "\0" in path or any(p in (".", "..") for p in parts):
        return Target(HTTPStatus.BAD_REQUEST)
    root = root.resolve()
    try:
        found = root.joinpath(*(p for p in parts if p)).resolve(strict=True)
    except (OSError, RuntimeError):
        return Target(HTTPStatus.NOT_FOUND)
    if not found.is_relative_to(root):  # a symlink out of the site
        return Target(HTTPStatus.NOT_FOUND)
    if found.is_dir():
        if not path.endswith("/"):
            return Target(HTTPStatus.FOUND, location=url_path + "/")
        return locate(root, url_path + "index.html")
    return Target(HTTPStatus.OK, found) if found.is_file() else Target(HTTPStatus.NOT_FOUND)


_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
}
"""Fixed here so the answer does not depend on the machine's /etc/mime.types."""


def content_type(path: Path) -> str:
    """The Content-Type of a file; text types say they are UTF-8, as the build writes them."""
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0]
    kind = kind or "application/octet-stream"
    textual = kind.startswith("text/") or kind in {
        "application/json",
        "application/xml",
        "image/svg+xml",
    }
    return f"{kind}; charset=utf-8" if textual else kind


def inject(page: bytes, tag: bytes) -> bytes:
    """Put the live-reload script just before `</body>` (or at the end of a page without one)."""
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


def placeholder_page(diagnostics: list[str], tag: bytes) -> bytes:
    """What every URL shows while no build has succeeded yet: the errors, and the script."""
    errors = html.escape("\n".join(diagnostics))
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        "<title>site-builder: the site did not build</title>\n</head>\n<body>\n"
        "<h1>The site did not build</h1>\n"
        "<p>Fix these errors (also printed in the terminal) and save; "
        "this page reloads by itself.</p>\n"
        f"<pre>{errors}</pre>\n</body>\n</html>\n"
    )
    return inject(page.encode("utf-8"), tag)


class _HTTPServer(ThreadingHTTPServer):
    """One thread per request; streams are ended by `LiveSite.close`, not by waiting on them."""

    daemon_threads = True
    live: LiveSite

    def handle_error(self, request: object, client_address: object) -> None:
        # A tab closed mid-response is routine in a dev server, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the build folder, plus the event stream.

    HTTP/1.0 (the default): every connection closes after its response, so no
    idle keep-alive connection can hold a thread at shutdown.
    """

    server: _HTTPServer
    timeout = 30
    """Seconds a connection may stay silent before its thread gives up on it."""
    LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
    """The only names the preview answers to, with or without a port (FORMAT.md: serve)."""
    _TEXT = "text/plain; charset=utf-8"
    _NOT_LOCAL = b"Misdirected request: this preview answers only to 127.0.0.1, localhost, [::1]\n"
    _FOREIGN_ORIGIN = b"Forbidden: the event stream is only for pages of this preview\n"

    @classmethod
    def _is_local_host(cls, host: str) -> bool:
        """Whether a `Host` header names the loopback this server listens on."""
        if host.startswith("["):  # an IPv6 address, whose colons are not the port's
            end = host.find("]") + 1
        else:
            end = host.find(":") if ":" in host else len(host)
        name, port = host[:end], host[end:]
        digits = port[1:]
        if port and not (port[0] == ":" and digits.isascii() and digits.isdigit()):
            return False
        return len(digits) <= 5 and name.lower() in cls.LOCAL_HOSTS

    @classmethod
    def _is_local_origin(cls, origin: str) -> bool:
        """Whether an `Origin` header is a page of this preview (http, a loopback name)."""
        scheme, separator, host = origin.partition("://")
        return separator != "" and scheme.lower() == "http" and cls._is_local_host(host)

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args: object) -> None:
        """The terminal shows one line per rebuild, not one per request."""

    def _respond(self, *, body: bool) -> None:
        url = urlsplit(self.path)
        live = self.server.live
        if not self._is_local_host(self.headers.get("Host", "")):
            # A web page that rebinds its own name to 127.0.0.1 sends that name: refusing it
            # keeps unpublished drafts and the error stream from the page's scripts.
            self._send(HTTPStatus.MISDIRECTED_REQUEST, self._TEXT, self._NOT_LOCAL, body)
        elif url.path == EVENTS_PATH:
            self._stream_events(url.query, body=body)
        elif not live.build:
            tag = live.script_tag()
            page = placeholder_page(live.failure_text, tag)
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", page, body)
        else:
            self._send_target(locate(live.root, url.path), url.query, body)

    def _send_target(self, target: Target, query: str, body: bool) -> None:
        if target.status is HTTPStatus.FOUND:
            location = target.location + (f"?{query}" if query else "")
            self._send(target.status, "text/plain; charset=utf-8", b"", body, location)
        elif target.status is HTTPStatus.BAD_REQUEST:
            self._send(target.status, "text/plain; charset=utf-8", b"Bad request\n", body)
        elif target.file is None:
            self._send_not_found(body)
        else:
            tag = self.server.live.script_tag()  # read before the file: a stale page reloads
            try:
                data = target.file.read_bytes()
            except OSError:  # replaced by a rebuild between locating and reading
                self._send_not_found(body)
                return
            self._send_file(HTTPStatus.OK, target.file, data, tag, body)

    def _send_not_found(self, body: bool) -> None:
        live = self.server.live
        tag = live.script_tag()
        page = live.root / "404.html"
        try:
            self._send_file(HTTPStatus.NOT_FOUND, page, page.read_bytes(), tag, body)
        except OSError:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"Not found\n", body)

    def _send_file(
        self, status: HTTPStatus, file: Path, data: bytes, tag: bytes, body: bool
    ) -> None:
        kind = content_type(file)
        if kind.startswith("text/html"):
            data = inject(data, tag)
        self._send(status, kind, data, body)

    def _send(
        self, status: HTTPStatus, kind: str, data: bytes, body: bool, location: str = ""
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _stream_events(self, query: str, *, body: bool) -> None:
        origin = self.headers.get("Origin")
        if origin is not None and not self._is_local_origin(origin):
            self._send(HTTPStatus.FORBIDDEN, self._TEXT, self._FOREIGN_ORIGIN, body)
            return
        since = _int(parse_qs(query).get("since", [""])[0])
        live = self.server.live
        # Subscribed before the headers go out: whoever has the headers gets every later event.
        stream = live.subscribe(since) if body else None
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if stream is None:
                return
            self.wfile.write(b"retry: 1000\n\n")
            while (message := stream.next(KEEPALIVE_SECONDS)) is not None:
                self.wfile.write(message)
        finally:
            if stream is not None:
                live.unsubscribe(stream)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None
