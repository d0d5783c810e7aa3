"""Exceptions raised by certigrad. All derive from :class:`CertigradError`,
itself a :class:`ValueError`."""

from __future__ import annotations

__all__ = ["CertigradError", "GraphError", "DomainError", "FeedError", "FormatError", "CertifyError"]


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


class CertifyError(CertigradError):
    """The checker could not be run: a malformed box, or the oracle
    ``certigrad-ref`` is missing or failed (a graph the checker cannot
    certify is not an error: see :class:`certigrad.certify.CertifyResult`)."""
