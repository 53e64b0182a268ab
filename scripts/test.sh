#!/usr/bin/env bash
# Set up, then lint, type-check and run the whole test suite (Python and JavaScript).
#   bash scripts/test.sh           everything (what CI runs)
#   bash scripts/test.sh --fast    the fast tier: lint, the JavaScript checks and unit tests,
#                                  then the tests that start no browser, server, PostgreSQL
#                                  or fuzz run (tiny models included)
# Other arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
FAST_TIER="not browser and not postgres and not processes and not fuzz and not slow"
fast=0
args=()
for arg in "$@"; do
  if [ "$arg" = "--fast" ]; then fast=1; else args+=("$arg"); fi
done
bash scripts/setup.sh
.venv/bin/ruff check mtreview tests app.py benchmarks
# The review component's JavaScript: lint, type check (JSDoc, jsconfig.json), unit tests.
if [ ! -x node_modules/.bin/eslint ]; then
  echo "test: Node.js and npm are needed for the JavaScript checks (see scripts/setup.sh)" >&2
  exit 1
fi
npx --no-install eslint mtreview/ui tests/js eslint.config.js
npx --no-install tsc --noEmit -p jsconfig.json
node --test tests/js/
docs_site=$(mktemp -d)  # the docs build must pass; its site is not kept
.venv/bin/mkdocs build --strict --quiet --site-dir "$docs_site"
rm -rf "$docs_site"
if [ "$fast" = 1 ]; then
  # two workers too: 90 s instead of 146 s for 1,550 tests on 2 cores (2026-12-07)
  exec .venv/bin/python -m pytest -n 2 --dist loadgroup -m "$FAST_TIER" ${args[@]+"${args[@]}"}
fi
.venv/bin/mypy
# Two workers (browser tests together on one, see tests/conftest.py): the suite in about
# half the time on two cores; `bash scripts/test.sh -n 0` runs it in one process.
.venv/bin/python -m pytest -n 2 --dist loadgroup ${args[@]+"${args[@]}"}
