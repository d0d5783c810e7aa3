#!/usr/bin/env bash
# The whole test suite: proofs, oracle tests, the assumptions audit, then pytest;
# in CI (CI=true) also scripts/sanitize.sh and scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
dune build 2>&1
echo "dune build: $(( $(date +%s) - start )) s"
dune test 2>&1
bash audit/run.sh
python3 -m pytest -q tests
if [ "${CI:-}" = true ]; then
  # the extension under ASan+UBSan on a fast test subset, then the fuzzers (60 s each)
  start=$(date +%s)
  bash scripts/sanitize.sh
  bash scripts/fuzz.sh
  echo "sanitizers and fuzzers: $(( $(date +%s) - start )) s"
fi
