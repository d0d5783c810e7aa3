"""The blocked gemm (cpp/gemm.hpp) on shapes that exercise its edges: rows
and columns not multiples of the register tile, several k blocks, both
transposes (the pullbacks), accumulation into an adjoint that already has a
contribution, and the split over threads."""

from __future__ import annotations

import numpy as np
import pytest

import certigrad as cg
from certigrad.rounding import model_run


@pytest.mark.parametrize("dtype,rtol", [("float64", 1e-12), ("float32", 2e-4)])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (13, 7, 33), (100, 600, 70), (37, 1100, 129),
                                   (300, 50, 20), (5, 700, 300)])
def test_gemm_and_its_pullbacks(dtype, rtol, threads, m, k, n) -> None:
    rng = np.random.default_rng(m * 1000 + k + n)
    g = cg.Graph()
    A = g.param("A", (m, k))
    B = g.param("B", (k, n))
    W = g.input("W", (m, n))
    V = g.input("V", (m, k))
    y = g.det("y", A @ B)
    # A gets two contributions: through y (gemm) and through mul(A, V)
    g.cost(g.det("c", cg.sum(cg.mul(y, W)) + cg.sum(cg.mul(A, V))))
    f = {"A": rng.normal(size=(m, k)), "B": rng.normal(size=(k, n)), "W": rng.normal(size=(m, n)),
         "V": rng.normal(size=(m, k))}
    f = {kk: v.astype(dtype) for kk, v in f.items()}
    res = cg.Runtime(g, dtype=dtype, threads=threads).run(f, values=True)
    F = {kk: v.astype(np.float64) for kk, v in f.items()}
    scale = np.sqrt(k)
    np.testing.assert_allclose(res.values["y"], F["A"] @ F["B"], rtol=rtol, atol=rtol * scale)
    np.testing.assert_allclose(res.grads["A"], F["W"] @ F["B"].T + F["V"], rtol=rtol,
                               atol=rtol * np.sqrt(n) * 4)
    np.testing.assert_allclose(res.grads["B"], F["A"].T @ F["W"], rtol=rtol,
                               atol=rtol * np.sqrt(m) * 4)


@pytest.mark.parametrize("threads", [1, 2])
def test_square_fanout_large(threads) -> None:
    rng = np.random.default_rng(5)
    g = cg.Graph()
    X = g.param("X", (150, 150))
    W = g.input("W", (150, 150))
    g.cost(g.det("c", cg.sum(cg.mul(X @ X, W))))
    f = {"X": rng.normal(size=(150, 150)), "W": rng.normal(size=(150, 150))}
    res = cg.Runtime(g, threads=threads).run(f)
    np.testing.assert_allclose(res.grads["X"], f["W"] @ f["X"].T + f["X"].T @ f["W"], rtol=1e-11,
                               atol=1e-10)


def test_threads_give_the_same_result_up_to_rounding() -> None:
    rng = np.random.default_rng(9)
    g = cg.Graph()
    A = g.param("A", (200, 300))
    B = g.input("B", (300, 90))
    g.cost(g.det("c", cg.sum(cg.softplus(A @ B))))
    f = {"A": rng.normal(size=(200, 300)) * 0.1, "B": rng.normal(size=(300, 90))}
    r1 = cg.Runtime(g, threads=1).run(f)
    r2 = cg.Runtime(g, threads=2).run(f)
    # each within the rounding bound E of the exact result (certigrad.rounding):
    # a relative tolerance fails on the entries that come out of cancellation
    nodes = [(n.name, n.random, n.op, n.attr, n.parents) for n in g.nodes]
    E = model_run(nodes, g.costs, g.params, f, {})
    assert np.all(np.abs(r1.grads["A"] - r2.grads["A"]) <= 2 * E["grads"]["A"].e)
    np.testing.assert_allclose(r1.grads["A"], r2.grads["A"], rtol=1e-10, atol=1e-12)
    assert abs(r1.total - r2.total) <= 2 * E["total"].e


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("zero_fraction", [0.6, 0.95])
def test_sparse_fed_input_gives_the_dense_bits(dtype, threads, zero_fraction) -> None:
    """A fed input that is mostly zeros takes the zero-skipping gemm path
    (W x and its pullback g x^T); a parameter never does. Both must give
    bit-identical values and gradients."""
    rng = np.random.default_rng(7)
    m, k, n = 40, 300, 70
    x = rng.normal(size=(k, n)) * (rng.random((k, n)) > zero_fraction)
    x[:37, :] = 0.0  # whole zero rows, as in MNIST's borders
    feeds = {"W": rng.normal(size=(m, k)).astype(dtype), "x": x.astype(dtype),
             "T": rng.normal(size=(m, n)).astype(dtype)}

    def run(x_is_param: bool):
        g = cg.Graph()
        W = g.param("W", (m, k))
        xr = g.param("x", (k, n)) if x_is_param else g.input("x", (k, n))
        T = g.input("T", (m, n))
        g.cost(g.det("c", cg.sum(cg.mul(cg.softplus(W @ xr), T))))
        return cg.Runtime(g, dtype=dtype, threads=threads).run(feeds, values=True)

    sparse, dense = run(False), run(True)
    np.testing.assert_array_equal(sparse.values["c"], dense.values["c"])
    np.testing.assert_array_equal(sparse.grads["W"], dense.grads["W"])
    F = {kk: v.astype(np.float64) for kk, v in feeds.items()}
    h = F["W"] @ F["x"]
    sig = 1.0 / (1.0 + np.exp(-h))
    rtol = 1e-12 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(sparse.grads["W"], (sig * F["T"]) @ F["x"].T, rtol=rtol,
                               atol=rtol * np.sqrt(n) * 4)
