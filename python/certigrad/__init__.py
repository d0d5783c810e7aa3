"""certigrad: stochastic computation graphs whose backprop is proved in Coq
(theories/), run by a C++/Eigen runtime.

See docs/python-api.md. ``Runtime``, ``Adam`` and ``Result`` load the C++
extension on first use; the graph DSL, operators and interchange format are
pure Python."""

from __future__ import annotations

from typing import Any

from . import interchange
from .errors import CertigradError, DomainError, FeedError, FormatError, GraphError
from .graph import OPS, Expr, Graph, Ref
from .ops import (add, bernoulli_neglogpdf, div, exp, gemm, log, mul, mul_add, mvn,
                  mvn_empirical_kl, mvn_kl, mvn_std, neg, scale, sigmoid, softplus, sqrt, sub,
                  sum)

__version__ = "0.1.0"

__all__ = [
    "Graph", "Ref", "Expr", "OPS", "Runtime", "Result", "Adam", "interchange",
    "CertigradError", "GraphError", "DomainError", "FeedError", "FormatError",
    "scale", "neg", "exp", "log", "sqrt", "sigmoid", "softplus", "add", "sub", "mul", "div",
    "sum", "gemm", "mul_add", "mvn_kl", "mvn_empirical_kl", "bernoulli_neglogpdf", "mvn",
    "mvn_std",
]


def __getattr__(name: str) -> Any:
    if name in ("Runtime", "Result", "Adam"):
        from . import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'certigrad' has no attribute '{name}'")
