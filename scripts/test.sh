#!/usr/bin/env bash
# Install everything the test suite needs on a fresh Debian machine, then run all of it.
# Used by the README's test command and by CI (.ci/run). Safe to re-run: it installs only
# what is missing, so on a prepared machine it goes straight to the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

# System tools: Chromium (browser tests), Java (the Nu HTML Checker), npm (axe-core, vnu-jar),
# strace (kills and signals injected between system calls, tests/test_faults.py),
# and venv support for this Python (Debian ships it separately).
missing=()
python3 -c 'import ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v chromium >/dev/null || missing+=(chromium)
command -v java >/dev/null || missing+=(default-jre-headless)
command -v npm >/dev/null || missing+=(npm)
command -v strace >/dev/null || missing+=(strace)
# pdftotext reads the printed article back (tests/test_browser_layout.py); a CJK font makes
# Chinese in the notes take its real room in the measured layouts.
command -v pdftotext >/dev/null || missing+=(poppler-utils)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

# axe-core and vnu-jar at the versions in package-lock.json. No install scripts: vnu-jar's
# would download a Java runtime, and the machine's Java is the one the tests use.
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

.venv/bin/ruff check site_builder tests scripts
.venv/bin/python -m pytest "$@"
