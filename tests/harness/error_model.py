"""The error-bound model of the differential harness: ``certigrad.rounding``
(python/certigrad/rounding.py, whose docstring gives the rules) at float64,
on a parsed graph text. The package holds it because its checked mode
(``cg.Runtime(g, check_every=N)``) compares with the same bound; the
harness's own tests keep it honest (the model's numpy re-evaluation must
agree with the oracle, and ``test_error_bound_holds_against_exact_arithmetic``
checks the bound against 60-digit arithmetic)."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from certigrad.rounding import U64 as U
from certigrad.rounding import ULPS_LIBM, ULPS_SIGMOID, ULPS_SOFTPLUS, Tr
from certigrad.rounding import model_run as _model_run

from .graph_text import GraphText

__all__ = ["U", "ULPS_LIBM", "ULPS_SIGMOID", "ULPS_SOFTPLUS", "Tr", "model_run"]


def model_run(gt: GraphText, baselines: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Forward and the reverse sweep on tracked values (float64 roundoff):
    ``values`` (every node), ``costs``, ``total``, ``grads`` (every param),
    each a :class:`Tr`; Certigrad's estimator, or the downstream one with
    ``baselines`` (rand node -> input; possibly empty)."""
    nodes = [(name, kind == "rand", op, attr, parents)
             for name, kind, op, attr, parents, _shape in gt.nodes]
    if baselines is None:
        return _model_run(nodes, gt.costs, gt.params, gt.values, gt.draws)
    return _model_run(nodes, gt.costs, gt.params, gt.values, gt.draws,
                      estimator="downstream", baselines=baselines)
