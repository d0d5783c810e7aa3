"""Exceptions raised by certigrad. All derive from :class:`CertigradError`,
itself a :class:`ValueError`."""

from __future__ import annotations

__all__ = ["CertigradError", "GraphError", "DomainError", "FeedError", "FormatError",
           "DistributedError", "RankMismatch", "PeerTimeout"]


class CertigradError(ValueError):
    """Base class of every certigrad error."""


class GraphError(CertigradError):
    """An ill-formed graph; the message names the offending reference:
    ``node 'h': gemm: inner dimensions differ (3 vs 4)``."""


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
