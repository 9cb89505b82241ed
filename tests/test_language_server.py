"""The schemas in an editor: the real yaml-language-server (npm), driven over stdio.

What VS Code's YAML extension shows an editor, asked the way it asks: completion after
`speaker: `, a diagnostic for a misspelt id, the hover text of a field, and the fields a
quote is offered. The documents are the project's own content files, opened with their
modelines, so the schemas in `schemas/` are the ones under test.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

SERVER = REPO / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
ARTICLE = REPO / "content" / "articles" / "xi-heads-internet-security-group.yaml"
PEOPLE = REPO / "content" / "people.yaml"
TIMEOUT = 30.0


def _require_server() -> str:
    node = shutil.which("node")
    if node and SERVER.is_file():
        return node
    why = "needs node and `npm ci` (yaml-language-server from package-lock.json)"
    if os.environ.get("SITE_BUILDER_CI"):
        pytest.fail(why)
    pytest.skip(why)


class LanguageServer:
    """A minimal LSP client: JSON-RPC with Content-Length framing over the server's stdio."""

    def __init__(self, node: str) -> None:
        self.process = subprocess.Popen(
            [node, str(SERVER), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.next_id = 0
        self.documents = 0
        self.responses: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.diagnostics: queue.Queue[dict[str, Any]] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read_forever, daemon=True).start()

    # --- the wire ----------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            self.process.stdin.flush()

    def _read_forever(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            if not line:
                return
            self._dispatch(json.loads(stream.read(length)))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # a request from the server
            result: Any = None
            if message["method"] == "workspace/configuration":
                result = [_SETTINGS["yaml"] for _ in message["params"]["items"]]
            self._send({"id": message["id"], "result": result})
        elif "id" in message:
            self.responses.setdefault(message["id"], queue.Queue()).put(message)
        elif message.get("method") == "textDocument/publishDiagnostics":
            self.diagnostics.put(message["params"])

    def request(self, method: str, params: dict[str, Any]) -> Any:
        with self.lock:
            self.next_id += 1
            number = self.next_id
            self.responses.setdefault(number, queue.Queue())
        self._send({"id": number, "method": method, "params": params})
        reply = self.responses[number].get(timeout=TIMEOUT)
        assert "error" not in reply, reply
        return reply["result"]

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"method": method, "params": params})

    # --- what an editor does -----------------------------------------------------

    def start(self) -> None:
        capabilities = {
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": True}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {},
            },
            "workspace": {"configuration": True},
        }
        self.request(
            "initialize",
            {"processId": os.getpid(), "rootUri": REPO.as_uri(), "capabilities": capabilities},
        )
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": _SETTINGS})

    def open(self, path: Path, text: str) -> str:
        """Open `text` as the document at `path` (its schema comes from its modeline)."""
        # Each document gets a name of its own beside the real file (so the modeline's relative
        # path still leads to schemas/), and no diagnostics of another document get mixed in.
        self.documents += 1
        uri = path.with_name(f"{path.stem}-{self.documents}{path.suffix}").as_uri()
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}},
        )
        return uri

    def diagnostics_of(self, uri: str) -> list[dict[str, Any]]:
        """The diagnostics published for `uri` once its schema is loaded."""
        while True:
            params = self.diagnostics.get(timeout=TIMEOUT)
            if params["uri"] == uri:
                return params["diagnostics"]

    def completion(self, uri: str, line: int, character: int) -> list[str]:
        result = self.request(
            "textDocument/completion",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        items = result["items"] if isinstance(result, dict) else result or []
        return [item["label"] for item in items]

    def hover(self, uri: str, line: int, character: int) -> str:
        result = self.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
        )
        assert result is not None, "no hover text"
        contents = result["contents"]
        return contents["value"] if isinstance(contents, dict) else str(contents)

    def stop(self) -> None:
        try:
            self.request("shutdown", {})
            self.notify("exit", {})
            self.process.wait(timeout=5)
        except (queue.Empty, subprocess.TimeoutExpired, BrokenPipeError):
            self.process.kill()
            self.process.wait()


_SETTINGS = {
    "yaml": {
        "validate": True,
        "hover": True,
        "completion": True,
        "schemaStore": {"enable": False},  # nothing leaves the machine
        "schemas": {},
    }
}


@pytest.fixture(scope="module")
def server() -> Iterator[LanguageServer]:
    client = LanguageServer(_require_server())
    client.start()
    yield client
    client.stop()


def _position_after(text: str, needle: str) -> tuple[int, int]:
    """Line and column (0-based, as LSP counts) just after the last `needle`."""
    offset = text.rindex(needle) + len(needle)
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


def _article_with(extra: str) -> str:
    """The seed article with one more annotation at the end of its list."""
    text = ARTICLE.read_text(encoding="utf-8")
    return text.rstrip("\n") + "\n\n" + extra


QUOTE = '  - type: quote\n    text: "cyber power"\n    speaker: xi-jinping\n'


def test_the_seed_content_has_no_diagnostics(server: LanguageServer):
    for path in (ARTICLE, PEOPLE):
        uri = server.open(path, path.read_text(encoding="utf-8"))
        assert server.diagnostics_of(uri) == [], path.name


def test_speaker_completes_with_the_projects_people(server: LanguageServer):
    text = _article_with('  - type: quote\n    text: "cyber power"\n    speaker: \n')
    uri = server.open(ARTICLE, text)
    server.diagnostics_of(uri)  # the schema is loaded
    line, column = _position_after(text, "    speaker: ")
    labels = server.completion(uri, line, column)
    assert sorted(labels) == ["li-keqiang", "liu-yunshan", "xi-jinping"]


def test_a_misspelt_speaker_is_one_error(server: LanguageServer):
    text = _article_with(QUOTE.replace("xi-jinping", "xi-jinpin"))
    uri = server.open(ARTICLE, text)
    problems = server.diagnostics_of(uri)
    assert [(p["severity"], p["message"]) for p in problems] == [
        (1, "Not the id of a person in content/people.yaml.")
    ]
    line, _ = _position_after(text, "speaker: xi-jinpin")
    assert problems[0]["range"]["start"]["line"] == line


def test_a_misspelt_see_also_in_the_glossary_is_flagged(server: LanguageServer):
    path = REPO / "content" / "glossary.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "see_also: [informatization,", "see_also: [informatisation,", 1
    )
    assert "informatisation" in text
    uri = server.open(path, text)
    assert [p["message"] for p in server.diagnostics_of(uri)] == [
        "Not the id of a term in content/glossary.yaml."
    ]


def test_hover_starts_with_the_fields_own_description(server: LanguageServer):
    text = _article_with(QUOTE)
    uri = server.open(ARTICLE, text)
    server.diagnostics_of(uri)
    line, column = _position_after(text, "\npublisher")
    assert server.hover(uri, line, column - 2).startswith("Who published the original.")
    line, column = _position_after(text, "    speaker")
    assert server.hover(uri, line, column - 2).startswith("Who said it (a person id)")


def test_hover_on_a_person_field_starts_with_its_description(server: LanguageServer):
    text = PEOPLE.read_text(encoding="utf-8")
    uri = server.open(PEOPLE, text)
    server.diagnostics_of(uri)
    line, column = _position_after(text, "  summary")
    assert server.hover(uri, line, column - 2).startswith("One line on who they are.")


@pytest.mark.parametrize(
    ("kind", "offered", "refused"),
    [
        ("quote", {"speaker", "note", "prefix", "occurrence"}, {"person", "term"}),
        ("mention", {"person", "prefix"}, {"speaker", "term", "note"}),
        ("term", {"term", "note"}, {"speaker", "person"}),
        ("note", {"note", "id"}, {"speaker", "person", "term"}),
    ],
)
def test_an_annotation_is_offered_only_its_types_fields(
    server: LanguageServer, kind: str, offered: set[str], refused: set[str]
):
    text = _article_with(f'  - type: {kind}\n    text: "cyber power"\n    \n')
    uri = server.open(ARTICLE, text)
    server.diagnostics_of(uri)
    line, column = _position_after(text, 'text: "cyber power"\n    ')
    labels = set(server.completion(uri, line, column))
    assert offered <= labels, labels
    assert not refused & labels, labels
    assert "type" not in labels and "text" not in labels  # already there


def test_ids_complete_without_stray_values(server: LanguageServer):
    """Only ids: no `null`, `true` or `false` among the choices for a reference."""
    text = _article_with('  - type: mention\n    text: "Xi"\n    person: \n')
    uri = server.open(ARTICLE, text)
    server.diagnostics_of(uri)
    line, column = _position_after(text, "    person: ")
    assert sorted(server.completion(uri, line, column)) == [
        "li-keqiang",
        "liu-yunshan",
        "xi-jinping",
    ]


def test_strings_complete_with_the_themes_keys_and_flag_a_misspelt_one(server: LanguageServer):
    path = REPO / "content" / "site.yaml"
    extra = '\nstrings:\n  people: "Persons"\n  peple: "Persons"\n  '
    text = path.read_text(encoding="utf-8").rstrip("\n") + extra
    uri = server.open(path, text)
    problems = server.diagnostics_of(uri)
    assert len(problems) == 1 and "peple" in problems[0]["message"], problems
    assert problems[0]["range"]["start"]["line"] == text.count("\n") - 1
    line, column = _position_after(text, "\n  ")
    labels = server.completion(uri, line, column)
    assert {"quoted", "copy_link", "date", "month_2"} <= set(labels)
    assert "people" not in labels  # given already
    assert len(labels) >= 100 and all(re.fullmatch(r"[a-z0-9_]+", label) for label in labels)
    line, column = _position_after(text, "  people")
    assert server.hover(uri, line, column - 2).startswith("Default: People")
