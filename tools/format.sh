#!/usr/bin/env bash
# Formats the whole tree once with Prettier (.prettierrc.json: single quotes, semicolons,
# printWidth 120, trailing commas), then applies ESLint's automatic fixes, so that
# `npm run lint` (eslint . && prettier --check .) passes. Run it on a tree nobody else is editing:
# it touches most files. WGSL shaders, fixtures and binary data are left alone (.prettierignore).
# Usage: bash tools/format.sh [--check]   (--check reports instead of writing)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--check" ]; then
  npx prettier --check .
  npx eslint .
  exit 0
fi
npx prettier --write --log-level warn .
npx eslint --fix . || {
  echo "format.sh: formatting is done; the ESLint findings above need a person (they are not formatting)" >&2
  exit 1
}
echo "format.sh: formatted; npm run lint is clean"
