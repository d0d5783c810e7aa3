"""The checked mode: the fast runtime, re-run now and then through the
oracle.

``cg.Runtime(g, check_every=N)`` runs the C++ runtime and, on its first
call and every N-th after (calls 1, N+1, 2N+1, ...), re-runs the same inputs
and the same draws through the oracle (certigrad.reference) in float64, with
the runtime's estimator and baselines (``certigrad-ref --estimator``), and
compares every node value, every cost, the total and every gradient entry.
A difference beyond the rounding bound raises
:class:`~certigrad.errors.VerificationError` naming the node, the entry and
both values. ``Adam.step`` on such a runtime is checked the same way (the
gradient it is about to apply, from the parameters it holds).

The bound: the runtime (unit roundoff ``u``: 2^-24 for float32, 2^-53 for
float64) and the oracle (2^-53) each lie within their first-order
rounding-error bound ``E`` of the exact real computation on those inputs
(certigrad.rounding, which models the estimator's per-node score
multipliers), so they must agree within ``E(u) + E(2^-53)``, the
tolerance of the differential harness (tests/harness/) for float64 runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

import numpy as np

from .errors import CertigradError, VerificationError
from .graph import Graph
from .reference import ReferenceBackend
from .rounding import U32, U64, model_run

__all__ = ["CheckStats", "Checker"]

_ROUNDOFF = {np.dtype(np.float32): U32, np.dtype(np.float64): U64}


@dataclass
class CheckStats:
    """What the checks found so far: ``checks`` (runs compared),
    ``max_ratio`` (largest |runtime - oracle| / bound over every compared
    entry, < 1 when all agree), ``max_abs`` (largest |runtime - oracle|) and
    ``worst`` (where ``max_ratio`` was reached, e.g. ``grad W_p[17]``)."""

    checks: int = 0
    max_ratio: float = 0.0
    max_abs: float = 0.0
    worst: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"checks": self.checks, "max_ratio": self.max_ratio, "max_abs": self.max_abs,
                "worst": self.worst}


class Checker:
    """Decides which calls are checked and compares a runtime's result with
    the oracle's (see the module docstring)."""

    def __init__(self, graph: Graph, every: int, dtype: np.dtype, estimator: str) -> None:
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise CertigradError(f"check_every must be a positive int, got {every!r}")
        self.graph = graph
        self.every = every
        self.u = _ROUNDOFF[np.dtype(dtype)]
        self.dtype = np.dtype(dtype)
        self.estimator = estimator
        self.reference = ReferenceBackend(graph, estimator)
        self.calls = 0
        self.stats = CheckStats()

    def due(self) -> bool:
        """Counts a call; True when it is to be checked."""
        self.calls += 1
        return (self.calls - 1) % self.every == 0

    def compare(self, feeds: Mapping[str, Any], draws: Mapping[str, Any],
                values: Mapping[str, Any], costs: Mapping[str, float], total: float,
                grads: Mapping[str, Any]) -> None:
        """Compares one run of the fast runtime (``values`` of every node,
        ``costs``, ``total``, ``grads``) on ``feeds`` and ``draws`` with the
        oracle's run on the same; raises VerificationError at the first
        entry beyond the bound (nodes in graph order, then costs, the total,
        the gradients), else updates :attr:`stats`."""
        f64 = {k: np.asarray(v, dtype=np.float64) for k, v in feeds.items()}
        d64 = {k: np.asarray(v, dtype=np.float64) for k, v in draws.items()}
        orc = self.reference.run_oracle(f64, d64, values=True)
        nodes = [(n.name, n.random, n.op, n.attr, n.parents) for n in self.graph.nodes]
        # E is proportional to u (first order, exact inputs): E(u) + E(u64) = E(u + u64)
        bases = self.graph.baselines if self.estimator == "downstream" else None
        bound = model_run(nodes, self.graph.costs, self.graph.params, f64, d64, u=self.u + U64,
                          estimator=self.estimator, baselines=bases)
        items = [("value", n.name, values[n.name], orc["values"][n.name], bound["values"][n.name])
                 for n in self.graph.nodes]
        items += [("cost", c, costs[c], orc["costs"][c], bound["costs"][c])
                  for c in self.graph.costs]
        items.append(("total", "total", total, orc["total"], bound["total"]))
        items += [("grad", p, grads[p], orc["grads"][p], bound["grads"][p])
                  for p in self.graph.params]
        ratio, worst_abs, where = 0.0, 0.0, ""
        for what, name, got, want, tr in items:
            r = np.asarray(got, dtype=np.float64).reshape(-1)
            o = np.asarray(want, dtype=np.float64).reshape(-1)
            e = tr.e.reshape(-1)
            d = np.abs(r - o)
            with np.errstate(invalid="ignore", divide="ignore"):
                bad = ~(d <= e)  # NaN counts as bad
                q = np.where(d == 0, 0.0, d / e)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                node = name if what != "total" else "total"
                kind = self.dtype.name
                raise VerificationError(
                    f"node '{node}': {what} entry {i}: runtime ({kind}) {float(r[i])!r} vs "
                    f"oracle {float(o[i])!r}, |difference| {float(d[i]):.3g} > rounding bound "
                    f"{float(e[i]):.3g} (check {self.stats.checks + 1}, call {self.calls})",
                    node=node, what=what, entry=i, runtime=float(r[i]), oracle=float(o[i]),
                    bound=float(e[i]))
            if d.size:
                j = int(np.argmax(q))
                worst_abs = max(worst_abs, float(d.max()))
                if q[j] > ratio:
                    ratio, where = float(q[j]), f"{what} {name}[{j}]"
        s = self.stats
        s.checks += 1
        s.max_abs = max(s.max_abs, worst_abs)
        if ratio > s.max_ratio:
            s.max_ratio, s.worst = ratio, where

    def check_run(self, run: Any, feeds: Mapping[str, Any], seed: Optional[int],
                  draws: Optional[Mapping[str, Any]]) -> Any:
        """Runs ``run(feeds, seed=, draws=, values=True, backprop=True)`` (the
        fast runtime), compares it with the oracle and returns its result
        and the draws it used."""
        res = run(feeds, seed=seed, draws=draws, values=True, backprop=True)
        used = {n: res.values[n] for n in self.graph.rand_nodes}
        self.compare(feeds, used, res.values, res.costs, res.total, res.grads)
        return res, used
