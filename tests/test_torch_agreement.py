"""The runtime against PyTorch autograd on random graphs
(tests/harness/strategies.py) over every operator, with explicit draws.
PyTorch computes the estimators of docs/semantics.md as the gradient of the
surrogate ``C + sum_mvn stopgrad(M_x) * log N(stopgrad(x); mu, sigma)``, with
each sample a constant (its adjoint does not flow to its parents) and ``M_x``
the total (estimator="certigrad") or the costs reachable from ``x``
("downstream", the runtime's default): tests/harness/torch_estimator.py, from
the registry's torch formulas."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import certigrad as cg
from harness.deps import require
from harness.strategies import TABLE, GenGraph, graphs
from harness.torch_estimator import torch_estimator as _torch_estimator

torch: Any = None  # set by _torch below
F: Any = None


@pytest.fixture(autouse=True, scope="module")
def _torch() -> None:
    """torch, a declared test dependency: without it every test here is
    skipped, with the reason, and fails when CI=true (tests/harness/deps.py)."""
    global torch, F
    torch = require("torch")
    F = torch.nn.functional


def torch_estimator(gg: GenGraph, estimator: str = "downstream"):
    """tests/harness/torch_estimator.py on ``gg``: (costs, total, values, grads)."""
    return _torch_estimator(gg, torch, estimator)


def close(a, b, rtol, scale=None):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    atol = rtol * (1.0 + (np.max(np.abs(b)) if b.size else 0.0) if scale is None else scale)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def runtime_result(gg: GenGraph, dtype: str, estimator: str = "downstream"):
    g, feeds, draws = cg.interchange.load(gg.to_text())
    feeds = {k: v.astype(dtype) for k, v in feeds.items()}
    draws = {k: v.astype(dtype) for k, v in draws.items()}
    return cg.Runtime(g, dtype=dtype, estimator=estimator).run(feeds, draws=draws, values=True)


SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(graphs())
def test_float64_agrees_with_torch(gg: GenGraph) -> None:
    for est in ("downstream", "certigrad"):
        costs, total, values, grads = torch_estimator(gg, est)
        res = runtime_result(gg, "float64", est)
        for c in gg.costs:
            close(res.costs[c], costs[c], 1e-10)
        close(res.total, total, 1e-10)
        for name in values:
            close(res.values[name], values[name], 1e-10)
        for p in gg.params:
            close(res.grads[p], grads[p], 1e-8)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(graphs(ops=[n for n, r in TABLE.items() if r.domain_parent is None]))
def test_float32_agrees_with_torch_float64(gg: GenGraph) -> None:
    """float32 on well-conditioned ops (those without a domain: no division or
    log), loose tolerance."""
    costs, total, values, grads = torch_estimator(gg)
    res = runtime_result(gg, "float32")
    close(res.total, total, 1e-4)
    for p in gg.params:
        close(res.grads[p], grads[p], 1e-3)


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(graphs(ops=["mvn_empirical_kl", "mul_add", "softplus", "mvn", "mvn_std", "add"],
              min_nodes=2))
def test_mvn_empirical_kl_graphs_agree_with_torch(gg: GenGraph) -> None:
    """Graphs rich in mvn_empirical_kl (the general property draws it in about
    one node in 19), float64, against torch's Normal log densities."""
    for est in ("downstream", "certigrad"):
        costs, total, values, grads = torch_estimator(gg, est)
        res = runtime_result(gg, "float64", est)
        close(res.total, total, 1e-10)
        for name in values:
            close(res.values[name], values[name], 1e-10)
        for p in gg.params:
            close(res.grads[p], grads[p], 1e-8)


def test_vae_shaped_graph_agrees_with_torch() -> None:
    """A small AEVB (encoder, reparameterized latent, sigmoid decoder with the
    logit-form bernoulli) in float64 against torch."""
    rng = np.random.default_rng(3)
    nx, nh, nz, bs = 6, 5, 2, 4
    g = cg.Graph()
    x = g.input("x", (nx, bs))
    W1, Wmu, Wls, D1, Wp = (g.param(n, s) for n, s in [("W1", (nh, nx)), ("Wmu", (nz, nh)),
                                                        ("Wls", (nz, nh)), ("D1", (nh, nz)),
                                                        ("Wp", (nx, nh))])
    h = g.det("h", cg.softplus(W1 @ x))
    mu = g.det("mu", Wmu @ h)
    sigma = g.det("sigma", cg.sqrt(cg.exp(Wls @ h)))
    eps = g.sample("eps", cg.mvn_std((nz, bs)))
    z = g.det("z", cg.mul_add(sigma, eps, mu))
    p = g.det("p", cg.sigmoid(Wp @ cg.softplus(D1 @ z)))
    g.cost(g.det("kl", cg.mvn_kl(mu, sigma)))
    g.cost(g.det("nll", cg.bernoulli_neglogpdf(p, x)))
    feeds = {n: rng.normal(0, 0.5, g.ref(n).shape) for n in g.params}
    feeds["x"] = (rng.random((nx, bs)) < 0.5).astype(np.float64)
    E = rng.standard_normal((nz, bs))
    res = cg.Runtime(g).run(feeds, draws={"eps": E})

    T = {k: torch.tensor(v, requires_grad=k != "x") for k, v in feeds.items()}
    th = F.softplus(T["W1"] @ T["x"])
    tmu = T["Wmu"] @ th
    ts = torch.sqrt(torch.exp(T["Wls"] @ th))
    tz = ts * torch.tensor(E) + tmu
    logits = T["Wp"] @ F.softplus(T["D1"] @ tz)
    kl = ((tmu**2 + ts**2 - 1) / 2 - torch.log(ts)).sum()
    nll = F.binary_cross_entropy_with_logits(logits, T["x"], reduction="sum")
    (kl + nll).backward()
    assert res.costs["kl"] == pytest.approx(float(kl.detach()), rel=1e-12)
    assert res.costs["nll"] == pytest.approx(float(nll.detach()), rel=1e-12)
    for n in g.params:
        np.testing.assert_allclose(res.grads[n], T[n].grad.numpy(), rtol=1e-10, atol=1e-12)
