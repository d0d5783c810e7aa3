"""Operator functions: each returns an unnamed :class:`~certigrad.graph.Expr`
to pass to ``Graph.det`` / ``Graph.sample``. One function per operator of the
generated table (certigrad._ops_table, from theories/core/Ops.v), named after it;
tests/test_runtime_ops.py fails for an operator without its function."""

from __future__ import annotations

import numbers
from typing import Iterable, Union

from ._ops_table import OP_NAMES
from .errors import GraphError
from .graph import Expr, Operand

__all__ = list(OP_NAMES)


def scale(a: float, x: Operand) -> Expr:
    """``a * x`` for a number ``a``."""
    if not isinstance(a, numbers.Real) or isinstance(a, bool):
        raise GraphError(f"scale: the factor must be a number, got {a!r}")
    return Expr("scale", (x,), float(a))


def neg(x: Operand) -> Expr:
    """``-x``."""
    return Expr("neg", (x,))


def exp(x: Operand) -> Expr:
    """``exp x``."""
    return Expr("exp", (x,))


def log(x: Operand) -> Expr:
    """``ln x``; domain ``x > 0``."""
    return Expr("log", (x,))


def sqrt(x: Operand) -> Expr:
    """``sqrt x``; domain ``x > 0``."""
    return Expr("sqrt", (x,))


def sigmoid(x: Operand) -> Expr:
    """``1/(1+exp(-x))``."""
    return Expr("sigmoid", (x,))


def softplus(x: Operand) -> Expr:
    """``ln(1+exp x)``."""
    return Expr("softplus", (x,))


def add(x: Operand, y: Operand) -> Expr:
    """``x + y`` (same shapes)."""
    return Expr("add", (x, y))


def sub(x: Operand, y: Operand) -> Expr:
    """``x - y`` (same shapes)."""
    return Expr("sub", (x, y))


def mul(x: Operand, y: Operand) -> Expr:
    """``x * y`` elementwise (same shapes)."""
    return Expr("mul", (x, y))


def div(x: Operand, y: Operand) -> Expr:
    """``x / y`` elementwise; domain ``y != 0``."""
    return Expr("div", (x, y))


def sum(x: Operand) -> Expr:  # noqa: A001 - the operator's name
    """Sum of all entries (a scalar)."""
    return Expr("sum", (x,))


def gemm(a: Operand, b: Operand) -> Expr:
    """Matrix product of an ``m x k`` and a ``k x n`` matrix."""
    return Expr("gemm", (a, b))


def mul_add(x: Operand, y: Operand, z: Operand) -> Expr:
    """``x*y + z`` elementwise (same shapes)."""
    return Expr("mul_add", (x, y, z))


def mvn_kl(mu: Operand, sigma: Operand) -> Expr:
    """KL(N(mu, diag sigma^2) || N(0, I)) = sum (mu^2 + sigma^2 - 1)/2 - ln sigma;
    domain ``sigma > 0``."""
    return Expr("mvn_kl", (mu, sigma))


def mvn_empirical_kl(mu: Operand, sigma: Operand, z: Operand) -> Expr:
    """``ln N(z; mu, diag sigma^2) - ln N(z; 0, I)`` at a sample ``z``, summed over
    the entries (a scalar): with ``d = (z - mu)/sigma``,
    ``sum (z^2 - d^2)/2 - ln sigma``. Its mean over ``z ~ N(mu, diag sigma^2)`` is
    ``mvn_kl(mu, sigma)``. Parents of one shape, sigma a standard deviation;
    domain ``sigma > 0``."""
    return Expr("mvn_empirical_kl", (mu, sigma, z))


def bernoulli_neglogpdf(p: Operand, x: Operand) -> Expr:
    """``-sum (x ln p + (1-x) ln(1-p))``; domain ``0 < p < 1``. When ``p`` is
    a ``sigmoid`` node the runtime computes it from the logits (see
    cpp/kernels.hpp), so p rounding to 0 or 1 is no error."""
    return Expr("bernoulli_neglogpdf", (p, x))


def mvn(mu: Operand, sigma: Operand) -> Expr:
    """Random: N(mu, diag sigma^2), sigma a standard deviation (> 0)."""
    return Expr("mvn", (mu, sigma))


def mvn_std(shape: Union[int, Iterable[int]]) -> Expr:
    """Random: N(0, I) of the given shape."""
    if isinstance(shape, numbers.Integral):
        return Expr("mvn_std", (), shape_decl=(shape,))
    try:
        s = tuple(shape)
    except TypeError:
        raise GraphError(f"mvn_std: a shape is a tuple of ints, got {shape!r}") from None
    return Expr("mvn_std", (), shape_decl=s)
