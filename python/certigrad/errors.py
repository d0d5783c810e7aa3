"""Exceptions raised by certigrad. All derive from :class:`CertigradError`,
itself a :class:`ValueError`."""

from __future__ import annotations

__all__ = ["CertigradError", "GraphError", "ShapeError", "DomainError", "FeedError",
           "FormatError", "NumericalError", "NumericalWarning"]


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


class NumericalError(CertigradError):
    """A non-finite number computed inside a graph (docs/semantics.md,
    "Non-finite results"): a node value, the total cost or a gradient that
    is inf or nan. The message names the node and the entry:
    ``node 'e': exp: entry 0 of the value is inf (non-finite result)``."""


class NumericalWarning(RuntimeWarning):
    """What :class:`NumericalError` becomes with ``Runtime(..., nonfinite="warn")``."""
