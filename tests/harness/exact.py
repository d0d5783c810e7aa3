"""Exact evaluation: the semantics of docs/semantics.md in 60-digit
arithmetic (mpmath), on a graph's float64 inputs and draws. It checks the
premise of the harness's tolerance: the oracle, the runtime and the
error-bound model each lie within ``E`` of this result
(tests/test_differential.py, ``test_error_bound_holds_against_exact_arithmetic``).

This module holds the helpers and the sweep; each operator's formula is its
``exact_forward`` / ``exact_pullbacks`` / ``exact_score`` entry in
tests/harness/references.py, which receives the helpers as ``X``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping, Optional

import numpy as np

from .graph_text import GraphText, reachable_costs
from .references import reference

__all__ = ["DIGITS", "Exact", "exact_run"]

DIGITS = 60


class Exact:
    """The helpers of the registry's exact rules, on a private mpmath
    context (the global precision is left alone): ``mp``, ``mpf``; object
    arrays of mpf built by ``arr``/``lift``; elementwise ``ew``, the sum of
    all entries ``red`` (a 0-d array), the matrix product ``mm``, ``sig``."""

    def __init__(self, dps: int = DIGITS) -> None:
        import mpmath

        self.mp = mpmath.MPContext()
        self.mp.dps = dps
        self.mpf = self.mp.mpf

    def arr(self, xs: Iterable[Any], shape: tuple[int, ...]) -> np.ndarray:
        a = np.empty(int(np.prod(shape)), dtype=object)
        a[:] = list(xs)
        return a.reshape(shape)

    def lift(self, a: np.ndarray) -> np.ndarray:
        return self.arr((self.mpf(float(t)) for t in a.ravel()), a.shape)

    def ew(self, f: Callable[..., Any], *xs: np.ndarray) -> np.ndarray:
        return self.arr((f(*t) for t in zip(*(x.ravel() for x in xs))), xs[0].shape)

    def total_of(self, xs: list[Any]) -> Any:
        s = self.mpf(0)
        for t in xs:
            s += t
        return s

    def red(self, a: np.ndarray) -> np.ndarray:
        return self.arr([self.total_of(a.ravel())], ())

    def mm(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.arr((self.total_of([a[i, k] * b[k, j] for k in range(a.shape[1])])
                         for i in range(a.shape[0]) for j in range(b.shape[1])),
                        (a.shape[0], b.shape[1]))

    def sig(self, t: Any) -> Any:
        return 1 / (1 + self.mp.exp(-t))


def exact_run(gt: GraphText, baselines: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """The semantics of docs/semantics.md in 60-digit arithmetic (mpmath),
    on the graph's float64 inputs and draws: ``values``, ``costs``,
    ``total``, ``grads`` as object arrays of mpf (flat). Certigrad's
    estimator, or with ``baselines`` (possibly empty) the downstream one:
    rand node z's score times its reachable costs minus its baseline."""
    X = Exact()
    val = {n: X.lift(v) for n, v in gt.values.items()}
    for name, kind, op, attr, parents, _shape in gt.nodes:
        val[name] = X.lift(gt.draws[name]) if kind == "rand" else \
            reference(op).exact_forward(X, attr, [val[p] for p in parents])
    total = X.total_of([val[c].ravel()[0] for c in gt.costs])
    adj: dict[str, np.ndarray] = {}

    def acc(p: str, c: np.ndarray) -> None:
        adj[p] = X.ew(lambda a, b: a + b, adj[p], c) if p in adj else c

    for c in gt.costs:
        acc(c, X.arr([X.mpf(1)], ()))
    def multiplier(z: str) -> Any:
        if baselines is None:
            return total
        m = X.total_of([val[c].ravel()[0] for c in reachable_costs(gt.nodes, gt.costs, z)])
        return m - val[baselines[z]].ravel()[0] if z in baselines else m

    for name, kind, op, attr, parents, _shape in reversed(gt.nodes):
        xs = [val[p] for p in parents]
        if kind == "rand":  # the score term; the sample's own adjoint stops here
            for p, c in zip(parents, reference(op).exact_score(X, multiplier(name), val[name],
                                                               xs)):
                acc(p, c)
            continue
        if name not in adj:
            continue
        for p, pb in zip(parents, reference(op).exact_pullbacks(X, attr, xs, val[name],
                                                                adj[name])):
            acc(p, pb)
    flat = lambda a: np.asarray(a, dtype=object).ravel()  # noqa: E731
    return {"values": {n[0]: flat(val[n[0]]) for n in gt.nodes},
            "costs": {c: flat(val[c]) for c in gt.costs}, "total": flat([total]),
            "grads": {p: flat(adj[p]) if p in adj else flat(X.lift(np.zeros_like(gt.values[p])))
                      for p in gt.params}}
