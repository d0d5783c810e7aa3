#!/usr/bin/env bash
# The whole test suite: proofs, oracle tests, the assumptions audit, then pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
dune build 2>&1
echo "dune build: $(( $(date +%s) - start )) s"
dune test 2>&1
bash audit/run.sh
python3 -m pytest -q tests
