"""The downstream score estimator and baselines (issue 14), in the C++ runtime.

``Runtime(g, estimator="downstream")`` (the default) multiplies each random
node's score by the sum of the costs reachable from it, minus its baseline
(``Graph.sample(..., baseline=b)``), instead of by the total cost
(``estimator="certigrad"``).
These tests check the exact gradient on explicit draws against the
formula, then unbiasedness (z-scores against the analytic gradient, or
against Certigrad's estimator where no closed form exists) and the variance
reduction on three graphs, whose ratios they print.
"""

from __future__ import annotations

import numpy as np
import pytest

import certigrad as cg
from certigrad import _core
from certigrad.checked import Checker

N = 20_000  # samples per estimator
Z_MAX = 4.0


def _grads(g: cg.Graph, feeds: dict, estimator: str, param: str, n: int = N) -> np.ndarray:
    rt = cg.Runtime(g, estimator=estimator)
    return np.array([rt.run(feeds, seed=i).grads[param].ravel() for i in range(n)])


def _z(samples: np.ndarray, truth: np.ndarray) -> float:
    se = samples.std(0, ddof=1) / np.sqrt(len(samples))
    return float(np.max(np.abs(samples.mean(0) - truth) / se))


def _upstream_graph():
    """x ~ N(mu, s^2); costs sum(x x) (downstream of x) and sum(mu mu)
    (upstream: Certigrad multiplies x's score by it too)."""
    g = cg.Graph()
    mu, s = g.param("mu", (3,)), g.input("s", (3,))
    x = g.sample("x", cg.mvn(mu, s))
    g.cost(g.det("c", cg.sum(cg.mul(x, x))))
    g.cost(g.det("u", cg.sum(cg.mul(mu, mu))))
    feeds = {"mu": np.array([0.5, -1.0, 2.0]), "s": np.array([1.0, 0.5, 2.0])}
    return g, feeds, 4 * feeds["mu"]  # d/dmu of E[sum x^2] + sum mu^2 = 2 mu + 2 mu


def _shift_graph(baseline: bool):
    """x ~ N(mu, s^2); one cost sum(x x) + k with a large constant k; the
    baseline input b is fed the expected cost."""
    g = cg.Graph()
    mu, s, k = g.param("mu", (3,)), g.input("s", (3,)), g.input("k", ())
    b = g.input("b", ()) if baseline else None
    x = g.sample("x", cg.mvn(mu, s), baseline=b)
    g.cost(g.det("c", cg.add(cg.sum(cg.mul(x, x)), k)))
    mu0, s0 = np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.5, 2.0])
    feeds = {"mu": mu0, "s": s0, "k": np.array(100.0)}
    if baseline:
        feeds["b"] = np.array(100.0 + np.sum(mu0 ** 2 + s0 ** 2))
    return g, feeds, 2 * mu0


def _bernoulli_graph(baseline: bool):
    """A Bernoulli-likelihood model with score-function gradients: z ~ N(mu,
    sigma^2) (no reparameterization), p = sigmoid(W z), cost
    bernoulli_neglogpdf(p, x), plus an upstream penalty sum(mu mu) * 10."""
    g = cg.Graph()
    mu, W, x = g.param("mu", (2, 4)), g.param("W", (5, 2)), g.input("x", (5, 4))
    sigma = g.input("sigma", (2, 4))
    b = g.input("b", ()) if baseline else None
    z = g.sample("z", cg.mvn(mu, sigma), baseline=b)
    g.cost(g.det("nll", cg.bernoulli_neglogpdf(cg.sigmoid(cg.gemm(W, z)), x)))
    g.cost(g.det("pen", cg.scale(10.0, cg.sum(cg.mul(mu, mu)))))
    rng = np.random.default_rng(1)
    feeds = {"mu": rng.normal(size=(2, 4)), "W": rng.normal(size=(5, 2)),
             "x": (rng.random((5, 4)) < 0.5).astype(float), "sigma": np.full((2, 4), 0.7)}
    return g, feeds


def test_downstream_gradient_on_explicit_draws_is_the_formula():
    g, feeds, _ = _upstream_graph()
    x = np.array([0.3, -0.2, 1.5])
    mu, s = feeds["mu"], feeds["s"]
    score = (x - mu) / s ** 2  # d/dmu log N(x; mu, s^2)
    c, u = np.sum(x * x), np.sum(mu * mu)
    all_costs = cg.Runtime(g, estimator="certigrad").run(feeds, draws={"x": x}).grads["mu"]
    down = cg.Runtime(g).run(feeds, draws={"x": x}).grads["mu"]  # the default: downstream
    np.testing.assert_allclose(all_costs, score * (c + u) + 2 * mu, rtol=1e-13)
    np.testing.assert_allclose(down, score * c + 2 * mu, rtol=1e-13)


def test_baseline_is_subtracted_from_the_multiplier():
    g, feeds, _ = _shift_graph(baseline=True)
    x = np.array([0.3, -0.2, 1.5])
    mu, s = feeds["mu"], feeds["s"]
    m = np.sum(x * x) + 100.0 - float(feeds["b"])
    got = cg.Runtime(g, estimator="downstream").run(feeds, draws={"x": x}).grads["mu"]
    np.testing.assert_allclose(got, (x - mu) / s ** 2 * m, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", ["upstream", "shift"])
def test_unbiased_against_the_analytic_gradient_with_variance_ratio(case, capsys):
    g, feeds, truth = _upstream_graph() if case == "upstream" else _shift_graph(baseline=True)
    cert = _grads(g if case == "upstream" else _shift_graph(False)[0],
                  feeds if case == "upstream" else {k: v for k, v in feeds.items() if k != "b"},
                  "certigrad", "mu")
    down = _grads(g, feeds, "downstream", "mu")
    z_cert, z_down = _z(cert, truth), _z(down, truth)
    ratio = cert.var(0, ddof=1) / down.var(0, ddof=1)
    with capsys.disabled():
        print(f"\n{case}: max |z| certigrad {z_cert:.2f}, downstream {z_down:.2f}; "
              f"variance ratio certigrad/downstream per entry {np.round(ratio, 1)}")
    assert z_cert < Z_MAX and z_down < Z_MAX
    assert np.all(ratio > 1.2)
    if case == "shift":  # a constant 100 in the cost: the baseline removes it
        assert np.min(ratio) > 10


def test_bernoulli_model_downstream_and_baseline(capsys):
    g0, feeds = _bernoulli_graph(baseline=False)
    cert = _grads(g0, feeds, "certigrad", "mu")
    down = _grads(g0, feeds, "downstream", "mu")
    # the baseline: the mean nll under Certigrad's samples (a constant input)
    g1, _ = _bernoulli_graph(baseline=True)
    rt = cg.Runtime(g0, estimator="certigrad")
    nll = np.mean([rt.run(feeds, seed=10**6 + i, backprop=False).costs["nll"] for i in range(2000)])
    based = _grads(g1, {**feeds, "b": np.array(nll)}, "downstream", "mu")
    ref = cert.mean(0)
    for name, est in (("downstream", down), ("downstream+baseline", based)):
        se = np.sqrt(cert.var(0, ddof=1) / N + est.var(0, ddof=1) / N)
        z = np.max(np.abs(est.mean(0) - ref) / se)
        ratio = cert.var(0, ddof=1) / est.var(0, ddof=1)
        with capsys.disabled():
            print(f"\nbernoulli {name}: max |z| vs certigrad {z:.2f}; variance ratio "
                  f"min {ratio.min():.1f} median {np.median(ratio):.1f} max {ratio.max():.1f}")
        assert z < Z_MAX
        assert np.median(ratio) > 2


def test_bad_estimator_options_are_clear_errors():
    g, feeds, _ = _upstream_graph()
    with pytest.raises(cg.CertigradError, match="estimator must be one of"):
        cg.Runtime(g, estimator="pyro")
    h = cg.Graph()
    mu, v = h.param("mu", (2,)), h.input("v", (2,))
    with pytest.raises(cg.GraphError, match="node 'x': its baseline must be a scalar input"):
        h.sample("x", cg.mvn(mu, h.input("s", (2,))), baseline=v)
    gb, _, _ = _shift_graph(baseline=True)
    with pytest.raises(cg.CertigradError, match="node 'x': a baseline is used by estimator='downstream'"):
        cg.Runtime(gb, estimator="certigrad")
    assert cg.Runtime(gb).estimator == "downstream"  # the default


def _golden(name: str):
    from pathlib import Path
    from certigrad import interchange
    text = (Path(__file__).resolve().parents[1] / "extraction" / "test" / "estimator" / name).read_text()
    return interchange.load(text)


@pytest.mark.parametrize("graph,baselines", [
    ("upstream.graph", {}), ("upstream.graph", {"z": "b"}),
    ("chain.graph", {}), ("chain.graph", {"z1": "b1", "z2": "b2"}),
])
def test_runtime_and_oracle_agree_on_the_golden_graphs(graph, baselines):
    # the C++ kernel against the extracted BackpropEst.v (certigrad-ref --estimator downstream)
    g, feeds, draws = _golden(graph)
    g.baselines.update(baselines)
    fast = cg.Runtime(g, estimator="downstream").run(feeds, draws=draws)
    ref = cg.Runtime(g, backend="reference", estimator="downstream").run(feeds, draws=draws)
    assert fast.grads.keys() == ref.grads.keys()
    for p in fast.grads:
        np.testing.assert_array_equal(fast.grads[p], ref.grads[p])  # dyadic: exact


@pytest.mark.parametrize("make", ["upstream", "shift", "bernoulli"])
def test_runtime_and_oracle_agree_on_sampled_draws(make):
    if make == "upstream":
        g, feeds, _ = _upstream_graph()
    elif make == "shift":
        g, feeds, _ = _shift_graph(baseline=True)
    else:
        g, feeds = _bernoulli_graph(baseline=True)
        feeds = {**feeds, "b": np.array(3.0)}
    fast = cg.Runtime(g, estimator="downstream")
    ref = cg.Runtime(g, backend="reference", estimator="downstream")
    for seed in range(5):
        a, b = fast.run(feeds, seed=seed), ref.run(feeds, seed=seed)  # the same draws
        for p in a.grads:
            np.testing.assert_allclose(a.grads[p], b.grads[p], rtol=1e-12, atol=1e-12)


def _checked_cases():
    g0, feeds0, _ = _upstream_graph()
    g1, feeds1, _ = _shift_graph(baseline=True)
    g2, feeds2 = _bernoulli_graph(baseline=True)
    return [("upstream", g0, feeds0), ("shift", g1, feeds1),
            ("bernoulli", g2, {**feeds2, "b": np.array(3.0)})]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_checked_mode_with_downstream_and_baselines(dtype):
    # each graph has a cost upstream of its random node or a baseline, so the
    # oracle re-run must use the downstream estimator and the baselines to agree
    for name, g, feeds in _checked_cases():
        f = {k: np.asarray(v, dtype=dtype) for k, v in feeds.items()}
        rt = cg.Runtime(g, dtype=dtype, estimator="downstream", check_every=1)
        plain = cg.Runtime(g, dtype=dtype, estimator="downstream")
        for seed in range(4):
            a, b = rt.run(f, seed=seed), plain.run(f, seed=seed)
            for p in a.grads:
                np.testing.assert_array_equal(a.grads[p], b.grads[p])
        assert rt.check_stats.checks == 4 and rt.check_stats.max_ratio < 1, name


@pytest.mark.parametrize("name", ["upstream", "shift", "bernoulli"])
def test_checked_mode_rejects_the_other_estimators_gradient(name):
    # the check can fail: the downstream gradient is not Certigrad's estimate
    _, g, feeds = next(c for c in _checked_cases() if c[0] == name)
    res = cg.Runtime(g, estimator="downstream").run(feeds, seed=0, values=True)
    draws = {n: res.values[n] for n in g.rand_nodes}
    g.baselines.clear()  # Certigrad's estimator takes no baseline
    with pytest.raises(cg.VerificationError, match="grad entry"):
        Checker(g, 1, np.dtype("float64"), "certigrad").compare(
            feeds, draws, res.values, res.costs, res.total, res.grads)


@pytest.fixture
def planted():
    yield _core._test_plant_wrong_gradient
    _core._test_plant_wrong_gradient(None)


@pytest.mark.parametrize("dtype, delta", [("float64", 1e-9), ("float32", 1e-3)])
def test_checked_downstream_catches_a_planted_wrong_gradient(planted, dtype, delta):
    _, g, feeds = _checked_cases()[2]  # bernoulli: an upstream cost and a baseline
    f = {k: np.asarray(v, dtype=dtype) for k, v in feeds.items()}
    rt = cg.Runtime(g, dtype=dtype, estimator="downstream", check_every=2)
    rt.run(f, seed=0)  # call 1: checked, agrees
    planted("mu", 5, delta)
    rt.run(f, seed=1)  # call 2: not checked, goes through
    with pytest.raises(cg.VerificationError) as ei:
        rt.run(f, seed=2)  # call 3: checked
    e = ei.value
    assert (e.node, e.what, e.entry) == ("mu", "grad", 5)
    assert abs(e.runtime - e.oracle - delta) <= 1e-2 * delta + e.bound and e.bound < delta / 10
