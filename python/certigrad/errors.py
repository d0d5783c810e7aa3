"""Exceptions raised by certigrad. All derive from :class:`CertigradError`,
itself a :class:`ValueError`."""

from __future__ import annotations

__all__ = ["CertigradError", "GraphError", "ShapeError", "DomainError", "FeedError",
           "FormatError", "NumericalError", "NumericalWarning",
           "DistributedError", "RankMismatch", "PeerTimeout",
           "OracleNotFound", "OracleError", "VerificationError", "CertifyError"]


class CertigradError(ValueError):
    """Base class of every certigrad error."""


class GraphError(CertigradError):
    """An ill-formed graph; the message names the offending reference:
    ``node 'h': gemm: inner dimensions differ (3 vs 4)``."""


class ShapeError(GraphError):
    """A shape with more entries than a tensor may hold (2**60), or whose
    buffer cannot be allocated: ``node 'z': shape [...] has too many entries
    (more than 2^60)``."""


class DomainError(CertigradError):
    """A value outside an operator's domain; the message names the node, the
    entry (flat row-major index) and the value:
    ``node 'l': log: entry 2 is -0.5, outside the domain (must be > 0)``."""


class FeedError(CertigradError):
    """A missing or extra feed/draw/parameter, or one with the wrong shape,
    dtype or layout, or with a NaN/inf entry."""


class FormatError(CertigradError):
    """Malformed interchange text (docs/format.md); the message starts with
    ``line N:``."""


class DistributedError(CertigradError):
    """A data-parallel (MPI) run cannot start: e.g. launched by ``mpirun``
    without mpi4py, or a batch size that the ranks cannot share."""


class RankMismatch(DistributedError):
    """The ranks of an MPI run disagree at start (arguments, data or initial
    weights); the message names the rank and the field."""


class PeerTimeout(DistributedError):
    """Another rank sent nothing within ``--timeout`` seconds (it died or
    hangs); the message names it. The job is then stopped (exit status 3)."""


class OracleNotFound(CertigradError):
    """The reference oracle ``certigrad-ref`` is not installed with the
    package (and ``$CERTIGRAD_REF`` does not name it); the message says how
    to get it."""


class OracleError(CertigradError):
    """The oracle exited abnormally or printed something that is not a
    result (an internal error of the oracle, never bad user input, which
    raises the error class the C++ runtime raises)."""


class VerificationError(CertigradError):
    """The fast runtime and the oracle disagree beyond the rounding bound on
    the same inputs and draws; the message names the node, the entry, both
    values and the bound:
    ``node 'W': grad entry 3: runtime (float32) 0.52 vs oracle 0.51, |difference| 0.01 > bound 3e-07``.
    The attributes ``node``, ``what``, ``entry``, ``runtime``, ``oracle``
    and ``bound`` hold the same."""

    def __init__(self, message: str, node: str = "", what: str = "", entry: int = 0,
                 runtime: float = 0.0, oracle: float = 0.0, bound: float = 0.0) -> None:
        super().__init__(message)
        self.node, self.what, self.entry = node, what, entry
        self.runtime, self.oracle, self.bound = runtime, oracle, bound


class CertifyError(CertigradError):
    """The checker could not be run: a malformed box, or the oracle
    ``certigrad-ref`` is missing or failed (a graph the checker cannot
    certify is not an error: see :class:`certigrad.certify.CertifyResult`)."""


class NumericalError(CertigradError):
    """A non-finite number computed inside a graph (docs/semantics.md,
    "Non-finite results"): a node value, the total cost or a gradient that
    is inf or nan. The message names the node and the entry:
    ``node 'e': exp: entry 0 of the value is inf (non-finite result)``."""


class NumericalWarning(RuntimeWarning):
    """What :class:`NumericalError` becomes with ``Runtime(..., nonfinite="warn")``."""
