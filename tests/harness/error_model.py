"""The error-bound model: the graph re-evaluated in numpy, each entry
carrying its value ``v`` and a first-order bound ``e`` on the rounding error
of *any* float64 evaluation of the formulas of docs/semantics.md
(theories/core/Ops.v) in any summation order (running error analysis; Higham,
*Accuracy and Stability of Numerical Algorithms*, ch. 3). With ``u = 2^-53``:

- inputs, params and draws are exact (``e = 0``);
- ``+ - * /`` and ``sqrt``: the propagated input errors (``|d op / d arg|``
  times the argument's bound, first order) plus ``u |v|`` (correct rounding);
- ``exp``, ``log``, ``log1p``: propagated errors plus ``4 u |v|`` (glibc and
  Eigen's vectorized versions are faithful to 1 or 2 ulps);
  ``sigmoid``: plus ``7 u |v|`` (exp, add, divide); ``softplus``:
  plus ``10 u |v|`` (exp, log1p, add);
- a sum of ``n`` terms (``sum``, ``mvn_kl``, ``mvn_empirical_kl``,
  ``bernoulli_neglogpdf``, the
  total, a ``gemm`` dot product of length ``k``, and an adjoint receiving
  ``n`` contributions): the terms' bounds plus ``(n - 1) u sum |term|``
  (``k u sum |a b|`` for gemm), which holds for every order and every
  blocking, with or without FMA;
- backprop follows the reverse sweep of docs/semantics.md with the same
  rules applied to each pullback formula, the adjoint errors and the forward
  values' errors both propagated.

This module holds the rounding rules of the primitives (``t_add`` ...
``t_bcast``, on :class:`Tr`) and the sweep (:func:`model_run`); each
operator's formula in terms of them is its ``model_forward`` /
``model_pullbacks`` / ``model_score`` entry in tests/harness/references.py.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import numpy as np

from .graph_text import GraphText
from .references import reference

__all__ = ["U", "ULPS_LIBM", "ULPS_SIGMOID", "ULPS_SOFTPLUS", "Tr", "model_forward",
           "model_pullbacks", "model_score", "model_run"]

U = 2.0 ** -53          # unit roundoff of float64
ULPS_LIBM = 4.0         # exp, log, log1p (glibc and Eigen packet versions)
ULPS_SIGMOID = 7.0
ULPS_SOFTPLUS = 10.0


class Tr:
    """A float64 array ``v`` with a bound ``e`` (same shape) on the absolute
    rounding error of computing it (see the module docstring)."""

    __slots__ = ("v", "e")

    def __init__(self, v: Any, e: Any = None) -> None:
        self.v = np.asarray(v, dtype=np.float64)
        self.e = np.zeros_like(self.v) if e is None else np.asarray(e, dtype=np.float64)


def const(c: float, like: Tr) -> Tr:
    """The constant ``c`` (exact) in the shape of ``like``."""
    return Tr(np.full_like(like.v, c))


def t_add(a: Tr, b: Tr) -> Tr:
    v = a.v + b.v
    return Tr(v, a.e + b.e + U * np.abs(v))


def t_sub(a: Tr, b: Tr) -> Tr:
    v = a.v - b.v
    return Tr(v, a.e + b.e + U * np.abs(v))


def t_mul(a: Tr, b: Tr) -> Tr:
    v = a.v * b.v
    return Tr(v, np.abs(b.v) * a.e + np.abs(a.v) * b.e + U * np.abs(v))


def t_div(a: Tr, b: Tr) -> Tr:
    v = a.v / b.v
    return Tr(v, (a.e + np.abs(v) * b.e) / np.abs(b.v) + U * np.abs(v))


def t_neg(a: Tr) -> Tr:
    return Tr(-a.v, a.e)


def t_exp(a: Tr) -> Tr:
    v = np.exp(a.v)
    return Tr(v, v * a.e + ULPS_LIBM * U * v)


def t_log(a: Tr) -> Tr:
    v = np.log(a.v)
    return Tr(v, a.e / np.abs(a.v) + ULPS_LIBM * U * np.abs(v))


def t_sqrt(a: Tr) -> Tr:
    v = np.sqrt(a.v)
    return Tr(v, a.e / (2 * v) + U * v)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def t_sigmoid(a: Tr) -> Tr:
    v = _sigmoid(a.v)
    return Tr(v, v * (1 - v) * a.e + ULPS_SIGMOID * U * v)


def t_softplus(a: Tr) -> Tr:
    v = np.maximum(a.v, 0) + np.log1p(np.exp(-np.abs(a.v)))
    return Tr(v, _sigmoid(a.v) * a.e + ULPS_SOFTPLUS * U * v)


def t_sum(terms: list[Tr]) -> Tr:
    """Sum of same-shape tracked arrays, in any order."""
    v = terms[0].v.copy()
    e = terms[0].e.copy()
    mag = np.abs(terms[0].v)
    for t in terms[1:]:
        v = v + t.v
        e = e + t.e
        mag = mag + np.abs(t.v)
    return Tr(v, e + (len(terms) - 1) * U * mag)


def t_reduce(a: Tr) -> Tr:
    """Sum of the entries of ``a`` (a scalar), in any order."""
    n = a.v.size
    return Tr(np.sum(a.v), np.sum(a.e) + max(n - 1, 0) * U * np.sum(np.abs(a.v)))


def t_gemm(a: Tr, b: Tr) -> Tr:
    k = a.v.shape[1]
    aa, ab = np.abs(a.v), np.abs(b.v)
    return Tr(a.v @ b.v, aa @ b.e + a.e @ ab + k * U * (aa @ ab))


def t_T(a: Tr) -> Tr:
    return Tr(a.v.T, a.e.T)


def t_bcast(g: Tr, shape: tuple[int, ...]) -> Tr:
    """A scalar broadcast to ``shape`` (exact)."""
    return Tr(np.broadcast_to(g.v, shape).copy(), np.broadcast_to(g.e, shape).copy())

_PRIMITIVES = sys.modules[__name__]  # the ``m`` of the registry's model rules


def model_forward(op: str, attr: Optional[float], xs: list[Tr]) -> Tr:
    """A deterministic operator of docs/semantics.md, following the formula
    of theories/core/Ops.v (dop_forward): the registry's ``model_forward``."""
    return reference(op).model_forward(_PRIMITIVES, attr, xs)


def model_pullbacks(op: str, attr: Optional[float], xs: list[Tr], v: Tr, g: Tr) -> list[Tr]:
    """The adjoint contribution to each parent (theories/core/Ops.v,
    dop_pullbacks): the registry's ``model_pullbacks``."""
    return reference(op).model_pullbacks(_PRIMITIVES, attr, xs, v, g)


def model_score(op: str, x: Tr, xs: list[Tr]) -> list[Tr]:
    """d/dparent of ln p(x; parents) of a random operator (rop_score), one
    per parent: the registry's ``model_score``."""
    return reference(op).model_score(_PRIMITIVES, x, xs)


def model_run(gt: GraphText) -> dict[str, Any]:
    """Forward and the reverse sweep of docs/semantics.md on tracked values:
    ``values`` (every node), ``costs``, ``total``, ``grads`` (every param),
    each a :class:`Tr`."""
    val: dict[str, Tr] = {n: Tr(v) for n, v in gt.values.items()}
    for name, kind, op, attr, parents, _shape in gt.nodes:
        val[name] = Tr(gt.draws[name]) if kind == "rand" else \
            model_forward(op, attr, [val[p] for p in parents])
    costs = {c: val[c] for c in gt.costs}
    total = t_sum([val[c] for c in gt.costs])
    contrib: dict[str, list[Tr]] = {}
    for c in gt.costs:
        contrib.setdefault(c, []).append(Tr(np.ones(())))
    for name, kind, op, attr, parents, _shape in reversed(gt.nodes):
        xs = [val[p] for p in parents]
        if kind == "rand":  # the score term; the sample's own adjoint stops here
            for p, sc in zip(parents, model_score(op, val[name], xs)):
                contrib.setdefault(p, []).append(t_mul(t_bcast(total, sc.v.shape), sc))
            continue
        if name not in contrib:
            continue  # a zero adjoint (its pullbacks are zero)
        g = t_sum(contrib[name])
        for p, pb in zip(parents, model_pullbacks(op, attr, xs, val[name], g)):
            contrib.setdefault(p, []).append(pb)
    grads = {p: t_sum(contrib[p]) if p in contrib else Tr(np.zeros_like(val[p].v))
             for p in gt.params}
    return {"values": {n[0]: val[n[0]] for n in gt.nodes}, "costs": costs, "total": total,
            "grads": grads}
