#!/usr/bin/env bash
# Trust audit: theories/ has no Admitted/admit/Axiom/Parameter/Conjecture, and
# `Print Assumptions` of every headline theorem (audit/headlines.txt) shows only
# allowlisted axioms. The full output is written to _build/assumptions.txt and
# must equal the golden file audit/assumptions.expected.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 audit/audit.py "$@"
