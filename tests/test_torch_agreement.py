"""The runtime against PyTorch autograd on random graphs (tests/graphgen.py)
over every operator, with explicit draws. PyTorch computes the estimator of
docs/semantics.md as the gradient of the surrogate
``C + sum_mvn stopgrad(C) * log N(stopgrad(x); mu, sigma)``, with each sample
a constant (its adjoint does not flow to its parents)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import certigrad as cg
from graphgen import TABLE, GenGraph, graphs

torch = pytest.importorskip("torch")
F = torch.nn.functional


def torch_estimator(gg: GenGraph):
    t: dict[str, "torch.Tensor"] = {}
    for name, _, param in gg.inputs:
        t[name] = torch.tensor(gg.values[name], dtype=torch.float64, requires_grad=param)
    scores = []
    for name, kind, op, attr, parents, _ in gg.nodes:
        p = [t[q] for q in parents]
        if kind == "rand":
            x = torch.tensor(gg.draws[name], dtype=torch.float64)
            if op == "mvn":
                mu, s = p
                scores.append((-(x - mu) ** 2 / (2 * s * s) - torch.log(s)).sum())
            t[name] = x
            continue
        if op == "scale":
            v = attr * p[0]
        elif op == "neg":
            v = -p[0]
        elif op in ("exp", "log", "sqrt", "sigmoid"):
            v = getattr(torch, op)(p[0])
        elif op == "softplus":
            v = F.softplus(p[0])
        elif op == "add":
            v = p[0] + p[1]
        elif op == "sub":
            v = p[0] - p[1]
        elif op == "mul":
            v = p[0] * p[1]
        elif op == "div":
            v = p[0] / p[1]
        elif op == "sum":
            v = p[0].sum()
        elif op == "gemm":
            v = p[0] @ p[1]
        elif op == "mul_add":
            v = p[0] * p[1] + p[2]
        elif op == "mvn_kl":
            v = ((p[0] ** 2 + p[1] ** 2 - 1) / 2 - torch.log(p[1])).sum()
        elif op == "mvn_empirical_kl":
            mu, sd, z = p
            std = torch.distributions.Normal(torch.zeros_like(z), torch.ones_like(z))
            v = (torch.distributions.Normal(mu, sd).log_prob(z) - std.log_prob(z)).sum()
        elif op == "bernoulli_neglogpdf":
            v = -(p[1] * torch.log(p[0]) + (1 - p[1]) * torch.log1p(-p[0])).sum()
        else:
            raise AssertionError(op)
        t[name] = v
    C = sum(t[c] for c in gg.costs)
    surrogate = C + sum(C.detach() * s for s in scores)
    params = [t[n] for n in gg.params]
    grads = (torch.autograd.grad(surrogate, params, allow_unused=True)
             if params and surrogate.requires_grad else [None] * len(params))
    out = {n: (g.numpy() if g is not None else np.zeros(gg.values[n].shape))
           for n, g in zip(gg.params, grads)}
    return ({c: float(t[c].detach()) for c in gg.costs}, float(C.detach()),
            {n[0]: t[n[0]].detach().numpy() for n in gg.nodes}, out)


def close(a, b, rtol, scale=None):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    atol = rtol * (1.0 + (np.max(np.abs(b)) if b.size else 0.0) if scale is None else scale)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def runtime_result(gg: GenGraph, dtype: str):
    g, feeds, draws = cg.interchange.load(gg.to_text())
    feeds = {k: v.astype(dtype) for k, v in feeds.items()}
    draws = {k: v.astype(dtype) for k, v in draws.items()}
    return cg.Runtime(g, dtype=dtype).run(feeds, draws=draws, values=True)


SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(graphs())
def test_float64_agrees_with_torch(gg: GenGraph) -> None:
    costs, total, values, grads = torch_estimator(gg)
    res = runtime_result(gg, "float64")
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
    costs, total, values, grads = torch_estimator(gg)
    res = runtime_result(gg, "float64")
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
