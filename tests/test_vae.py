"""The AEVB graph: its costs against a NumPy transcription of the formulas,
its gradients against finite differences (float64), one Adam step against
the textbook update, and a tiny training run whose loss goes down."""

from pathlib import Path

import numpy as np
import pytest

import certigrad as cg
from certigrad import mnist
from certigrad.vae import (
    PARAM_NAMES,
    VaeConfig,
    build_decoder_graph,
    build_graph,
    init_params,
    param_shapes,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "mnist"


@pytest.fixture(scope="module")
def images():
    d = mnist.load_mnist(DATA)
    return mnist.flatten_images(d.train_images[:100], "float64")


def softplus(x):
    return np.logaddexp(0.0, x)


def reference_costs(P, x, eps):
    """The model, written out in NumPy from the issue's formulas."""
    h = softplus(P["W_enc2"] @ softplus(P["W_enc1"] @ x))
    mu = P["W_mu"] @ h
    sigma = np.sqrt(np.exp(P["W_logsigma2"] @ h))
    z = sigma * eps + mu
    p = 1 / (1 + np.exp(-(P["W_p"] @ softplus(P["W_dec2"] @ softplus(P["W_dec1"] @ z)))))
    kl = np.sum((mu**2 + sigma**2 - 1) / 2 - np.log(sigma))
    nll = -np.sum(x * np.log(p) + (1 - x) * np.log(1 - p))
    return kl, nll, p


def test_param_shapes_default():
    s = param_shapes(VaeConfig())
    assert s == {
        "W_enc1": (1000, 784), "W_enc2": (1000, 1000), "W_mu": (30, 1000),
        "W_logsigma2": (30, 1000), "W_dec1": (1000, 30), "W_dec2": (1000, 1000), "W_p": (784, 1000),
    }
    assert tuple(s) == PARAM_NAMES


def test_glorot_init_seeded_and_bounded():
    cfg = VaeConfig(hidden=20, latent=5, batch_size=10)
    a = init_params(cfg, np.random.default_rng(7))
    b = init_params(cfg, np.random.default_rng(7), dtype="float64")
    c = init_params(cfg, np.random.default_rng(8))
    for name, (fan_out, fan_in) in param_shapes(cfg).items():
        limit = np.sqrt(6 / (fan_in + fan_out))
        assert a[name].dtype == np.float32 and a[name].shape == (fan_out, fan_in)
        assert a[name].flags.c_contiguous
        assert np.abs(b[name]).max() <= limit
        assert np.abs(b[name]).max() > 0.8 * limit  # uses the range
        np.testing.assert_array_equal(a[name], b[name].astype(np.float32))
        assert not np.array_equal(a[name], c[name])
    n = init_params(VaeConfig(), np.random.default_rng(0), init="normal")
    assert abs(n["W_enc2"].std() - 1 / np.sqrt(1000)) < 1e-3


def test_costs_match_numpy_reference(images):
    cfg = VaeConfig(hidden=20, latent=5, batch_size=10)
    rng = np.random.default_rng(0)
    P = init_params(cfg, rng, "float64")
    x = np.ascontiguousarray(images[:10].T)
    eps = rng.standard_normal((5, 10))
    rt = cg.Runtime(build_graph(cfg), dtype="float64", threads=1)
    res = rt.run({"x": x, **P}, draws={"eps": eps}, values=True)
    kl, nll, p = reference_costs(P, x, eps)
    assert res.costs["kl"] == pytest.approx(kl, rel=1e-10)
    assert res.costs["nll"] == pytest.approx(nll, rel=1e-10)
    assert res.total == pytest.approx(kl + nll, rel=1e-10)
    np.testing.assert_allclose(res.values["p"], p, rtol=1e-10)
    assert set(res.grads) == set(PARAM_NAMES)
    for name in PARAM_NAMES:
        assert res.grads[name].shape == P[name].shape


def test_gradients_match_finite_differences(images):
    """float64, noise fixed through draws=: the graph is then deterministic
    and backprop must give its gradient."""
    cfg = VaeConfig(hidden=6, latent=3, batch_size=4)
    rng = np.random.default_rng(1)
    P = init_params(cfg, rng, "float64")
    x = np.ascontiguousarray(images[:4].T)
    eps = rng.standard_normal((3, 4))
    rt = cg.Runtime(build_graph(cfg), dtype="float64", threads=1)

    def total(Q):
        return rt.run({"x": x, **Q}, draws={"eps": eps}).total

    grads = rt.run({"x": x, **P}, draws={"eps": eps}).grads
    h = 1e-6
    for name in PARAM_NAMES:
        flat = rng.choice(P[name].size, size=4, replace=False)
        for k in flat:
            idx = np.unravel_index(k, P[name].shape)
            Qp = {n: v.copy() for n, v in P.items()}
            Qm = {n: v.copy() for n, v in P.items()}
            Qp[name][idx] += h
            Qm[name][idx] -= h
            fd = (total(Qp) - total(Qm)) / (2 * h)
            assert grads[name][idx] == pytest.approx(fd, rel=1e-5, abs=1e-6), (name, idx)


def test_noise_depends_on_seed_only(images):
    cfg = VaeConfig(hidden=8, latent=3, batch_size=5)
    P = init_params(cfg, np.random.default_rng(2), "float64")
    rt = cg.Runtime(build_graph(cfg), dtype="float64", threads=1)
    feeds = {"x": np.ascontiguousarray(images[:5].T), **P}
    a, b, c = (rt.run(feeds, seed=s).total for s in (3, 3, 4))
    assert a == b and a != c


def test_adam_step_is_textbook_adam(images):
    """One cg.Adam step (grad_scale 1/bs) against the update written out here,
    from the gradient of a run with the same seed."""
    cfg = VaeConfig(hidden=8, latent=3, batch_size=5)
    P = init_params(cfg, np.random.default_rng(3), "float64")
    rt = cg.Runtime(build_graph(cfg), dtype="float64", threads=1)
    x = np.ascontiguousarray(images[:5].T)
    res = rt.run({"x": x, **P}, seed=11)
    opt = cg.Adam(rt, P, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
    loss = opt.step({"x": x}, seed=11, grad_scale=1 / 5)
    assert loss == pytest.approx(res.total, rel=1e-12)
    new = opt.params()
    for name in PARAM_NAMES:
        g = res.grads[name] / 5
        m = 0.1 * g
        v = 0.001 * g * g
        expect = P[name] - 1e-3 * (m / 0.1) / (np.sqrt(v / 0.001) + 1e-8)
        np.testing.assert_allclose(new[name], expect, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tiny_training_decreases_loss(images, dtype):
    cfg = VaeConfig(hidden=20, latent=5, batch_size=10)
    rng = np.random.default_rng(0)
    X = images.astype(dtype)
    rt = cg.Runtime(build_graph(cfg), dtype=dtype, threads=1)
    opt = cg.Adam(rt, init_params(cfg, rng, dtype), lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
    losses = []
    for epoch in range(4):
        perm = rng.permutation(100)
        for i in range(10):
            xb = np.ascontiguousarray(X[perm[i * 10 : (i + 1) * 10]].T)
            losses.append(opt.step({"x": xb}, seed=int(rng.integers(2**31 - 1)), grad_scale=0.1) / 10)
    assert all(np.isfinite(losses))
    assert np.mean(losses[-10:]) < np.mean(losses[:10]) - 50  # ~528 -> ~346 nats/example here


def test_decoder_graph_shares_decoder_weights(images):
    cfg = VaeConfig(hidden=8, latent=3, batch_size=5)
    P = init_params(cfg, np.random.default_rng(4), "float64")
    rt = cg.Runtime(build_graph(cfg), dtype="float64", threads=1)
    eps = np.random.default_rng(5).standard_normal((3, 5))
    full = rt.run({"x": np.ascontiguousarray(images[:5].T), **P}, draws={"eps": eps}, values=True)
    dec = cg.Runtime(build_decoder_graph(cfg, 5), dtype="float64", threads=1)
    feeds = {k: P[k] for k in ("W_dec1", "W_dec2", "W_p")}
    feeds["z"] = np.ascontiguousarray(full.values["z"])
    p = dec.run(feeds, seed=0, values=True).values["p"]
    np.testing.assert_allclose(p, full.values["p"], rtol=1e-12)
