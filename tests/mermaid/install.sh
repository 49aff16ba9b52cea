#!/usr/bin/env bash
# Installs Mermaid's own parser (with jsdom and js-yaml) for tests/test_hostile_text.py,
# at the exact versions of package-lock.json, into tests/mermaid/node_modules (git-ignored).
# Without node the Mermaid tests skip; with node they need this to have run.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1; then
  echo "tests/mermaid: node is not installed; the Mermaid tests will skip" >&2
  exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
