#!/usr/bin/env python3
"""Microbenchmark of one AEVB training step (Adam.step: forward + backprop +
update) of the C++ runtime, with a per-node profile. Not a test.

    python3 cpp/bench/vae_step.py --threads 2 [--torch] [--profile]

Model: x 784x250, h = softplus(W2 softplus(W1 x)) (1000 units),
mu = Wmu h, sigma = sqrt(exp(Wls h)) (30 latents), z = mu + sigma*eps,
p = sigmoid(Wp softplus(D2 softplus(D1 z))), costs mvn_kl(mu, sigma) and
bernoulli_neglogpdf(p, x). Reports min and median ms/iter."""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import certigrad as cg


def build(bs: int = 250, nx: int = 784, nh: int = 1000, nz: int = 30) -> cg.Graph:
    g = cg.Graph()
    x = g.input("x", (nx, bs))
    P = {n: g.param(n, s) for n, s in [("W1", (nh, nx)), ("W2", (nh, nh)), ("Wmu", (nz, nh)),
                                       ("Wls", (nz, nh)), ("D1", (nh, nz)), ("D2", (nh, nh)),
                                       ("Wp", (nx, nh))]}
    h1 = g.det("h1", cg.softplus(P["W1"] @ x))
    h = g.det("h", cg.softplus(P["W2"] @ h1))
    mu = g.det("mu", P["Wmu"] @ h)
    sigma = g.det("sigma", cg.sqrt(cg.exp(P["Wls"] @ h)))
    eps = g.sample("eps", cg.mvn_std((nz, bs)))
    z = g.det("z", cg.mul_add(sigma, eps, mu))
    d1 = g.det("d1", cg.softplus(P["D1"] @ z))
    d2 = g.det("d2", cg.softplus(P["D2"] @ d1))
    p = g.det("p", cg.sigmoid(P["Wp"] @ d2))
    g.cost(g.det("kl", cg.mvn_kl(mu, sigma)))
    g.cost(g.det("nll", cg.bernoulli_neglogpdf(p, x)))
    return g


def init(g: cg.Graph, dtype: str, rng: np.random.Generator) -> dict[str, np.ndarray]:
    out = {}
    for name in g.params:
        m, n = g.ref(name).shape
        a = np.sqrt(6.0 / (m + n))
        out[name] = rng.uniform(-a, a, (m, n)).astype(dtype)
    return out


def torch_step_fn(params, X, threads):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    P = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    opt = torch.optim.Adam(list(P.values()), lr=1e-3)
    x = torch.tensor(X)

    def step():
        h = F.softplus(P["W2"] @ F.softplus(P["W1"] @ x))
        mu = P["Wmu"] @ h
        sig = torch.sqrt(torch.exp(P["Wls"] @ h))
        z = mu + sig * torch.randn(mu.shape)
        logits = P["Wp"] @ F.softplus(P["D2"] @ F.softplus(P["D1"] @ z))
        kl = ((mu * mu + sig * sig - 1) / 2 - torch.log(sig)).sum()
        nll = F.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        opt.zero_grad()
        ((kl + nll) / 250).backward()
        opt.step()

    return step


CLOCK = time.perf_counter


def timeit(f, iters: int, warm: int = 3) -> list[float]:
    for _ in range(warm):
        f()
    ts = []
    for _ in range(iters):
        t = CLOCK()
        f()
        ts.append((CLOCK() - t) * 1e3)
    return ts


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--iters", type=int, default=30)
    ap.add_argument("--torch", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--cpu-time", action="store_true",
                    help="time with process CPU time (1 thread: robust to a busy machine)")
    a = ap.parse_args()
    if a.cpu_time:
        global CLOCK
        CLOCK = time.process_time
    rng = np.random.default_rng(0)
    g = build()
    params = init(g, a.dtype, rng)
    X = (rng.random((784, 250)) < 0.3).astype(a.dtype)
    rt = cg.Runtime(g, dtype=a.dtype, threads=a.threads)
    opt = cg.Adam(rt, params, lr=1e-3)
    it = iter(range(10**9))
    ts = timeit(lambda: opt.step({"x": X}, seed=next(it), grad_scale=1 / 250), a.iters)
    print(f"certigrad {a.dtype} {a.threads}t: min {min(ts):.2f} median {statistics.median(ts):.2f} ms")
    if a.profile:
        rt._rt.set_profile(True)
        n = 10
        for i in range(n):
            opt.step({"x": X}, seed=i, grad_scale=1 / 250)
        rows = rt._rt.profile()
        tf = sum(r[2] for r in rows) / n * 1e3
        tb = sum(r[3] for r in rows) / n * 1e3
        for name, op, f, b in rows:
            print(f"  {name:8s} {op:20s} fwd {f / n * 1e3:7.3f}  bwd {b / n * 1e3:7.3f} ms")
        print(f"  forward {tf:.2f} ms, backward {tb:.2f} ms")
        rt._rt.set_profile(False)
    if a.torch:
        tt = timeit(torch_step_fn(params, X, a.threads), a.iters)
        print(f"pytorch   {a.dtype} {a.threads}t: min {min(tt):.2f} median {statistics.median(tt):.2f} ms")
        print(f"ratio (median) {statistics.median(ts) / statistics.median(tt):.3f}, "
              f"(min) {min(ts) / min(tt):.3f}")


if __name__ == "__main__":
    main()
