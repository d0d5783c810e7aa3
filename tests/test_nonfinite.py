"""Non-finite results are errors (docs/semantics.md, "Non-finite results"):
a node value, the total cost or a gradient that is inf or nan raises
NumericalError naming the node and the entry, in the runtime and in the
oracle alike (the same message); ``nonfinite="warn"`` makes it a warning."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import certigrad as cg
from certigrad import interchange
from harness import oracle


def both(g: cg.Graph, feeds: dict, draws: dict | None = None) -> str:
    """The NumericalError message of the runtime, checked equal to the
    oracle's error line on the same graph text, and to the reference
    backend's NumericalError."""
    text = interchange.dump(g, feeds, draws)
    with pytest.raises(cg.NumericalError) as e:
        cg.Runtime(g).run(feeds, draws=draws)
    msg = str(e.value)
    with pytest.raises(oracle.OracleError, match="^certigrad-ref: " + re.escape(msg) + "$"):
        oracle.run(text)
    with pytest.raises(cg.NumericalError, match="^" + re.escape(msg) + "$"):  # the same, installed
        cg.Runtime(g, backend="reference").run(feeds, draws=draws)
    return msg


def test_exp_overflow() -> None:
    g = cg.Graph()
    x = g.param("x", (3,))
    g.cost(g.det("c", cg.sum(cg.exp(x))))
    assert both(g, {"x": np.array([1.0, 2.0, 1000.0])}) == \
        "node 'c.0': exp: entry 2 of the value is inf (non-finite result)"


def test_exp_minus_exp() -> None:
    """exp(a) - exp(a) was nan silently: the error is at the first inf."""
    g = cg.Graph()
    a = g.input("a", (2,))
    e = g.det("e", cg.exp(a))
    g.cost(g.det("c", cg.sum(e - e)))
    assert both(g, {"a": np.array([710.0, 0.0])}) == \
        "node 'e': exp: entry 0 of the value is inf (non-finite result)"


def test_sum_overflow_of_finite_entries() -> None:
    g = cg.Graph()
    x = g.input("x", (2,))
    g.cost(g.det("c", cg.sum(x)))
    assert both(g, {"x": np.array([1.7e308, 1.7e308])}) == \
        "node 'c': sum: entry 0 of the value is inf (non-finite result)"


def test_total_cost_overflow() -> None:
    g = cg.Graph()
    a = g.input("a", ())
    b = g.input("b", ())
    g.cost(g.det("c1", 1e308 * a))
    g.cost(g.det("c2", 1e308 * b))
    assert both(g, {"a": np.array(1.0), "b": np.array(1.5)}) == \
        "node 'c2': the total cost is inf after adding this cost (non-finite result)"


def test_gradient_overflow() -> None:
    g = cg.Graph()
    x = g.param("x", (2,))
    g.cost(g.det("c", cg.sum(cg.log(x))))
    assert both(g, {"x": np.array([1.0, 1e-310])}) == \
        "node 'x': entry 1 of the gradient is inf (non-finite result)"


def test_mvn_tiny_sigma() -> None:
    """sigma = 1e-300: the score term (x - mu)/sigma^2 overflows."""
    g = cg.Graph()
    mu = g.param("mu", (1,))
    s = g.param("s", (1,))
    z = g.sample("z", cg.mvn(mu, s))
    g.cost(g.det("c", cg.sum(z)))
    assert both(g, {"mu": np.zeros(1), "s": np.array([1e-300])}, {"z": np.array([1e-10])}) == \
        "node 'mu': entry 0 of the gradient is inf (non-finite result)"


def test_non_finite_before_a_domain_error() -> None:
    """Both sides stop at the first bad node in graph order."""
    g = cg.Graph()
    x = g.input("x", (2,))
    e = g.det("e", cg.exp(x))
    g.det("l", cg.log(x))
    g.cost(g.det("c", cg.sum(e)))
    assert both(g, {"x": np.array([1000.0, -1.0])}) == \
        "node 'e': exp: entry 0 of the value is inf (non-finite result)"


def test_inf_times_zero() -> None:
    g2 = cg.Graph()
    a = g2.input("a", (1,))
    big = g2.det("big", cg.exp(a))
    g2.cost(g2.det("c", cg.sum(big * cg.exp(-a))))
    assert both(g2, {"a": np.array([800.0])}) == \
        "node 'big': exp: entry 0 of the value is inf (non-finite result)"


def test_float32_overflow() -> None:
    g = cg.Graph()
    x = g.param("x", (2,))
    g.cost(g.det("c", cg.sum(cg.exp(x))))
    with pytest.raises(cg.NumericalError, match=re.escape(
            "node 'c.0': exp: entry 1 of the value is inf (non-finite result)")):
        cg.Runtime(g, dtype="float32").run({"x": np.array([1.0, 100.0], np.float32)})


def test_large_arrays_on_threads() -> None:
    """The check's vectorized, threaded pass finds the entry in any chunk."""
    n = 1 << 17
    g = cg.Graph()
    x = g.input("x", (n,))
    g.cost(g.det("c", cg.sum(cg.exp(x))))
    for i in (0, 3, n // 2 + 5, n - 1):
        v = np.zeros(n)
        v[i] = 1000.0
        with pytest.raises(cg.NumericalError, match=f"entry {i} of the value is inf"):
            cg.Runtime(g, threads=4).run({"x": v})


def test_warn_mode_returns_the_values() -> None:
    g = cg.Graph()
    x = g.param("x", (2,))
    g.cost(g.det("c", cg.sum(cg.exp(x))))
    rt = cg.Runtime(g, nonfinite="warn")
    with pytest.warns(cg.NumericalWarning, match=re.escape(
            "node 'c.0': exp: entry 1 of the value is inf (non-finite result)")):
        res = rt.run({"x": np.array([0.0, 1000.0])})
    assert res.total == np.inf and res.grads["x"][0] == 1.0 and res.grads["x"][1] == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert rt.run({"x": np.array([0.0, 0.0])}).total == 2.0  # no warning left over
    with pytest.raises(cg.CertigradError, match="nonfinite must be 'raise' or 'warn'"):
        cg.Runtime(g, nonfinite="ignore")


def test_adam_stops_before_the_update() -> None:
    g = cg.Graph()
    w = g.param("w", (2,))
    x = g.input("x", (2,))
    g.cost(g.det("c", cg.sum(cg.exp(w * x))))
    opt = cg.Adam(cg.Runtime(g), {"w": np.ones(2)})
    opt.step({"x": np.ones(2)})
    before = opt.state_dict()
    with pytest.raises(cg.NumericalError, match="node 'c.1': exp: entry 1 of the value is inf"):
        opt.step({"x": np.array([1.0, 800.0])})
    after = opt.state_dict()
    for k in before:
        np.testing.assert_array_equal(before[k], after[k])
    warn = cg.Adam(cg.Runtime(g, nonfinite="warn"), {"w": np.ones(2)})
    with pytest.warns(cg.NumericalWarning):
        warn.step({"x": np.array([1.0, 800.0])})
    assert np.isnan(warn.params()["w"][1])
