"""The built wheel on its own: installed in a fresh venv, run outside the repository.

This is the path of a new user (issue 13): `pip install` of the wheel, `site-builder new
demo`, `site-builder build --project demo`, with no other file. It takes some seconds
(the venv installs the dependencies from the package index, or pip's cache); it is marked
`wheel` and runs in the whole suite, as `.ci/run` does. Without network access to the
index it is skipped locally and fails in CI.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from site_builder import schema

pytestmark = pytest.mark.wheel


def run(args: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            out,
            REPO,
        ],
        cwd=out,
    )
    if result.returncode != 0:  # without build isolation pip needs hatchling here; try with it
        result = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", out, REPO], cwd=out)
    _require(result, "building the wheel")
    [built] = out.glob("site_builder-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `bin/` folder of a fresh venv with the wheel and its dependencies installed."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    result = run([bin_dir / "python", "-m", "pip", "install", "--quiet", wheel], cwd=env_dir)
    _require(result, "installing the wheel")
    return bin_dir


def _require(result: subprocess.CompletedProcess[str], what: str) -> None:
    if result.returncode == 0:
        return
    message = f"{what} failed:\n{result.stdout}\n{result.stderr}"
    offline = "No matching distribution" in result.stderr or "connection" in result.stderr.lower()
    if offline and os.environ.get("SITE_BUILDER_CI") != "1":
        pytest.skip(f"no package index to install from ({what})")
    pytest.fail(message, pytrace=False)


def test_the_wheel_carries_theme_schemas_workflow_and_example(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "site_builder/default_templates/base.html" in names
    assert "site_builder/project_files/pages.yml" in names
    assert "site_builder/example/seeds/tidal-pilot-approved.txt" in names
    assert {"site_builder/strings/en.yaml", "site_builder/strings/zh.yaml"} <= names
    for name in schema.SCHEMA_FILES:
        assert f"site_builder/schemas/{name}" in names


def test_the_index_description_has_no_relative_links(wheel: Path):
    with zipfile.ZipFile(wheel) as archive:
        [metadata_name] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        metadata = archive.read(metadata_name).decode()
    headers, description = metadata.split("\n\n", 1)
    assert "Project-URL: Source, https://github.com/site-builder/site-builder" in headers
    links = [part.split(")", 1)[0] for part in description.split("](")[1:]]
    assert links, "the description links to the documentation"
    assert all(link.startswith("https://") for link in links), links


def test_new_build_and_draft_from_outside_the_repository(installed: Path, tmp_path: Path) -> None:
    cli = installed / "site-builder"
    made = run([cli, "new", "demo"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    built = run([cli, "build", "--project", "demo", "--strict"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    demo = tmp_path / "demo"
    assert (demo / "output" / "articles" / "tidal-pilot-approved" / "index.html").is_file()
    assert (demo / "output" / "pagefind").is_dir()
    for relpath in (
        "content/site.yaml",
        "content/people.yaml",
        "content/articles/tidal-pilot-approved.yaml",
    ):
        modeline = (demo / relpath).read_text(encoding="utf-8").splitlines()[0]
        target = (demo / relpath).parent / modeline.split("$schema=", 1)[1]
        assert json.loads(target.read_text(encoding="utf-8"))["description"], relpath
    (demo / "seeds" / "statement.txt").write_text(
        'Statement\n"We will reopen the bridge on Monday," Mayor Mara Lindqvist said.\n',
        encoding="utf-8",
    )
    drafted = run([cli, "draft", "seeds/statement.txt", "--project", "demo"], cwd=tmp_path)
    assert drafted.returncode == 0, drafted.stderr
    article = (demo / "content" / "articles" / "statement.yaml").read_text(encoding="utf-8")
    assert "speaker: mara-lindqvist" in article
    rebuilt = run([cli, "build", "--project", "demo", "--no-search"], cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr


def test_the_installed_theme_is_used_without_a_templates_folder(installed: Path, tmp_path: Path):
    cli = installed / "site-builder"
    assert run([cli, "new", "--bare", "bare"], cwd=tmp_path).returncode == 0
    assert not (tmp_path / "bare" / "templates").exists()
    built = run([cli, "build", "--project", "bare", "--no-search"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "bare" / "output" / "static").is_dir()
    # the theme's words come with it: a Chinese interface from the installed tables
    config = tmp_path / "bare" / "content" / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: zh"))
    built = run([cli, "build", "--project", "bare", "--no-search", "--strict"], cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    home = (tmp_path / "bare" / "output" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in home and ">文章</a>" in home


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_serve_works_from_the_installed_package(installed: Path, tmp_path: Path):
    """Issue 13's last step on a fresh machine: `serve --project demo` with no other file."""
    cli = installed / "site-builder"
    assert run([cli, "new", "demo"], cwd=tmp_path).returncode == 0
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    served = subprocess.Popen(
        [str(cli), "serve", "--project", "demo", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(port, "/articles/tidal-pilot-approved/")
                if status == 200 and b"<article" in body:
                    break
            except OSError:
                pass
            assert served.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve never served the example article"
            time.sleep(0.2)
        assert _get(port, "/static/reading.js")[0] == 200
    finally:
        served.terminate()
        served.wait(timeout=20)
