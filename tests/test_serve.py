"""`site-builder serve`: real subprocesses on free ports, edited as editors edit, every wait bounded.

All traffic goes to 127.0.0.1. Each server gets its own TMPDIR, so a test can
find the private build folder and check it is gone after shutdown.
"""

from __future__ import annotations

import functools
import http.client
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import ProjectFactory

from site_builder.build import Builder, BuildOptions, BuildReport, Changes, build
from site_builder.cli import bug_report
from site_builder.serve import DevServer
from site_builder.serve.files import content_type, locate
from site_builder.serve.handler import HTTPServer, bind
from site_builder.serve.overlay import EVENTS_PATH, inject, load_script, placeholder_page
from site_builder.serve.rebuild import BULK_CHANGE

HOST = "127.0.0.1"
WAIT = 20.0
"""Upper bound for anything to happen; generous for a loaded CI machine, reached only on failure."""

SEED = "Xi Jinping said the country must become a cyber power.\nOthers agreed.\n"


def article(title: str, seed: str = "seeds/story.txt") -> str:
    return f"""\
source: {seed}
title: {title}
publisher: Xinhua
date: 2014-02-27
annotations:
  - type: quote
    text: the country must become a cyber power
    speaker: xi-jinping
"""


BROKEN = "source: seeds/story.txt\ntitle: [unclosed\npublisher: Xinhua\n"


# --- Driving a server ----------------------------------------------------------------------------


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def get(port: int, path: str, method: str = "GET") -> Response:
    """One request with the path sent exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=WAIT)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return Response(response.status, headers, response.read())
    finally:
        conn.close()


class EventStream:
    """A client of the live-reload stream, reading one event at a time with a deadline."""

    def __init__(self, port: int, since: int | None = None) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=WAIT)
        query = "" if since is None else f"?since={since}"
        self.conn.connect()
        self.sock = self.conn.sock  # the connection lets go of it once the response is read
        self.conn.request("GET", EVENTS_PATH + query)
        self.response = self.conn.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")

    def next_event(self, timeout: float = WAIT) -> tuple[str, dict[str, object]]:
        deadline = time.monotonic() + timeout
        name, data = "message", ""
        while True:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.01))
            line = self.response.fp.readline().decode("utf-8")
            if not line:
                raise EOFError("the event stream ended")
            line = line.rstrip("\n")
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                data = line.removeprefix("data: ")
            elif not line and data:
                return name, json.loads(data)

    def expect(self, name: str, timeout: float = WAIT) -> dict[str, object]:
        event, data = self.next_event(timeout)
        assert event == name, (event, data)
        return data

    def close(self) -> None:
        self.response.close()
        self.conn.close()


class Served:
    """A `site-builder serve` subprocess and its terminal output."""

    def __init__(self, project: Path, tmpdir: Path, port: int = 0) -> None:
        tmpdir.mkdir(parents=True, exist_ok=True)
        self.tmpdir = tmpdir
        env = {**os.environ, "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "site_builder", "serve", "--project", str(project)]
        self.proc = subprocess.Popen(
            [*command, "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.port = 0

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, pattern: str, start: int = 0, timeout: float = WAIT) -> re.Match[str]:
        """The first terminal line from `start` on that matches."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines[start:]:
                    if found := re.search(pattern, line):
                        return found
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.proc.poll() is not None and not self._reader.is_alive()):
                    raise AssertionError(f"no line matching {pattern!r} in:\n" + self.output)
                self._changed.wait(remaining)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def started(self) -> Served:
        self.port = int(self.wait_for_line(r"serving http://127\.0\.0\.1:(\d+)/").group(1))
        return self

    def build_folder(self) -> Path:
        (found,) = self.tmpdir.glob("site-builder-serve-*/site")
        return found

    def get(self, path: str, method: str = "GET") -> Response:
        return get(self.port, path, method)

    def events(self, since: int | None = None) -> EventStream:
        return EventStream(self.port, since)

    def stop(self, sig: int = signal.SIGINT) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait()

    def wait(self) -> int:
        try:
            code = self.proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise AssertionError("the server did not stop:\n" + self.output) from None
        self._reader.join(timeout=WAIT)
        return code


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start `serve` on a project; every server started is stopped at the end of the test."""
    servers: list[Served] = []

    def start(project: Path, port: int = 0, wait: bool = True) -> Served:
        served = Served(project, tmp_path / f"tmp{len(servers)}", port)
        servers.append(served)
        return served.started() if wait else served

    yield start
    for served in servers:
        served.stop()


@pytest.fixture
def project(make_project: ProjectFactory) -> Path:
    return make_project(
        {"seeds/story.txt": SEED, "content/articles/story.yaml": article("First story")}
    )


def atomic_write(path: Path, text: str) -> None:
    """Save the way vim, VS Code and JetBrains do: write a temp file, rename it over the original."""
    temp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


# --- End to end ----------------------------------------------------------------------------------


def test_pages_are_served_with_the_script_injected_but_never_written(serve, project: Path):
    served = serve(project)
    for path in ("/", "/articles/story/", "/people/xi-jinping/"):
        page = served.get(path)
        assert page.status == 200, path
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-store"
        assert page.text.count('id="site-builder-livereload"') == 1
        assert page.text.index("site-builder-livereload") < page.text.rindex("</body>")
    css = served.get("/static/style.css")
    assert css.headers["content-type"] == "text/css; charset=utf-8"
    assert b"livereload" not in css.body
    assert served.get("/sitemap.xml").headers["content-type"] == "application/xml; charset=utf-8"
    head = served.get("/", method="HEAD")
    assert head.status == 200 and head.body == b""

    built = served.build_folder()
    assert (built / "articles/story/index.html").is_file()
    for file in built.rglob("*"):
        assert not file.is_file() or b"livereload" not in file.read_bytes(), file
    assert not (project / "output").exists(), "serve must leave the deployable output/ alone"


def test_directory_urls_redirect_and_missing_pages_get_the_404_page(serve, project: Path):
    served = serve(project)
    moved = served.get("/articles/story?x=1")
    assert moved.status in (301, 302)
    assert moved.headers["location"] == "/articles/story/?x=1"
    assert served.get("/articles/story/index.html").status == 200
    missing = served.get("/articles/nothing-here/")
    assert missing.status == 404
    assert "Page not found" in missing.text
    assert 'id="site-builder-livereload"' in missing.text
    assert missing.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "path",
    [
        "/../../../../etc/passwd",
        "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/articles/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/..%2f..%2f..%2fetc%2fpasswd",
        "/static/..%5c..%5cetc/passwd",
        "/index.html%00.css",
        "/%ff%fe",
        "//etc/passwd",
    ],
)
def test_paths_outside_the_site_are_refused(serve, project: Path, path: str):
    served = serve(project)
    response = served.get(path)
    assert response.status in (400, 404), path
    assert b"root:" not in response.body


def test_symlinks_out_of_the_site_are_not_followed(serve, project: Path, tmp_path: Path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "key.txt").write_text("TOP SECRET")
    served = serve(project)
    built = served.build_folder()
    (built / "leak.txt").symlink_to(secret / "key.txt")
    (built / "leakdir").symlink_to(secret)
    for path in ("/leak.txt", "/leakdir/key.txt", "/leakdir/"):
        response = served.get(path)
        assert response.status == 404, path
        assert b"TOP SECRET" not in response.body


def test_edits_in_place_and_by_rename_reload_the_page(serve, project: Path):
    served = serve(project)
    source = project / "content/articles/story.yaml"
    events = served.events()

    source.write_text(article("Second title"), encoding="utf-8")
    build = events.expect("reload")["build"]
    assert "Second title" in served.get("/articles/story/").text
    served.wait_for_line(r"\] content/articles/story\.yaml changed: built \d+ files in [\d.]+s")

    atomic_write(source, article("Third title"))
    assert events.expect("reload")["build"] == build + 1
    page = served.get("/articles/story/").text
    assert "Third title" in page and "Second title" not in page
    assert f'data-build="{build + 1}"' in page
    events.close()


def test_created_and_deleted_articles_appear_and_disappear(serve, project: Path):
    served = serve(project)
    events = served.events()
    assert served.get("/articles/other/").status == 404

    atomic_write(project / "content/articles/other.yaml", article("Another story"))
    events.expect("reload")
    assert "Another story" in served.get("/articles/other/").text
    assert "Another story" in served.get("/").text

    (project / "content/articles/other.yaml").unlink()
    events.expect("reload")
    assert served.get("/articles/other/").status == 404
    assert "Another story" not in served.get("/").text
    events.close()


def test_a_seed_edit_rebuilds(serve, project: Path):
    served = serve(project)
    events = served.events()
    (project / "seeds/story.txt").write_text(SEED + "A new closing line.\n", encoding="utf-8")
    events.expect("reload")
    assert "A new closing line." in served.get("/articles/story/").text
    events.close()


def test_a_bad_save_shows_errors_and_keeps_the_last_good_build(serve, project: Path):
    served = serve(project)
    events = served.events()
    source = project / "content/articles/story.yaml"

    source.write_text(BROKEN, encoding="utf-8")
    report = events.expect("build-error")
    diagnostics = "\n".join(report["diagnostics"])  # type: ignore[arg-type]
    assert re.search(r"^content/articles/story\.yaml:\d+:\d+: error: ", diagnostics, re.M)
    assert report["errors"] >= 1
    assert "last good build" in str(report["summary"])
    served.wait_for_line(r"content/articles/story\.yaml:\d+:\d+: error: ")
    served.wait_for_line(r"changed: \d+ error\(s\) in [\d.]+s; still serving the last good build")

    page = served.get("/articles/story/")
    assert page.status == 200 and "First story" in page.text
    late = served.events()  # a tab opened after the failure sees it too
    assert late.expect("build-error")["diagnostics"] == report["diagnostics"]

    atomic_write(source, article("Fixed story"))
    events.expect("reload")
    late.expect("reload")
    assert "Fixed story" in served.get("/articles/story/").text
    events.close()
    late.close()


def test_an_anchor_that_moved_with_a_revised_seed_shows_in_the_overlay(serve, project: Path):
    """FORMAT.md section 10: the preview reports findings like any error, and writes no record."""
    assert not build(BuildOptions(project, search=False)).failed
    record = project / "content/anchors/story.json"
    recorded = record.read_bytes()
    served = serve(project)
    events = served.events()

    revised = SEED.replace("must become a cyber power", "must soon become a cyber power")
    atomic_write(project / "seeds/story.txt", revised)
    diagnostics = "\n".join(events.expect("build-error")["diagnostics"])  # type: ignore[arg-type]
    assert re.search(r"^content/articles/story\.yaml:\d+:\d+: error: edited", diagnostics, re.M)
    assert record.read_bytes() == recorded
    events.close()


def test_a_first_build_that_fails_serves_the_errors_until_fixed(
    serve, make_project: ProjectFactory
):
    project = make_project({"seeds/story.txt": SEED, "content/articles/story.yaml": BROKEN})
    served = serve(project)
    served.wait_for_line(r"error\(s\) in [\d.]+s; nothing to serve yet")
    page = served.get("/articles/story/")
    assert page.status == 503
    assert "content/articles/story.yaml:" in page.text
    assert 'id="site-builder-livereload"' in page.text
    events = served.events(since=0)
    assert "content/articles/story.yaml:" in "".join(events.expect("build-error")["diagnostics"])

    atomic_write(project / "content/articles/story.yaml", article("Now it builds"))
    events.expect("reload")
    assert "Now it builds" in served.get("/articles/story/").text
    events.close()


def test_a_page_from_an_older_build_reloads_when_it_connects(serve, project: Path):
    served = serve(project)
    current = served.events(since=1)
    with pytest.raises(TimeoutError):
        current.next_event(timeout=0.5)
    current.close()
    stale = served.events(since=999)
    assert stale.expect("reload", timeout=5)["build"] == 1
    stale.close()


def test_a_taken_port_is_a_usage_error(serve, project: Path):
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = serve(project, port=port, wait=False)
        assert served.wait() == 2
    assert re.search(
        rf"error: cannot listen on 127\.0\.0\.1:{port}: the port is in use", served.output
    )
    assert not list(served.tmpdir.iterdir())


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_stopping_cleans_up(serve, project: Path, sig: int):
    served = serve(project)
    events = served.events()  # an open stream must not hold the shutdown up
    assert served.build_folder().is_dir()
    assert served.stop(sig) == 0
    assert "site-builder: stopped" in served.output
    assert "Traceback" not in served.output
    assert not list(served.tmpdir.iterdir()), "the build folder is left behind"
    with pytest.raises(EOFError):
        events.next_event(timeout=5)
    events.close()


# --- In process --------------------------------------------------------------------------------


def preview(project: Path, httpd: HTTPServer, terminal: io.StringIO | None = None) -> DevServer:
    """A preview as the command line makes one, its terminal a string."""
    report_bug = functools.partial(bug_report, command="serve", project=project)
    return DevServer(project, httpd, report_bug=report_bug, stream=terminal or io.StringIO())


def test_locate_stays_inside_the_site(tmp_path: Path):
    root = tmp_path / "site"
    (root / "articles/a").mkdir(parents=True)
    (root / "articles/a/index.html").write_text("a")
    (root / "index.html").write_text("home")
    assert locate(root, "/").file == root / "index.html"
    assert locate(root, "/articles/a/").file == root / "articles/a/index.html"
    assert locate(root, "/articles/a").location == "/articles/a/"
    assert locate(root, "/articles/").status == 404  # no listing of folders
    assert locate(root, "/articles/../index.html").status == 400
    assert locate(root, "/%2e%2e/site/index.html").status == 400
    assert locate(root, "/index.html%00").status == 400


def test_locate_follows_links_that_stay_inside_the_site(tmp_path: Path):
    root = tmp_path / "site"
    (root / "articles/a").mkdir(parents=True)
    (root / "articles/a/index.html").write_text("a")
    (tmp_path / "secret.txt").write_text("key")
    (root / "latest").symlink_to(root / "articles/a")
    (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
    assert locate(root, "/latest/").file == (root / "articles/a/index.html").resolve()
    assert locate(root, "/latest").location == "/latest/"
    assert locate(root, "/leak.txt").status == 404
    assert locate(root, "/articles/a/index.html/x").status == 404  # a file is no folder


def test_injection_goes_before_the_last_body_end_tag():
    assert inject(b"<body>a</body><!-- </body> --></BODY>", b"<s>") == (
        b"<body>a</body><!-- </body> --><s></BODY>"
    )
    assert inject(b"no body", b"<s>") == b"no body<s>"


def test_content_types_declare_utf8_for_text():
    assert content_type(Path("a.html")) == "text/html; charset=utf-8"
    assert content_type(Path("a.js")) == "text/javascript; charset=utf-8"
    assert content_type(Path("a.svg")) == "image/svg+xml; charset=utf-8"
    assert content_type(Path("a.png")) == "image/png"
    assert content_type(Path(".nojekyll")) == "application/octet-stream"


def test_the_placeholder_escapes_what_it_quotes():
    page = placeholder_page(['a.yaml:1:1: error: <script>alert("x")</script>'], b"<tag>")
    assert b"<script>alert" not in page
    assert b"&lt;script&gt;" in page and page.endswith(b"<tag></body>\n</html>\n")


def test_the_script_can_be_inlined():
    script = load_script()
    assert "</script" not in script.lower()
    assert "EventSource" in script and "sessionStorage" in script


def test_stopping_leaves_no_threads_and_no_folder(project: Path):
    before = set(threading.enumerate())
    httpd = bind(0)
    dev = preview(project, httpd)
    dev.start()
    try:
        port = httpd.server_address[1]
        assert get(port, "/").status == 200
        events = EventStream(port)
        site = dev.site_dir
    finally:
        dev.stop()
    with pytest.raises(EOFError):
        events.next_event(timeout=5)
    events.close()
    deadline = time.monotonic() + WAIT
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.02)  # a request thread may still be closing its socket
    assert set(threading.enumerate()) - before == set()
    assert not site.parent.exists()


def test_a_bug_in_a_rebuild_gets_the_command_lines_report_and_the_preview_goes_on(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    terminal = io.StringIO()
    httpd = bind(0)
    dev = preview(project, httpd, terminal)
    dev.start()
    try:
        port = httpd.server_address[1]
        events = EventStream(port)

        def broken(self: Builder, changes: Changes | None = None) -> BuildReport:
            raise ValueError("a bug")

        monkeypatch.setattr(Builder, "build", broken)
        dev.rebuilds.rebuild(frozenset({project / "content/articles/story.yaml"}))
        (text,) = events.expect("build-error")["diagnostics"]  # type: ignore[misc]
        assert text.startswith("site-builder: internal error: ValueError: a bug\n  at ")
        assert f"\n  while running: site-builder serve --project {project}\n" in text
        assert "First story" in get(port, "/articles/story/").text  # the last good build
        monkeypatch.undo()
        dev.rebuilds.rebuild(frozenset())
        events.expect("reload")
        events.close()
    finally:
        dev.stop()
    lines = terminal.getvalue().splitlines()
    assert "site-builder: internal error: ValueError: a bug" in lines
    assert any(
        re.search(r"story\.yaml changed: internal error in [\d.]+s; still serving the last", line)
        for line in lines
    )


def test_rebuilds_are_told_what_the_watcher_saw_change(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    """Relative to the project, from the second build on; a bulk change is left to the build
    to find, as the kernel may have dropped some of its events."""
    told: list[Changes | None] = []
    build = Builder.build

    def recording(self: Builder, changes: Changes | None = None) -> BuildReport:
        told.append(changes)
        return build(self, changes)

    monkeypatch.setattr(Builder, "build", recording)
    httpd = bind(0)
    dev = preview(project, httpd)
    dev.start()
    try:
        story = project.resolve() / "content/articles/story.yaml"
        dev.rebuilds.rebuild(frozenset({story}))
        many = frozenset(story.with_name(f"a{k}.yaml") for k in range(BULK_CHANGE + 1))
        dev.rebuilds.rebuild(many)
    finally:
        dev.stop()
    first, edit, bulk = told[0], told[1], told[-1]
    assert first is None and bulk is None
    assert edit is not None and edit.paths == {"content/articles/story.yaml"}
    assert "seeds" in edit.watched and "content" in edit.watched


def test_a_page_asked_for_during_a_rebuild_is_the_rebuilt_one(
    project: Path, monkeypatch: pytest.MonkeyPatch
):
    """A reload just after a save waits for the rebuild rather than show the stale page."""
    release, started = threading.Event(), threading.Event()
    build = Builder.build

    def held(self: Builder, changes: Changes | None = None) -> BuildReport:
        started.set()
        assert release.wait(WAIT)
        return build(self, changes)

    httpd = bind(0)
    dev = preview(project, httpd)
    dev.start()
    try:
        port = httpd.server_address[1]
        (project / "content/articles/story.yaml").write_text(article("Held title"), "utf-8")
        monkeypatch.setattr(Builder, "build", held)
        rebuild = threading.Thread(target=dev.rebuilds.rebuild, args=(frozenset(),))
        rebuild.start()
        assert started.wait(WAIT)
        answers: list[Response] = []
        asking = threading.Thread(target=lambda: answers.append(get(port, "/articles/story/")))
        asking.start()
        asking.join(0.5)
        assert answers == []  # still waiting for the rebuild
        release.set()
        asking.join(WAIT)
        rebuild.join(WAIT)
    finally:
        release.set()
        dev.stop()
    assert "Held title" in answers[0].text


# --- Only the editor's own machine (DNS rebinding) --------------------------------------------


def request_with(port: int, path: str, headers: dict[str, str], method: str = "GET") -> Response:
    """One request carrying exactly these headers (no Host unless given)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=WAIT)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        found = {k.lower(): v for k, v in response.getheaders()}
        # The stream stays open; its headers and first line are all a test needs.
        streaming = found.get("content-type", "").startswith("text/event-stream")
        body = response.fp.readline() if streaming else response.read()
        return Response(response.status, found, body)
    finally:
        conn.close()


@pytest.fixture
def in_process(project: Path) -> Iterator[int]:
    """A preview of `project` in this process; its port."""
    httpd = bind(0)
    dev = preview(project, httpd)
    dev.start()
    try:
        yield httpd.server_address[1]
    finally:
        dev.stop()


LOOPBACK_HOSTS = ["127.0.0.1", "127.0.0.1:{port}", "localhost", "localhost:{port}", "LocalHost"]


def test_the_preview_answers_to_its_own_loopback_names(in_process: int):
    for host in [*LOOPBACK_HOSTS, "[::1]", "[::1]:{port}"]:
        response = request_with(in_process, "/", {"Host": host.format(port=in_process)})
        assert response.status == 200, host
        assert 'id="site-builder-livereload"' in response.text


FOREIGN_HOSTS = [
    "attacker.example",
    "attacker.example:{port}",
    "127.0.0.1.attacker.example",
    "localhost.attacker.example:{port}",
    "[::2]:{port}",
    "127.0.0.2",
    "localhost:{port}:{port}",
    "localhost:",
    "",
]


@pytest.mark.parametrize("path", ["/", "/articles/story/", "/nothing/", EVENTS_PATH])
def test_any_other_host_is_misdirected(in_process: int, path: str):
    for host in FOREIGN_HOSTS:  # one server for all: starting one is most of the cost
        response = request_with(in_process, path, {"Host": host.format(port=in_process)})
        assert response.status == 421, host
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        assert response.text == (
            "Misdirected request: this preview answers only to 127.0.0.1, localhost, [::1]\n"
        )


def test_a_request_without_host_is_misdirected(in_process: int):
    response = request_with(in_process, "/articles/story/", {})
    assert response.status == 421
    assert b"cyber power" not in response.body


def test_a_head_request_to_another_host_gets_no_body(in_process: int):
    response = request_with(in_process, "/", {"Host": "attacker.example"}, method="HEAD")
    assert (response.status, response.body) == (421, b"")


FOREIGN_ORIGINS = [
    "http://attacker.example",
    "http://attacker.example:{port}",
    "https://localhost:{port}",
    "null",
    "localhost:{port}",
]


def test_the_event_stream_refuses_pages_of_other_origins(in_process: int):
    for origin in FOREIGN_ORIGINS:
        headers = {"Host": f"127.0.0.1:{in_process}", "Origin": origin.format(port=in_process)}
        response = request_with(in_process, EVENTS_PATH, headers)
        assert response.status == 403, origin
        assert response.text == "Forbidden: the event stream is only for pages of this preview\n"


def test_the_event_stream_serves_pages_of_the_preview(in_process: int):
    for origin in ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}"]:
        headers = {"Host": f"localhost:{in_process}", "Origin": origin.format(port=in_process)}
        response = request_with(in_process, EVENTS_PATH, headers)
        assert response.status == 200, origin
        assert response.headers["content-type"].startswith("text/event-stream")
        assert response.body.startswith(b"retry: 1000")
