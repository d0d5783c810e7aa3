"""End-to-end checks of the Runtime on small graphs with hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

import certigrad as cg


def small_graph() -> cg.Graph:
    g = cg.Graph()
    x = g.input("x", (3, 4))
    W = g.param("W", (2, 3))
    h = g.det("h", cg.gemm(W, x))
    s = g.det("s", cg.softplus(h))
    g.det("c", cg.sum(cg.mul(s, s)))
    g.cost("c")
    return g


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 1e-5)])
def test_forward_backward_matches_numpy(dtype: str, tol: float) -> None:
    g = small_graph()
    X = np.linspace(-1, 1, 12).reshape(3, 4)
    Wv = np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]])
    rt = cg.Runtime(g, dtype=dtype)
    res = rt.run({"x": X.astype(dtype), "W": Wv.astype(dtype)}, values=True)
    h = Wv @ X
    s = np.log1p(np.exp(h))
    assert res.total == pytest.approx(np.sum(s * s), rel=tol)
    assert res.costs == {"c": pytest.approx(np.sum(s * s), rel=tol)}
    # d/dW sum softplus(WX)^2 = (2 s sigmoid(h)) X^T
    expect = (2 * s / (1 + np.exp(-h))) @ X.T
    np.testing.assert_allclose(res.grads["W"], expect, rtol=tol * 10, atol=tol)
    np.testing.assert_allclose(res.values["h"], h, rtol=tol, atol=tol)
    assert res.grads["W"].dtype == np.dtype(dtype)
    assert res.grads["W"].shape == (2, 3)


def test_nested_expressions_get_fresh_names() -> None:
    g = small_graph()
    assert [n.name for n in g.nodes] == ["h", "s", "c.0", "c"]
    assert g.ref("c.0").shape == (2, 4)
    assert g.ref("c").shape == ()


def test_ref_operators() -> None:
    g = cg.Graph()
    a = g.param("a", (2, 2))
    b = g.input("b", (2, 2))
    g.det("y", cg.sum(-(a @ b) + a * b - a / b + 2.0 * a))
    g.cost("y")
    ops = [n.op for n in g.nodes]
    assert ops == ["gemm", "neg", "mul", "add", "div", "sub", "scale", "add", "sum"]
    A = np.array([[1.0, 2.0], [3.0, 4.0]])
    B = np.array([[0.5, -1.0], [2.0, 1.5]])
    res = cg.Runtime(g).run({"a": A, "b": B})
    assert res.total == pytest.approx(np.sum(-(A @ B) + A * B - A / B + 2.0 * A))
    expect = -np.ones((2, 2)) @ B.T + B - 1 / B + 2.0
    np.testing.assert_allclose(res.grads["a"], expect, rtol=1e-12)


def test_python_threads_share_a_runtime() -> None:
    import threading

    g = cg.Graph()
    x = g.input("x", (200, 200))
    W = g.param("W", (200, 200))
    g.cost(g.det("c", cg.sum(cg.softplus(W @ x))))
    rt = cg.Runtime(g, dtype="float64", threads=2)
    rng = np.random.default_rng(0)
    feeds = [{"x": rng.normal(size=(200, 200)), "W": rng.normal(size=(200, 200)) * 0.05}
             for _ in range(4)]
    expect = [rt.run(f).grads["W"] for f in feeds]
    errors: list[str] = []

    def work(i: int) -> None:
        for _ in range(5):
            got = rt.run(feeds[i]).grads["W"]
            if not np.array_equal(got, expect[i]):
                errors.append(f"thread {i}: wrong gradient")

    ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []


def test_forward_only_and_values() -> None:
    g = small_graph()
    rt = cg.Runtime(g)
    f = {"x": np.ones((3, 4)), "W": np.ones((2, 3))}
    res = rt.run(f, backprop=False)
    assert res.grads == {} and res.values is None
    assert res.total == pytest.approx(8 * np.log1p(np.exp(3.0)) ** 2)
