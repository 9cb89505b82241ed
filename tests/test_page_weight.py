"""An article page's own HTML + CSS + JS stays under 100 KB, uncompressed (issue 5).

Measured by scripts/page_weight.py on the seed site, which a reader can run on any build.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from conftest import REPO

from site_builder.build import BuildOptions, build

SCRIPT = REPO / "scripts" / "page_weight.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("page_weight", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["page_weight"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("weight") / "site"
    report = build(BuildOptions(REPO, out=out))
    assert not report.failed, [d.format() for d in report.diagnostics]
    return out


def test_every_article_page_is_under_budget(site: Path):
    weights = load_script().article_weights(site)
    assert weights
    for weight in weights:
        assert weight.total < 100_000, weight
        # what it loads is counted; the search bundle is not
        assert "static/style.css" in weight.assets and "static/reading.js" in weight.assets
        assert not any(a.startswith("pagefind/") for a in weight.assets)


def test_the_script_reports_and_fails_over_budget(site: Path):
    ok = subprocess.run(
        [sys.executable, str(SCRIPT), str(site)], capture_output=True, text=True, check=False
    )
    assert ok.returncode == 0, ok.stderr
    assert "articles/xi-heads-internet-security-group/index.html" in ok.stdout
    over = subprocess.run(
        [sys.executable, str(SCRIPT), str(site), "--budget", "1000"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert over.returncode == 1 and "OVER BUDGET" in over.stdout
