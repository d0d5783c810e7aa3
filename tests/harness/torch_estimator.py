"""The gradient estimators of docs/semantics.md in PyTorch autograd (float64),
on a generated graph: the gradient of the surrogate
``C + sum_rand stopgrad(M_x) * log p(stopgrad(x); parents)``, with each
sample a constant (its adjoint does not flow to its parents); ``M_x`` is the
total ``C`` (Certigrad's estimator) or the sum of the costs reachable from
``x`` (the downstream estimator, no baselines). Each operator's
forward and log density is its ``torch_forward`` / ``torch_log_density``
entry in tests/harness/references.py.

torch is imported by the caller (a declared test dependency:
:func:`harness.deps.require`) and passed in; this module does not import it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .references import reference
from .graph_text import reachable_costs
from .strategies import GenGraph

__all__ = ["torch_estimator"]


def torch_estimator(gg: GenGraph, torch: Any, estimator: str = "certigrad") \
        -> tuple[dict[str, float], float, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(costs, total, values, grads)`` of ``gg`` with its draws, for
    ``estimator`` ``"certigrad"`` or ``"downstream"``: the costs and total as
    floats, every node's value and every param's gradient as float64 arrays
    (zeros for a param that reaches no cost)."""
    t: dict[str, Any] = {}
    for name, _, param in gg.inputs:
        t[name] = torch.tensor(gg.values[name], dtype=torch.float64, requires_grad=param)
    scores = []
    for name, kind, op, attr, parents, _ in gg.nodes:
        p = [t[q] for q in parents]
        if kind == "rand":
            x = torch.tensor(gg.draws[name], dtype=torch.float64)
            score = reference(op).torch_log_density(torch, x, p)
            if score is not None:
                scores.append((name, score))
            t[name] = x
            continue
        t[name] = reference(op).torch_forward(torch, attr, p)
    C = sum(t[c] for c in gg.costs)

    def mult(z: str) -> Any:
        if estimator == "certigrad":
            return C.detach()
        return sum((t[c].detach() for c in reachable_costs(gg.nodes, gg.costs, z)),
                   torch.zeros((), dtype=torch.float64))

    surrogate = C + sum(mult(z) * s for z, s in scores)
    params = [t[n] for n in gg.params]
    grads = (torch.autograd.grad(surrogate, params, allow_unused=True)
             if params and surrogate.requires_grad else [None] * len(params))
    out = {n: (g.numpy() if g is not None else np.zeros(gg.values[n].shape))
           for n, g in zip(gg.params, grads)}
    return ({c: float(t[c].detach()) for c in gg.costs}, float(C.detach()),
            {n[0]: t[n[0]].detach().numpy() for n in gg.nodes}, out)
