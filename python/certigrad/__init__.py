"""certigrad: stochastic computation graphs whose backprop is proved in Coq
(theories/), run by a C++/Eigen runtime.

See docs/python-api.md. ``Runtime``, ``Adam`` and ``Result`` load the C++
extension on first use; the graph DSL, operators and interchange format are
pure Python (but for writing numbers, which loads the extension)."""

from __future__ import annotations

from typing import Any

from . import interchange
from . import ops as _ops
from ._ops_table import OP_NAMES
from .errors import (CertigradError, CertifyError, DomainError, FeedError, FormatError, GraphError,
                     NumericalError, NumericalWarning, OracleError, OracleNotFound, ShapeError,
                     VerificationError)
from .graph import OPS, Expr, Graph, Ref

__version__ = "0.1.0"

# One function per operator of the generated table (certigrad.ops); a missing
# one is left out here and fails tests/test_runtime_ops.py.
globals().update({n: getattr(_ops, n) for n in OP_NAMES if hasattr(_ops, n)})

__all__ = [
    "Graph", "Ref", "Expr", "OPS", "Runtime", "Result", "Adam", "interchange",
    "CertigradError", "GraphError", "ShapeError", "DomainError", "FeedError", "FormatError",
    "NumericalError", "NumericalWarning", "CertifyError",
    "OracleNotFound", "OracleError", "VerificationError",
    *OP_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in ("Runtime", "Result", "Adam"):
        from . import runtime

        return getattr(runtime, name)
    raise AttributeError(f"module 'certigrad' has no attribute '{name}'")
