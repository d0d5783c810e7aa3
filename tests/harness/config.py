"""Paths and run settings of the differential harness (environment
variables, docs/testing.md)."""

from __future__ import annotations

import os

from .table import REPO

__all__ = ["REPO", "REPORT", "DOWNSTREAM_REPORT", "FAILURE", "OPS_JSON", "EXAMPLES",
           "DOWNSTREAM_EXAMPLES", "SEED", "BOUND_EXAMPLES", "EDGE_EXAMPLES"]

REPORT = REPO / "_build" / "differential-report.txt"
DOWNSTREAM_REPORT = REPO / "_build" / "differential-downstream-report.txt"
FAILURE = REPO / "_build" / "differential-failure.graph"
OPS_JSON = REPO / "ops" / "ops.json"

#: distinct graphs compared by test_runtime_matches_oracle
EXAMPLES = int(os.environ.get("CERTIGRAD_DIFF_EXAMPLES", "2000"))
#: distinct graphs with baselines compared by test_runtime_matches_oracle_downstream
DOWNSTREAM_EXAMPLES = int(os.environ.get("CERTIGRAD_DIFF_DOWNSTREAM_EXAMPLES", "1000"))
#: unset: derandomized (the same graphs on every run); N: another reproducible sample
SEED = os.environ.get("CERTIGRAD_DIFF_SEED")
#: graphs checked against 60-digit arithmetic
BOUND_EXAMPLES = int(os.environ.get("CERTIGRAD_DIFF_BOUND_EXAMPLES", "150"))
#: graphs of extreme values (harness/edges.py) compared by test_runtime_matches_oracle_at_the_edges
EDGE_EXAMPLES = int(os.environ.get("CERTIGRAD_DIFF_EDGE_EXAMPLES", "600"))
