"""The rounding-error bound of a run: the graph re-evaluated in numpy
(float64), each entry carrying its value ``v`` and a first-order bound ``e``
on the rounding error of *any* evaluation of the formulas of
docs/semantics.md (theories/core/Ops.v) in a floating-point type of unit
roundoff ``u``, in any summation order (running error analysis; Higham,
*Accuracy and Stability of Numerical Algorithms*, ch. 3):

- inputs, params and draws are exact (``e = 0``);
- ``+ - * /`` and ``sqrt``: the propagated input errors (``|d op / d arg|``
  times the argument's bound, first order) plus ``u |v|`` (correct rounding);
- ``exp``, ``log``, ``log1p``: propagated errors plus ``4 u |v|`` (glibc and
  Eigen's vectorized versions are faithful to 1 or 2 ulps);
  ``sigmoid``: plus ``7 u |v|`` (exp, add, divide); ``softplus``:
  plus ``10 u |v|`` (exp, log1p, add);
- a sum of ``n`` terms (``sum``, ``mvn_kl``, ``mvn_empirical_kl``,
  ``bernoulli_neglogpdf``, the total, a ``gemm`` dot product of length
  ``k``, and an adjoint receiving ``n`` contributions): the terms' bounds
  plus ``(n - 1) u sum |term|`` (``k u sum |a b|`` for gemm), which holds for
  every order and every blocking, with or without FMA;
- backprop follows the reverse sweep of docs/semantics.md with the same
  rules applied to each pullback formula, the adjoint errors and the forward
  values' errors both propagated;
- a random node's score term is multiplied by the total (Certigrad's
  estimator) or, for the downstream estimator, by the sum of the costs
  reachable from the node minus its baseline (theories/core/BackpropEst.v):
  a sum of ``k`` costs then a subtraction, bounded by the rules above.

:class:`Rounding` holds the rules of the primitives for one ``u``
(:data:`U64` for float64, :data:`U32` for float32); :data:`RULES` holds each
operator's formulas in terms of them; :func:`model_run` is the sweep. Two
evaluations of the same inputs and draws, one in a type of roundoff ``u1``
and one of ``u2``, each lie within their ``E`` of the exact real result, so
they agree within ``E(u1) + E(u2)``: the differential harness
(tests/harness/) and the checked mode (certigrad.checked) compare with that
tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence

import numpy as np

__all__ = ["U64", "U32", "ULPS_LIBM", "ULPS_SIGMOID", "ULPS_SOFTPLUS", "Tr", "Rounding",
           "Rule", "RULES", "downstream_costs", "model_run"]

U64 = 2.0 ** -53        # unit roundoff of float64
U32 = 2.0 ** -24        # unit roundoff of float32
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


def _sigmoid(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


class Rounding:
    """The rounding rules of the primitives for unit roundoff ``u``: the
    ``m`` that the operator rules of :data:`RULES` are written with."""

    Tr = Tr

    def __init__(self, u: float = U64) -> None:
        self.u = float(u)

    def const(self, c: float, like: Tr) -> Tr:
        """The constant ``c`` (exact) in the shape of ``like``."""
        return Tr(np.full_like(like.v, c))

    def t_add(self, a: Tr, b: Tr) -> Tr:
        v = a.v + b.v
        return Tr(v, a.e + b.e + self.u * np.abs(v))

    def t_sub(self, a: Tr, b: Tr) -> Tr:
        v = a.v - b.v
        return Tr(v, a.e + b.e + self.u * np.abs(v))

    def t_mul(self, a: Tr, b: Tr) -> Tr:
        v = a.v * b.v
        return Tr(v, np.abs(b.v) * a.e + np.abs(a.v) * b.e + self.u * np.abs(v))

    def t_div(self, a: Tr, b: Tr) -> Tr:
        v = a.v / b.v
        return Tr(v, (a.e + np.abs(v) * b.e) / np.abs(b.v) + self.u * np.abs(v))

    def t_neg(self, a: Tr) -> Tr:
        return Tr(-a.v, a.e)

    def t_exp(self, a: Tr) -> Tr:
        v = np.exp(a.v)
        return Tr(v, v * a.e + ULPS_LIBM * self.u * v)

    def t_log(self, a: Tr) -> Tr:
        v = np.log(a.v)
        return Tr(v, a.e / np.abs(a.v) + ULPS_LIBM * self.u * np.abs(v))

    def t_sqrt(self, a: Tr) -> Tr:
        v = np.sqrt(a.v)
        return Tr(v, a.e / (2 * v) + self.u * v)

    def t_sigmoid(self, a: Tr) -> Tr:
        v = _sigmoid(a.v)
        return Tr(v, v * (1 - v) * a.e + ULPS_SIGMOID * self.u * v)

    def t_softplus(self, a: Tr) -> Tr:
        v = np.maximum(a.v, 0) + np.log1p(np.exp(-np.abs(a.v)))
        return Tr(v, _sigmoid(a.v) * a.e + ULPS_SOFTPLUS * self.u * v)

    def t_sum(self, terms: list[Tr]) -> Tr:
        """Sum of same-shape tracked arrays, in any order."""
        v = terms[0].v.copy()
        e = terms[0].e.copy()
        mag = np.abs(terms[0].v)
        for t in terms[1:]:
            v = v + t.v
            e = e + t.e
            mag = mag + np.abs(t.v)
        return Tr(v, e + (len(terms) - 1) * self.u * mag)

    def t_reduce(self, a: Tr) -> Tr:
        """Sum of the entries of ``a`` (a scalar), in any order."""
        n = a.v.size
        return Tr(np.sum(a.v), np.sum(a.e) + max(n - 1, 0) * self.u * np.sum(np.abs(a.v)))

    def t_gemm(self, a: Tr, b: Tr) -> Tr:
        k = a.v.shape[1]
        aa, ab = np.abs(a.v), np.abs(b.v)
        return Tr(a.v @ b.v, aa @ b.e + a.e @ ab + k * self.u * (aa @ ab))

    def t_T(self, a: Tr) -> Tr:
        return Tr(a.v.T, a.e.T)

    def t_bcast(self, g: Tr, shape: tuple[int, ...]) -> Tr:
        """A scalar broadcast to ``shape`` (exact)."""
        return Tr(np.broadcast_to(g.v, shape).copy(), np.broadcast_to(g.e, shape).copy())


Fn = Callable[..., Any]


@dataclass(frozen=True)
class Rule:
    """An operator's formulas (theories/core/Ops.v) on tracked values:
    ``forward(m, attr, xs)`` and ``pullbacks(m, attr, xs, v, g)`` (the
    adjoint contribution to each parent) for a deterministic operator;
    ``score(m, x, xs)``, d/dparent of ln p(x; parents), one per parent, for
    a random one (the sweep multiplies it by the node's multiplier: the
    total, or its downstream costs minus its baseline)."""

    forward: Optional[Fn] = None
    pullbacks: Optional[Fn] = None
    score: Optional[Fn] = None


def _mvn_kl(m: Any, attr: Any, xs: list[Any]) -> Any:
    mu, s = xs
    one, two = m.const(1.0, s), m.const(2.0, s)
    q = m.t_sub(m.t_add(m.t_mul(mu, mu), m.t_mul(s, s)), one)
    return m.t_reduce(m.t_sub(m.t_div(q, two), m.t_log(s)))


def _mvn_kl_pullbacks(m: Any, attr: Any, xs: list[Any], v: Any, g: Any) -> list[Any]:
    mu, s = xs
    gs = m.t_bcast(g, s.v.shape)
    return [m.t_mul(gs, mu), m.t_mul(gs, m.t_sub(s, m.t_div(m.const(1.0, s), s)))]


def _mvn_empirical_kl(m: Any, attr: Any, xs: list[Any]) -> Any:
    mu, s, z = xs
    two = m.const(2.0, s)
    d = m.t_div(m.t_sub(z, mu), s)
    q = m.t_sub(m.t_mul(z, z), m.t_mul(d, d))
    return m.t_reduce(m.t_sub(m.t_div(q, two), m.t_log(s)))


def _mvn_empirical_kl_pullbacks(m: Any, attr: Any, xs: list[Any], v: Any,
                                g: Any) -> list[Any]:
    mu, s, z = xs
    gs = m.t_bcast(g, s.v.shape)
    d = m.t_div(m.t_sub(z, mu), s)
    return [m.t_mul(gs, m.t_div(d, s)),
            m.t_mul(gs, m.t_div(m.t_sub(m.t_mul(d, d), m.const(1.0, s)), s)),
            m.t_mul(gs, m.t_sub(z, m.t_div(d, s)))]


def _bernoulli(m: Any, attr: Any, xs: list[Any]) -> Any:
    p, b = xs
    one = m.const(1.0, p)
    terms = m.t_add(m.t_mul(b, m.t_log(p)), m.t_mul(m.t_sub(one, b), m.t_log(m.t_sub(one, p))))
    return m.t_neg(m.t_reduce(terms))


def _bernoulli_pullbacks(m: Any, attr: Any, xs: list[Any], v: Any, g: Any) -> list[Any]:
    p, b = xs
    gs, one = m.t_bcast(g, p.v.shape), m.const(1.0, p)
    dp = m.t_sub(m.t_div(m.t_sub(one, b), m.t_sub(one, p)), m.t_div(b, p))
    db = m.t_sub(m.t_log(m.t_sub(one, p)), m.t_log(p))
    return [m.t_mul(gs, dp), m.t_mul(gs, db)]


def _mvn_score(m: Any, x: Any, xs: list[Any]) -> list[Any]:
    mu, s = xs
    r = m.t_sub(x, mu)
    s2 = m.t_mul(s, s)
    return [m.t_div(r, s2), m.t_div(m.t_sub(m.t_mul(r, r), s2), m.t_mul(s2, s))]


#: Each operator's formulas on tracked values, one entry per operator of the
#: generated table (tests/test_runtime_ops.py checks the coverage).
RULES: dict[str, Rule] = {
    "scale": Rule(lambda m, attr, xs: m.t_mul(m.const(attr, xs[0]), xs[0]),
                  lambda m, attr, xs, v, g: [m.t_mul(m.const(attr, g), g)]),
    "neg": Rule(lambda m, attr, xs: m.t_neg(xs[0]),
                lambda m, attr, xs, v, g: [m.t_neg(g)]),
    "exp": Rule(lambda m, attr, xs: m.t_exp(xs[0]),
                lambda m, attr, xs, v, g: [m.t_mul(g, v)]),
    "log": Rule(lambda m, attr, xs: m.t_log(xs[0]),
                lambda m, attr, xs, v, g: [m.t_div(g, xs[0])]),
    "sqrt": Rule(lambda m, attr, xs: m.t_sqrt(xs[0]),
                 lambda m, attr, xs, v, g: [m.t_div(g, m.t_mul(m.const(2.0, v), v))]),
    "sigmoid": Rule(lambda m, attr, xs: m.t_sigmoid(xs[0]),
                    lambda m, attr, xs, v, g: [m.t_mul(m.t_mul(g, v),
                                                       m.t_sub(m.const(1.0, v), v))]),
    "softplus": Rule(lambda m, attr, xs: m.t_softplus(xs[0]),
                     lambda m, attr, xs, v, g: [m.t_mul(g, m.t_sigmoid(xs[0]))]),
    "add": Rule(lambda m, attr, xs: m.t_add(xs[0], xs[1]),
                lambda m, attr, xs, v, g: [g, g]),
    "sub": Rule(lambda m, attr, xs: m.t_sub(xs[0], xs[1]),
                lambda m, attr, xs, v, g: [g, m.t_neg(g)]),
    "mul": Rule(lambda m, attr, xs: m.t_mul(xs[0], xs[1]),
                lambda m, attr, xs, v, g: [m.t_mul(g, xs[1]), m.t_mul(g, xs[0])]),
    "div": Rule(lambda m, attr, xs: m.t_div(xs[0], xs[1]),
                lambda m, attr, xs, v, g: [
                    m.t_div(g, xs[1]),
                    m.t_div(m.t_mul(m.t_neg(g), xs[0]), m.t_mul(xs[1], xs[1]))]),
    "mul_add": Rule(lambda m, attr, xs: m.t_add(m.t_mul(xs[0], xs[1]), xs[2]),
                    lambda m, attr, xs, v, g: [m.t_mul(g, xs[1]), m.t_mul(g, xs[0]), g]),
    "gemm": Rule(lambda m, attr, xs: m.t_gemm(xs[0], xs[1]),
                 lambda m, attr, xs, v, g: [m.t_gemm(g, m.t_T(xs[1])),
                                            m.t_gemm(m.t_T(xs[0]), g)]),
    "sum": Rule(lambda m, attr, xs: m.t_reduce(xs[0]),
                lambda m, attr, xs, v, g: [m.t_bcast(g, xs[0].v.shape)]),
    "mvn_kl": Rule(_mvn_kl, _mvn_kl_pullbacks),
    "mvn_empirical_kl": Rule(_mvn_empirical_kl, _mvn_empirical_kl_pullbacks),
    "bernoulli_neglogpdf": Rule(_bernoulli, _bernoulli_pullbacks),
    "mvn": Rule(score=_mvn_score),
    "mvn_std": Rule(score=lambda m, x, xs: []),
}

#: A node as :func:`model_run` reads it: name, random?, operator, attribute, parents.
NodeTuple = tuple[str, bool, str, Optional[float], Sequence[str]]


def downstream_costs(nodes: Sequence[NodeTuple], costs: Sequence[str], z: str) -> list[str]:
    """The costs reachable from the node ``z`` (``z`` itself or a node with a
    parent already reachable, nodes in graph order), in cost order and with
    repeats as in ``costs``: ``reach`` and ``cost_in`` of
    theories/core/BackpropEst.v, ``set_estimator`` of cpp/runtime.hpp."""
    reach = {z}
    for name, _random, _op, _attr, parents in nodes:
        if any(p in reach for p in parents):
            reach.add(name)
    return [c for c in costs if c in reach]


def _multiplier(m: Rounding, val: Mapping[str, Tr], total: Tr, down: Optional[list[str]],
                baseline: Optional[str]) -> Tr:
    """A random node's score multiplier on tracked values: the total
    (``down`` None, Certigrad's estimator), else the sum of the costs ``down``
    minus the baseline's value (``multiplier`` of BackpropEst.v; the runtime
    starts from 0 and adds in cost order, which ``t_sum`` covers)."""
    if down is None:
        return total
    s = m.t_sum([val[c] for c in down]) if down else Tr(np.zeros(()))
    return m.t_sub(s, val[baseline]) if baseline is not None else s


def model_run(nodes: Sequence[NodeTuple], costs: Sequence[str], params: Sequence[str],
              values: Mapping[str, Any], draws: Mapping[str, Any],
              u: float = U64, estimator: str = "certigrad",
              baselines: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Forward and the reverse sweep of docs/semantics.md on tracked values,
    for roundoff ``u``: ``values`` (every node), ``costs``, ``total``,
    ``grads`` (every param), each a :class:`Tr`. ``values`` holds the inputs
    and params, ``draws`` the rand nodes' values (both exact).

    ``estimator``: ``"certigrad"`` multiplies every rand node's score by the
    total; ``"downstream"`` the score of rand node ``z`` by the sum of the
    costs reachable from ``z`` (:func:`downstream_costs`) minus the value of
    ``baselines[z]`` (an input name) when given."""
    if estimator not in ("certigrad", "downstream"):
        raise ValueError(f"estimator must be 'certigrad' or 'downstream', got {estimator!r}")
    bases = dict(baselines or {})
    if bases and estimator != "downstream":
        raise ValueError("baselines are used by estimator='downstream' only")
    m = Rounding(u)
    val: dict[str, Tr] = {n: Tr(v) for n, v in values.items()}
    for name, random, op, attr, parents in nodes:
        if random:
            val[name] = Tr(draws[name])
        else:
            val[name] = RULES[op].forward(m, attr, [val[p] for p in parents])
    total = m.t_sum([val[c] for c in costs])
    contrib: dict[str, list[Tr]] = {}
    for c in costs:
        contrib.setdefault(c, []).append(Tr(np.ones(())))
    for name, random, op, attr, parents in reversed(nodes):
        xs = [val[p] for p in parents]
        if random:  # the score term; the sample's own adjoint stops here
            down = downstream_costs(nodes, costs, name) if estimator == "downstream" else None
            mult = _multiplier(m, val, total, down, bases.get(name))
            for p, sc in zip(parents, RULES[op].score(m, val[name], xs)):
                contrib.setdefault(p, []).append(m.t_mul(m.t_bcast(mult, sc.v.shape), sc))
            continue
        if name not in contrib:
            continue  # a zero adjoint (its pullbacks are zero)
        g = m.t_sum(contrib[name])
        for p, pb in zip(parents, RULES[op].pullbacks(m, attr, xs, val[name], g)):
            contrib.setdefault(p, []).append(pb)
    grads = {p: m.t_sum(contrib[p]) if p in contrib else Tr(np.zeros_like(val[p].v))
             for p in params}
    return {"values": {n[0]: val[n[0]] for n in nodes}, "costs": {c: val[c] for c in costs},
            "total": total, "grads": grads}
