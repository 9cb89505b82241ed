"""HTTP: GET and HEAD of the build folder for this machine only, with the overlay injected.

Requests whose `Host` is not a loopback name are refused (DNS rebinding), and so are
event streams opened by pages of another origin; a page asked for while a rebuild runs
is answered once it is done (as MkDocs' server does), so a reload never shows what a
save made stale; HTML responses get the live-reload script; the event stream is held
open here and fed by `LiveSite`.
"""

from __future__ import annotations

import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from .events import KEEPALIVE_SECONDS, LiveSite
from .files import Target, content_type, locate
from .overlay import EVENTS_PATH, inject, placeholder_page

HOST = "127.0.0.1"


def bind(port: int) -> HTTPServer:
    """Listen on the loopback interface only; port 0 picks a free one."""
    if not 0 <= port <= 65535:
        raise OverflowError("a port is a number from 0 to 65535")
    return HTTPServer((HOST, port), Handler)


class HTTPServer(ThreadingHTTPServer):
    """One thread per request; streams are ended by `LiveSite.close`, not by waiting on them."""

    daemon_threads = True
    live: LiveSite
    """What requests see; set by the server before it serves."""

    def handle_error(self, request: object, client_address: object) -> None:
        # A tab closed mid-response is routine in a dev server, not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""The only names the preview answers to, with or without a port (FORMAT.md: serve)."""


def is_local_host(host: str) -> bool:
    """Whether a `Host` header names the loopback this server listens on."""
    if host.startswith("["):  # an IPv6 address, whose colons are not the port's
        end = host.find("]") + 1
    else:
        end = host.find(":") if ":" in host else len(host)
    name, port = host[:end], host[end:]
    digits = port[1:]
    if port and not (port[0] == ":" and digits.isascii() and digits.isdigit()):
        return False
    return len(digits) <= 5 and name.lower() in LOCAL_HOSTS


def is_local_origin(origin: str) -> bool:
    """Whether an `Origin` header is a page of this preview (http, a loopback name)."""
    scheme, separator, host = origin.partition("://")
    return separator != "" and scheme.lower() == "http" and is_local_host(host)


_TEXT = "text/plain; charset=utf-8"
_NOT_LOCAL = b"Misdirected request: this preview answers only to 127.0.0.1, localhost, [::1]\n"
_FOREIGN_ORIGIN = b"Forbidden: the event stream is only for pages of this preview\n"


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of the build folder, plus the event stream.

    HTTP/1.0 (the default): every connection closes after its response, so no
    idle keep-alive connection can hold a thread at shutdown.
    """

    server: HTTPServer
    timeout = 30
    """Seconds a connection may stay silent before its thread gives up on it."""

    def do_GET(self) -> None:
        self._respond(body=True)

    def do_HEAD(self) -> None:
        self._respond(body=False)

    def log_message(self, format: str, *args: object) -> None:
        """The terminal shows one line per rebuild, not one per request."""

    def _respond(self, *, body: bool) -> None:
        url = urlsplit(self.path)
        live = self.server.live
        if not is_local_host(self.headers.get("Host", "")):
            # A web page that rebinds its own name to 127.0.0.1 sends that name: refusing it
            # keeps unpublished drafts and the error stream from the page's scripts.
            self._send(HTTPStatus.MISDIRECTED_REQUEST, _TEXT, _NOT_LOCAL, body)
        elif url.path == EVENTS_PATH:
            self._stream_events(url.query, body=body)
        elif not live.build:
            page = placeholder_page(live.failure_text, live.script_tag())
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", page, body)
        else:
            live.wait_for_rebuild()
            self._send_target(locate(live.root, url.path), url.query, body)

    def _send_target(self, target: Target, query: str, body: bool) -> None:
        if target.status is HTTPStatus.FOUND:
            location = target.location + (f"?{query}" if query else "")
            self._send(target.status, _TEXT, b"", body, location)
        elif target.status is HTTPStatus.BAD_REQUEST:
            self._send(target.status, _TEXT, b"Bad request\n", body)
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
            self._send(HTTPStatus.NOT_FOUND, _TEXT, b"Not found\n", body)

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
        if origin is not None and not is_local_origin(origin):
            self._send(HTTPStatus.FORBIDDEN, _TEXT, _FOREIGN_ORIGIN, body)
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
