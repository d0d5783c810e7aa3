"""Random stochastic graphs for the checker's statistical test
(tests/test_certify.py::test_random_certified_graphs_unbiased).

:func:`random_graph` builds, from a seed, an elementwise graph on vectors of
``K`` entries: parameters ``th1``, ``th2`` and data inputs ``x`` (box
[0.5, 2]) and ``y`` (box [0, 1]), one or two noise nodes (``mvn_std``, or
``mvn`` with a mean built from the parameters and a sigma among
``exp(th)``, ``softplus(th) + x``, ``sqrt(exp(th))``, ``x``), a few random
deterministic layers, and the cost ``sum`` of a per-entry node ``cvec``
(or of a Bernoulli negative log-likelihood of a sigmoid). Every entry of
every vector computes the same scalar function of its own draws, so one run
of the runtime gives ``K`` independent samples of it; the parameters' entries
all hold the same value. Some layers (``exp`` of a value that depends on the
draws, ``log`` of a draw) make graphs the checker must refuse; the test
only runs the accepted ones.

:func:`estimate` returns, for each parameter, ``K * runs`` samples of the
gradient entry of ``backprop`` on the certified graph (the graph itself, or
it reparameterized as the certificate says) and ``K * runs`` samples of the
central finite difference, with common random numbers, of the per-entry cost
of the user's graph: the test compares their means with the rule of
tests/harness/stats.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import certigrad as cg
from certigrad.certify import CertifyResult, find_oracle

K = 5000
BOXES = {"x": (0.5, 2.0), "y": (0.0, 1.0)}


@dataclass
class RandomGraph:
    graph: cg.Graph
    feeds: dict[str, np.ndarray]
    description: str


def _sigma(rng: np.random.Generator, g: cg.Graph, th: cg.Ref, x: cg.Ref, tag: str):
    k = int(rng.integers(4))
    if k == 0:
        return g.det(f"s{tag}", cg.exp(cg.scale(0.5, th))), "exp(th/2)"
    if k == 1:
        return g.det(f"s{tag}", cg.add(cg.softplus(th), x)), "softplus(th)+x"
    if k == 2:
        return g.det(f"s{tag}", cg.sqrt(cg.exp(th))), "sqrt(exp(th))"
    return x, "x"


def random_graph(seed: int) -> RandomGraph:
    """The random graph of ``seed`` (see the module docstring)."""
    rng = np.random.default_rng(seed)
    g = cg.Graph()
    th1, th2 = g.param("th1", K), g.param("th2", K)
    x, y = g.input("x", K), g.input("y", K)
    desc = []
    vals: list[cg.Ref] = []
    for i in range(1 + int(rng.integers(2))):
        if rng.random() < 0.5:
            e = g.sample(f"e{i}", cg.mvn_std(K))
            u = g.det(f"u{i}", cg.mul_add(cg.exp(cg.scale(0.3, th2)), e, th1))
            desc.append(f"e{i}~N(0,1); u{i}=exp(.3 th2) e{i} + th1")
        else:
            s, sd = _sigma(rng, g, th2 if i == 0 else th1, x, str(i))
            mu = g.det(f"m{i}", cg.mul(th1, x) if rng.random() < 0.5 else cg.add(th1, th2))
            u = g.sample(f"u{i}", cg.mvn(mu, s))
            desc.append(f"u{i}~N(m{i}, {sd})")
        vals.append(u)
    layers = ["add", "mul", "softplus", "sigmoid", "neg", "mul_add", "expth", "logpos",
              "divpos", "sub", "exp_bad", "log_bad"]
    weights = np.array([3, 3, 2, 2, 1, 2, 1, 1, 1, 2, 0.6, 0.6])
    for j in range(2 + int(rng.integers(3))):
        op = layers[int(rng.choice(len(layers), p=weights / weights.sum()))]
        a = vals[int(rng.integers(len(vals)))]
        b = vals[int(rng.integers(len(vals)))]
        name = f"h{j}"
        expr = {
            "add": lambda: cg.add(a, b),
            "sub": lambda: cg.sub(a, th1),
            "mul": lambda: cg.mul(a, b),
            "softplus": lambda: cg.softplus(a),
            "sigmoid": lambda: cg.sigmoid(a),
            "neg": lambda: cg.neg(a),
            "mul_add": lambda: cg.mul_add(th2, a, x),
            "expth": lambda: cg.mul(cg.exp(th1), a),
            "logpos": lambda: cg.add(a, cg.log(cg.softplus(th2))),
            "divpos": lambda: cg.div(a, cg.exp(th2)),
            "exp_bad": lambda: cg.exp(a),
            "log_bad": lambda: cg.log(a),
        }[op]()
        vals.append(g.det(name, expr))
        desc.append(f"{name}={op}")
    last = vals[-1]
    if rng.random() < 0.25:
        g.cost(g.det("cost", cg.bernoulli_neglogpdf(cg.sigmoid(last), y)))
        desc.append("cost=bernoulli(sigmoid(last), y)")
    else:
        cvec = g.det("cvec", cg.mul(last, cg.add(last, x)) if rng.random() < 0.5 else cg.scale(1.0, last))
        g.cost(g.det("cost", cg.sum(cvec)))
        desc.append("cost=sum(cvec)")
    feeds = {"th1": np.full(K, rng.uniform(-0.5, 0.5)), "th2": np.full(K, rng.uniform(-0.5, 0.5)),
             "x": np.full(K, rng.uniform(0.5, 2.0)), "y": np.full(K, float(rng.integers(2)))}
    return RandomGraph(g, feeds, "; ".join(desc))


def certified_graph(rg: RandomGraph, res: CertifyResult) -> cg.Graph:
    """The graph the certificate speaks of: the oracle's reparameterization
    (theories/aevb/Transform.v, extracted) of the mvn nodes it lists."""
    if not res.reparameterized:
        return rg.graph
    import subprocess

    steps = [f"reparameterize:{z}:{e}" for z, e in res.reparameterized]
    out = subprocess.run([str(find_oracle()), "--transform", *steps],
                         input=cg.interchange.dump_graph(rg.graph), capture_output=True,
                         text=True, check=True).stdout
    # interchange.load wants a value per input and a draw per random node:
    # zeros, unused
    lines = out.splitlines()
    rand = [ln.split()[1] for ln in lines if ln.startswith("rand ")]
    zeros = "".join(f"value {i.name} {' '.join(['0'] * int(np.prod(i.shape)))}\n"
                    for i in rg.graph.inputs)
    zeros += "".join(f"draw {r} {' '.join(['0'] * K)}\n" for r in rand)
    return cg.interchange.load(out.replace("end\n", zeros + "end\n"))[0]


def estimate(rg: RandomGraph, res: CertifyResult, runs: int, seed: int,
             h: float = 1e-4) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """``(grad_samples, fd_samples)``: per parameter, ``K * runs`` samples
    of backprop's gradient entry on the certified graph, and as many of the
    central difference ``(c(th + h) - c(th - h)) / 2h`` of the per-entry
    cost of the user's graph (both runs with the same seed)."""
    gc = certified_graph(rg, res)
    rt_grad = cg.Runtime(gc, dtype="float64")
    rt_cost = cg.Runtime(rg.graph, dtype="float64")
    cost_node = "cvec" if any(n.name == "cvec" for n in rg.graph.nodes) else "bnll"
    grads = {p: [] for p in rg.graph.params}
    fds = {p: [] for p in rg.graph.params}
    for r in range(runs):
        out = rt_grad.run(rg.feeds, seed=seed + 2 * r)
        for p in grads:
            grads[p].append(np.asarray(out.grads[p], dtype=np.float64))
        for p in fds:
            cs = []
            for sgn in (1.0, -1.0):
                f = dict(rg.feeds)
                f[p] = rg.feeds[p] + sgn * h
                v = rt_cost.run(f, seed=seed + 2 * r + 1, values=True).values
                cs.append(entry_costs(rg, v, cost_node))
            fds[p].append((cs[0] - cs[1]) / (2 * h))
    return ({p: np.concatenate(v) for p, v in grads.items()},
            {p: np.concatenate(v) for p, v in fds.items()})


def entry_costs(rg: RandomGraph, vals: dict[str, np.ndarray], cost_node: str) -> np.ndarray:
    """The per-entry cost: ``cvec``, or the Bernoulli negative
    log-likelihood of each entry."""
    if cost_node == "cvec":
        return np.asarray(vals["cvec"], dtype=np.float64)
    bnode = [n for n in rg.graph.nodes if n.op == "bernoulli_neglogpdf"][0]
    p = np.asarray(vals[bnode.parents[0]], dtype=np.float64)
    yv = rg.feeds["y"]
    return -(yv * np.log(p) + (1 - yv) * np.log1p(-p))
