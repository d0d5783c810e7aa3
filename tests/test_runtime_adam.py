"""Adam (Kingma & Ba 2015, Algorithm 1) in C++ against a numpy transcription;
state save/restore."""

from __future__ import annotations

import numpy as np
import pytest

import certigrad as cg


def model() -> cg.Graph:
    g = cg.Graph()
    x = g.input("x", (3, 5))
    W = g.param("W", (2, 3))
    b = g.param("b", (2, 5))
    g.cost(g.det("c", cg.sum(cg.softplus(W @ x + b))))
    return g


def grads(W, b, x):
    h = W @ x + b
    s = 1 / (1 + np.exp(-h))
    return {"W": s @ x.T, "b": s}


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 2e-5)])
def test_matches_numpy_adam(dtype: str, tol: float) -> None:
    rng = np.random.default_rng(0)
    P = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=(2, 5))}
    xs = [rng.normal(size=(3, 5)) for _ in range(5)]
    lr, b1, b2, eps, gs = 0.01, 0.8, 0.99, 1e-6, 0.25
    opt = cg.Adam(cg.Runtime(model(), dtype=dtype), {k: v.astype(dtype) for k, v in P.items()},
                  lr=lr, beta1=b1, beta2=b2, eps=eps)
    m = {k: np.zeros_like(v) for k, v in P.items()}
    v = {k: np.zeros_like(v) for k, v in P.items()}
    for t, x in enumerate(xs, 1):
        loss = opt.step({"x": x.astype(dtype)}, grad_scale=gs)
        assert loss == pytest.approx(np.sum(np.logaddexp(0, P["W"] @ x + P["b"])), rel=tol * 10)
        G = grads(P["W"], P["b"], x)
        for k in P:
            g = gs * G[k]
            m[k] = b1 * m[k] + (1 - b1) * g
            v[k] = b2 * v[k] + (1 - b2) * g * g
            P[k] = P[k] - lr * (m[k] / (1 - b1**t)) / (np.sqrt(v[k] / (1 - b2**t)) + eps)
    got = opt.params()
    for k in P:
        np.testing.assert_allclose(got[k], P[k], rtol=tol * 100, atol=tol * 10)
        assert got[k].dtype == np.dtype(dtype)


def test_state_dict_round_trip(tmp_path) -> None:
    rng = np.random.default_rng(1)
    P = {"W": rng.normal(size=(2, 3)), "b": rng.normal(size=(2, 5))}
    xs = [rng.normal(size=(3, 5)) for _ in range(4)]
    a = cg.Adam(cg.Runtime(model()), P)
    for x in xs[:2]:
        a.step({"x": x})
    sd = a.state_dict()
    assert set(sd) == {"param.W", "param.b", "m.W", "m.b", "v.W", "v.b", "step"}
    assert int(sd["step"]) == 2
    np.savez(tmp_path / "s.npz", **sd)
    b = cg.Adam(cg.Runtime(model()), {k: np.zeros_like(v) for k, v in P.items()})
    with np.load(tmp_path / "s.npz") as f:
        b.load_state_dict(dict(f))
    for x in xs[2:]:
        la, lb = a.step({"x": x}), b.step({"x": x})
        assert la == lb
    for k in P:
        np.testing.assert_array_equal(a.params()[k], b.params()[k])


def test_params_are_copies_and_step_does_not_touch_inputs() -> None:
    P = {"W": np.ones((2, 3)), "b": np.zeros((2, 5))}
    x = np.ones((3, 5))
    opt = cg.Adam(cg.Runtime(model()), P)
    p0 = opt.params()
    p0["W"][:] = 7
    opt.step({"x": x})
    assert np.all(P["W"] == 1) and np.all(x == 1)
    assert not np.any(opt.params()["W"] == 7)


def test_stochastic_step_uses_seed() -> None:
    g = cg.Graph()
    mu = g.param("mu", (4,))
    e = g.sample("e", cg.mvn_std((4,)))
    g.cost(g.det("c", cg.sum(cg.mul(cg.add(mu, e), cg.add(mu, e)))))
    runs = []
    for _ in range(2):
        opt = cg.Adam(cg.Runtime(g), {"mu": np.zeros(4)})
        runs.append([opt.step({}, seed=s) for s in (3, 4, 5)])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_then_apply_is_step(dtype: str) -> None:
    """``gradient`` writes the flat adjoint (W then b, row-major) into a
    preallocated buffer; ``apply`` of it is bit for bit ``step``; ``apply`` of
    K rows adds them in row order before the update."""
    rng = np.random.default_rng(3)
    P = {"W": rng.normal(size=(2, 3)).astype(dtype), "b": rng.normal(size=(2, 5)).astype(dtype)}
    xs = [rng.normal(size=(3, 5)).astype(dtype) for _ in range(3)]
    a, b, c = (cg.Adam(cg.Runtime(model(), dtype=dtype, threads=2), P) for _ in range(3))
    assert a.flat_size == 16
    G = np.zeros((2, 16), dtype)
    for x in xs:
        before = b.params()
        loss = b.gradient({"x": x}, G[0])
        G64 = grads(before["W"].astype(np.float64), before["b"].astype(np.float64), x.astype(np.float64))
        np.testing.assert_allclose(G[0], np.concatenate([G64["W"].ravel(), G64["b"].ravel()]),
                                   rtol=1e-5 if dtype == "float32" else 1e-12)
        assert loss == a.step({"x": x}, grad_scale=0.5)
        b.apply(G[0], grad_scale=0.5)
        G[1] = G[0]
        c.apply(G, grad_scale=0.25)  # 0.25 * (g + g) == 0.5 * g exactly
    for k in P:
        np.testing.assert_array_equal(a.params()[k], b.params()[k])
    with pytest.raises(cg.FeedError, match=r"gradient buffer out has shape \(3,\), expected \(16,\)"):
        b.gradient({"x": xs[0]}, np.zeros(3, dtype))
    frozen = np.zeros(16, dtype)
    frozen.flags.writeable = False
    with pytest.raises(cg.FeedError, match="read-only"):
        b.gradient({"x": xs[0]}, frozen)
    with pytest.raises(cg.FeedError, match="gradients has dtype"):
        b.apply(np.zeros(16, "float32" if dtype == "float64" else "float64"))
