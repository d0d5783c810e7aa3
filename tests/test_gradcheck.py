"""Per-operator gradients in float64: the runtime's backprop against (1) the
pullbacks of docs/semantics.md written out in numpy and (2) central finite
differences of the total cost. Fan-out (a node used twice, shared nodes) is
covered, and the score-function term of ``mvn``."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import certigrad as cg
from harness.references import reference, value_kinds
from harness.table import TABLE

R = np.random.default_rng(7)
SHAPE = (3, 4)


def _vals(kind: str, shape=SHAPE) -> np.ndarray:
    if kind == "pos":
        return R.uniform(0.5, 2.0, shape)
    if kind == "unit":
        return R.uniform(0.1, 0.9, shape)
    if kind == "nonzero":
        return R.uniform(0.5, 2.0, shape) * R.choice([-1.0, 1.0], shape)
    return R.uniform(-2.0, 2.0, shape)


def fd_grads(g: cg.Graph, feeds: dict[str, np.ndarray], h: float = 1e-6) -> dict[str, np.ndarray]:
    """Central finite differences of the total cost w.r.t. each param."""
    rt = cg.Runtime(g, dtype="float64")
    out = {}
    for p in g.params:
        grad = np.zeros_like(feeds[p])
        for idx in np.ndindex(feeds[p].shape):
            f = {k: v.copy() for k, v in feeds.items()}
            step = h * max(1.0, abs(f[p][idx]))
            f[p][idx] += step
            up = rt.run(f, backprop=False).total
            f[p][idx] -= 2 * step
            down = rt.run(f, backprop=False).total
            grad[idx] = (up - down) / (2 * step)
        out[p] = grad
    return out


def sigm(x):
    return 1 / (1 + np.exp(-x))


# op -> (kind of each parent's values, numpy pullbacks -> one per parent), from the
# operator table and the registry of test references (tests/harness/references.py):
# elementwise operators with one parent (g, v, x), with several (g, v, *parents),
# reductions to a scalar (g, *parents). scale and gemm have tests of their own below.
def _pullbacks(op: str, with_value: bool) -> Callable:
    pull = reference(op).pullbacks
    return (lambda g, v, *xs: pull(None, g, v, *xs)) if with_value else \
        (lambda g, *xs: pull(None, g, None, *xs))


_SAME = [n for n, r in TABLE.items()
         if r.kind == "det" and r.shape_rule == "same" and not r.has_attribute]
UNARY: dict[str, tuple[str, Callable]] = {
    op: (value_kinds(op)[0], _pullbacks(op, True)) for op in _SAME if TABLE[op].arity == 1}
BINARY: dict[str, tuple[tuple[str, ...], Callable]] = {
    op: (value_kinds(op), _pullbacks(op, True)) for op in _SAME if TABLE[op].arity > 1}
REDUCE: dict[str, tuple[tuple[str, ...], Callable]] = {
    op: (value_kinds(op), _pullbacks(op, False)) for op, r in TABLE.items()
    if r.kind == "det" and r.shape_rule in ("scalar", "same_to_scalar")}


def elementwise_case(op: str, kinds: tuple[str, ...]):
    g = cg.Graph()
    ps = [g.param(f"p{i}", SHAPE) for i in range(len(kinds))]
    w = g.input("w", SHAPE)
    fn = getattr(cg, op)
    y = g.det("y", fn(*ps))
    g.cost(g.det("c", cg.sum(cg.mul(y, w))))
    feeds = {f"p{i}": _vals(k) for i, k in enumerate(kinds)}
    feeds["w"] = _vals("any")
    return g, feeds


@pytest.mark.parametrize("op", sorted(UNARY))
def test_unary(op: str) -> None:
    dom, pull = UNARY[op]
    g, feeds = elementwise_case(op, (dom,))
    res = cg.Runtime(g).run(feeds, values=True)
    expect = pull(feeds["w"], res.values["y"], feeds["p0"])
    np.testing.assert_allclose(res.grads["p0"], expect[0], rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(res.grads["p0"], fd_grads(g, feeds)["p0"], rtol=1e-6, atol=1e-8)


def test_scale() -> None:
    g = cg.Graph()
    x = g.param("x", SHAPE)
    w = g.input("w", SHAPE)
    g.cost(g.det("c", cg.sum(cg.mul(g.det("y", cg.scale(-2.5, x)), w))))
    feeds = {"x": _vals("any"), "w": _vals("any")}
    res = cg.Runtime(g).run(feeds, values=True)
    np.testing.assert_allclose(res.values["y"], -2.5 * feeds["x"], rtol=1e-15)
    (expect,) = reference("scale").pullbacks(-2.5, feeds["w"], None, feeds["x"])  # -2.5 w
    np.testing.assert_allclose(res.grads["x"], expect, rtol=1e-15)
    np.testing.assert_allclose(res.grads["x"], fd_grads(g, feeds)["x"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op", sorted(BINARY))
def test_binary(op: str) -> None:
    kinds, pull = BINARY[op]
    g, feeds = elementwise_case(op, kinds)
    res = cg.Runtime(g).run(feeds, values=True)
    parents = [feeds[f"p{i}"] for i in range(len(kinds))]
    expect = pull(feeds["w"], res.values["y"], *parents)
    fd = fd_grads(g, feeds)
    for i in range(len(kinds)):
        np.testing.assert_allclose(res.grads[f"p{i}"], expect[i], rtol=1e-13, atol=1e-14)
        np.testing.assert_allclose(res.grads[f"p{i}"], fd[f"p{i}"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("op", sorted(REDUCE))
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_reductions(op: str, shape: tuple[int, ...]) -> None:
    kinds, pull = REDUCE[op]
    g = cg.Graph()
    ps = [g.param(f"p{i}", shape) for i in range(len(kinds))]
    y = g.det("y", getattr(cg, op)(*ps))
    g.cost(g.det("c", cg.scale(1.7, y)))
    feeds = {f"p{i}": _vals(k, shape) for i, k in enumerate(kinds)}
    res = cg.Runtime(g).run(feeds)
    expect = pull(1.7, *[feeds[f"p{i}"] for i in range(len(kinds))])
    fd = fd_grads(g, feeds)
    for i in range(len(kinds)):
        np.testing.assert_allclose(res.grads[f"p{i}"], expect[i], rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(res.grads[f"p{i}"], fd[f"p{i}"], rtol=1e-6, atol=1e-7)


def test_reduction_values() -> None:
    g = cg.Graph()
    mu = g.input("mu", (2, 3))
    s = g.input("s", (2, 3))
    p = g.input("p", (2, 3))
    x = g.input("x", (2, 3))
    g.cost(g.det("kl", cg.mvn_kl(mu, s)))
    g.cost(g.det("nl", cg.bernoulli_neglogpdf(p, x)))
    g.cost(g.det("sm", cg.sum(mu)))
    g.cost(g.det("ek", cg.mvn_empirical_kl(mu, s, x)))
    f = {"mu": _vals("any", (2, 3)), "s": _vals("pos", (2, 3)), "p": _vals("unit", (2, 3)),
         "x": _vals("unit", (2, 3))}
    res = cg.Runtime(g).run(f)
    kl = np.sum((f["mu"] ** 2 + f["s"] ** 2 - 1) / 2 - np.log(f["s"]))
    M, S, X = f["mu"], f["s"], f["x"]
    ek = np.sum((-(X - M) ** 2 / (2 * S**2) - np.log(S) - 0.5 * np.log(2 * np.pi))
                - (-X**2 / 2 - 0.5 * np.log(2 * np.pi)))
    assert res.costs["ek"] == pytest.approx(ek, rel=1e-13)
    nl = -np.sum(f["x"] * np.log(f["p"]) + (1 - f["x"]) * np.log(1 - f["p"]))
    assert res.costs["kl"] == pytest.approx(kl, rel=1e-13)
    assert res.costs["nl"] == pytest.approx(nl, rel=1e-13)
    assert res.costs["sm"] == pytest.approx(np.sum(f["mu"]), rel=1e-13)
    assert res.total == pytest.approx(kl + nl + np.sum(f["mu"]) + ek, rel=1e-13)


def test_gemm() -> None:
    g = cg.Graph()
    A = g.param("A", (3, 5))
    B = g.param("B", (5, 2))
    w = g.input("w", (3, 2))
    g.cost(g.det("c", cg.sum(cg.mul(g.det("y", A @ B), w))))
    f = {"A": _vals("any", (3, 5)), "B": _vals("any", (5, 2)), "w": _vals("any", (3, 2))}
    res = cg.Runtime(g).run(f, values=True)
    np.testing.assert_allclose(res.values["y"], f["A"] @ f["B"], rtol=1e-13)
    dA, dB = reference("gemm").pullbacks(None, f["w"], None, f["A"], f["B"])  # w B^T, A^T w
    np.testing.assert_allclose(res.grads["A"], dA, rtol=1e-13)
    np.testing.assert_allclose(res.grads["B"], dB, rtol=1e-13)
    fd = fd_grads(g, f)
    np.testing.assert_allclose(res.grads["A"], fd["A"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.grads["B"], fd["B"], rtol=1e-6, atol=1e-8)


FANOUT = {
    "mul_xx": lambda g, x: cg.mul(x, x),
    "add_xx": lambda g, x: cg.add(x, x),
    "sub_xx": lambda g, x: cg.sub(x, x),
    "div_xx": lambda g, x: cg.div(x, x),
    "mul_add_xxx": lambda g, x: cg.mul_add(x, x, x),
    "gemm_xx": lambda g, x: cg.gemm(x, x),
    "shared_node": lambda g, x: (lambda h: h * h + h)(g.det("h", cg.exp(x))),
    "diamond": lambda g, x: (lambda h: cg.log(cg.sigmoid(h)) * cg.softplus(h) - h)(g.det("h", x * 0.7)),
}


@pytest.mark.parametrize("case", sorted(FANOUT))
def test_fanout(case: str) -> None:
    g = cg.Graph()
    x = g.param("x", (3, 3))
    w = g.input("w", (3, 3))
    y = g.det("y", FANOUT[case](g, x))
    g.cost(g.det("c", cg.sum(cg.mul(y, w))))
    f = {"x": _vals("pos", (3, 3)), "w": _vals("any", (3, 3))}
    res = cg.Runtime(g).run(f)
    np.testing.assert_allclose(res.grads["x"], fd_grads(g, f)["x"], rtol=1e-6, atol=1e-7)
    X, W = f["x"], f["w"]
    if case == "mul_xx":
        np.testing.assert_allclose(res.grads["x"], 2 * X * W, rtol=1e-14)
    if case == "gemm_xx":  # d/dX sum(W * X X) = W X^T + X^T W
        np.testing.assert_allclose(res.grads["x"], W @ X.T + X.T @ W, rtol=1e-13)


def test_cost_used_as_parent_and_param_as_cost() -> None:
    g = cg.Graph()
    a = g.param("a", ())
    b = g.param("b", (2,))
    c1 = g.det("c1", cg.sum(cg.mul(b, b)))
    g.cost(c1)
    g.cost(g.det("c2", cg.scale(3.0, c1)))
    g.cost(a)
    res = cg.Runtime(g).run({"a": np.array(0.5), "b": np.array([1.0, -2.0])})
    assert res.total == pytest.approx(5 + 15 + 0.5)
    assert res.grads["a"] == pytest.approx(1.0)
    np.testing.assert_allclose(res.grads["b"], 4 * 2 * np.array([1.0, -2.0]))


def test_param_reaching_no_cost_gets_zero_gradient() -> None:
    g = cg.Graph()
    a = g.param("a", (2,))
    b = g.param("b", (2,))
    g.det("unused", cg.exp(b))
    g.cost(g.det("c", cg.sum(a)))
    res = cg.Runtime(g).run({"a": np.ones(2), "b": np.ones(2)})
    np.testing.assert_array_equal(res.grads["b"], [0.0, 0.0])
    np.testing.assert_array_equal(res.grads["a"], [1.0, 1.0])


@pytest.mark.parametrize("other_use", [False, True])
def test_bernoulli_of_sigmoid(other_use: bool) -> None:
    """p = sigmoid(z): logit form, fused pullback when p has no other use."""
    g = cg.Graph()
    z = g.param("z", SHAPE)
    x = g.param("x", SHAPE)
    p = g.det("p", cg.sigmoid(z))
    g.cost(g.det("nl", cg.bernoulli_neglogpdf(p, x)))
    if other_use:
        g.cost(g.det("c2", cg.sum(cg.mul(p, p))))
    f = {"z": _vals("any"), "x": _vals("unit")}
    res = cg.Runtime(g).run(f)
    P, X, Z = sigm(f["z"]), f["x"], f["z"]
    expect_z = P - X + (2 * P * P * (1 - P) if other_use else 0)
    np.testing.assert_allclose(res.grads["z"], expect_z, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(res.grads["x"], -Z, rtol=1e-12, atol=1e-14)
    fd = fd_grads(g, f)
    np.testing.assert_allclose(res.grads["z"], fd["z"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.grads["x"], fd["x"], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli_of_saturated_sigmoid_is_finite(dtype: str) -> None:
    """p rounds to exactly 1 (or 0): the logit form gives the exact values."""
    g = cg.Graph()
    z = g.param("z", (4,))
    x = g.input("x", (4,))
    g.cost(g.det("nl", cg.bernoulli_neglogpdf(g.det("p", cg.sigmoid(z)), x)))
    Z = np.array([60.0, -60.0, 60.0, -800.0], dtype=dtype)
    X = np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype)
    res = cg.Runtime(g, dtype=dtype).run({"z": Z, "x": X}, values=True)
    assert res.values["p"][0] == 1.0
    # -ln p = softplus(-z), -ln(1-p) = softplus(z)
    expect = np.log1p(np.exp(-60.0)) * 2 + 60.0 + 800.0
    assert res.total == pytest.approx(expect, rel=1e-6)
    np.testing.assert_allclose(res.grads["z"], [0.0, 0.0, 1.0, -1.0], atol=1e-6)


@pytest.mark.parametrize("estimator", ["certigrad", "downstream"])
def test_mvn_score_term(estimator: str) -> None:
    """adj[mu] += M (x-mu)/sigma^2, adj[sigma] += M ((x-mu)^2 - sigma^2)/sigma^3,
    M the total C (Certigrad's estimator) or the cost below z (downstream:
    kl does not depend on z); the adjoint of the sample does not flow to its
    parents."""
    g = cg.Graph()
    mu = g.param("mu", (4,))
    s = g.param("s", (4,))
    z = g.sample("z", cg.mvn(mu, s))
    g.cost(g.det("c", cg.sum(cg.mul(z, z))))
    g.cost(g.det("kl", cg.mvn_kl(mu, s)))
    f = {"mu": _vals("any", (4,)), "s": _vals("pos", (4,))}
    x = _vals("any", (4,))
    res = cg.Runtime(g, estimator=estimator).run(f, draws={"z": x})
    M, S = f["mu"], f["s"]
    C = np.sum(x * x) + np.sum((M * M + S * S - 1) / 2 - np.log(S))
    assert res.total == pytest.approx(C, rel=1e-14)
    K = C if estimator == "certigrad" else np.sum(x * x)
    np.testing.assert_allclose(res.grads["mu"], K * (x - M) / S**2 + M, rtol=1e-13)
    np.testing.assert_allclose(res.grads["s"], K * ((x - M) ** 2 - S**2) / S**3 + S - 1 / S,
                               rtol=1e-13)


def test_mvn_estimator_is_unbiased() -> None:
    """Mean of the estimator over seeded draws ~ d/dmu E[sum z^2] = 2 mu,
    d/dsigma = 2 sigma (a deterministic check: fixed seeds)."""
    g = cg.Graph()
    mu = g.param("mu", (2,))
    s = g.param("s", (2,))
    z = g.sample("z", cg.mvn(mu, s))
    g.cost(g.det("c", cg.sum(cg.mul(z, z))))
    rt = cg.Runtime(g)
    f = {"mu": np.array([0.5, -0.3]), "s": np.array([0.8, 1.2])}
    n = 20000
    gm = np.empty((n, 2))
    gs = np.empty((n, 2))
    for i in range(n):
        r = rt.run(f, seed=i)
        gm[i] = r.grads["mu"]
        gs[i] = r.grads["s"]
    for got, want in ((gm, 2 * f["mu"]), (gs, 2 * f["s"])):
        se = got.std(axis=0) / np.sqrt(n)
        assert np.all(np.abs(got.mean(axis=0) - want) < 4 * se), (got.mean(axis=0), want, se)


def test_mvn_std_reparameterized() -> None:
    g = cg.Graph()
    mu = g.param("mu", (3,))
    s = g.param("s", (3,))
    e = g.sample("e", cg.mvn_std((3,)))
    z = g.det("z", cg.mul_add(s, e, mu))
    g.cost(g.det("c", cg.sum(cg.mul(z, z))))
    f = {"mu": _vals("any", (3,)), "s": _vals("pos", (3,))}
    E = _vals("any", (3,))
    res = cg.Runtime(g).run(f, draws={"e": E}, values=True)
    Z = f["s"] * E + f["mu"]
    np.testing.assert_allclose(res.values["e"], E)
    np.testing.assert_allclose(res.grads["mu"], 2 * Z, rtol=1e-14)
    np.testing.assert_allclose(res.grads["s"], 2 * Z * E, rtol=1e-14)


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-13), ("float32", 2e-5)])
def test_mvn_empirical_kl_reparameterized(dtype: str, rtol: float) -> None:
    """z = sigma*e + mu feeds mvn_empirical_kl(mu, sigma, z): d = e, so the
    value is sum (z^2 - e^2)/2 - ln sigma and the total derivatives (through
    z and directly) are z to mu and z*e - 1/sigma to sigma. 35 entries: SIMD
    packets and a tail in both dtypes."""
    shape = (5, 7)
    g = cg.Graph()
    mu = g.param("mu", shape)
    s = g.param("s", shape)
    e = g.sample("e", cg.mvn_std(shape))
    z = g.det("z", cg.mul_add(s, e, mu))
    g.cost(g.det("ek", cg.mvn_empirical_kl(mu, s, z)))
    f = {"mu": _vals("any", shape), "s": _vals("pos", shape)}
    E = _vals("any", shape)
    res = cg.Runtime(g, dtype=dtype).run({k: v.astype(dtype) for k, v in f.items()},
                                         draws={"e": E.astype(dtype)})
    M, S = (f[k].astype(dtype).astype(np.float64) for k in ("mu", "s"))
    E = E.astype(dtype).astype(np.float64)
    Z = S * E + M
    assert res.total == pytest.approx(np.sum((Z * Z - E * E) / 2 - np.log(S)), rel=rtol,
                                      abs=rtol * np.sum(np.abs(Z * Z) + np.abs(np.log(S))))
    np.testing.assert_allclose(res.grads["mu"], Z, rtol=rtol * 10, atol=rtol * 10)
    np.testing.assert_allclose(res.grads["s"], Z * E - 1 / S, rtol=rtol * 10,
                               atol=rtol * 10 * np.max(np.abs(Z * E) + 1 / S))


@pytest.mark.parametrize("shape", [(), (9,), (5, 7)])
def test_mvn_empirical_kl_float32_matches_float64(shape: tuple[int, ...]) -> None:
    """The float32 kernels (forward and the three pullbacks) against float64
    on the same (float32-representable) inputs."""
    g = cg.Graph()
    ps = [g.param(n, shape) for n in ("mu", "s", "z")]
    w = g.input("w", ())
    g.cost(g.det("c", cg.mul(w, g.det("ek", cg.mvn_empirical_kl(*ps)))))
    f = {"mu": _vals("any", shape), "s": _vals("pos", shape), "z": _vals("any", shape),
         "w": np.array(-1.3)}
    f = {k: v.astype(np.float32) for k, v in f.items()}
    r32 = cg.Runtime(g, dtype="float32").run(f)
    r64 = cg.Runtime(g, dtype="float64").run({k: v.astype(np.float64) for k, v in f.items()})
    M, S, Z = (f[k].astype(np.float64) for k in ("mu", "s", "z"))
    scale = np.sum(Z * Z + ((Z - M) / S) ** 2) / 2 + np.sum(np.abs(np.log(S)))
    assert abs(r32.total - r64.total) <= 1e-6 * 1.3 * scale
    for p in ("mu", "s", "z"):
        np.testing.assert_allclose(r32.grads[p], r64.grads[p], rtol=1e-5,
                                   atol=1e-5 * np.max(np.abs(r64.grads[p])))


@pytest.mark.parametrize("path", ["pathwise", "score"])
def test_mvn_empirical_kl_estimates_mvn_kl(path: str) -> None:
    """Over z ~ N(mu, sigma^2), mvn_empirical_kl(mu, sigma, z) has mean
    mvn_kl(mu, sigma) and its gradient estimator has mean grad mvn_kl =
    (mu, sigma - 1/sigma): pathwise with z = mul_add(sigma, e, mu), or by the
    score term with z = mvn(mu, sigma) (the direct partials then have mean 0).
    Fixed seeds; |mean - analytic| < 4 SE per entry."""
    g = cg.Graph()
    mu = g.param("mu", (2,))
    s = g.param("s", (2,))
    if path == "pathwise":
        z = g.det("z", cg.mul_add(s, g.sample("e", cg.mvn_std((2,))), mu))
    else:
        z = g.sample("z", cg.mvn(mu, s))
    g.cost(g.det("ek", cg.mvn_empirical_kl(mu, s, z)))
    rt = cg.Runtime(g)
    f = {"mu": np.array([0.5, -0.3]), "s": np.array([0.8, 1.2])}
    M, S = f["mu"], f["s"]
    n = 20000
    val = np.empty(n)
    gm = np.empty((n, 2))
    gs = np.empty((n, 2))
    for i in range(n):
        r = rt.run(f, seed=1000 + i)
        val[i], gm[i], gs[i] = r.total, r.grads["mu"], r.grads["s"]
    kl = np.sum((M * M + S * S - 1) / 2 - np.log(S))
    for got, want in ((val[:, None], np.array([kl])), (gm, M), (gs, S - 1 / S)):
        se = got.std(axis=0) / np.sqrt(n)
        assert np.all(np.abs(got.mean(axis=0) - want) < 4 * se), (got.mean(axis=0), want, se)
