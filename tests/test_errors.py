"""Every bad input raises the documented exception with a message naming the
reference (and, for domain errors, the entry and value)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import certigrad as cg
from certigrad import _core


def raises(exc, msg):
    return pytest.raises(exc, match="^" + re.escape(msg))


def test_hierarchy() -> None:
    for e in (cg.GraphError, cg.DomainError, cg.FeedError, cg.FormatError):
        assert issubclass(e, cg.CertigradError)
    assert issubclass(cg.CertigradError, ValueError)


# ---------------------------------------------------------------- graph (DSL)
def test_shape_mismatch() -> None:
    g = cg.Graph()
    a = g.input("a", (2, 3))
    b = g.input("b", (3, 2))
    with raises(cg.GraphError, "node 'y': add: parent shapes differ ([2; 3] vs [3; 2])"):
        g.det("y", a + b)
    assert "y" not in g and not g.nodes  # nothing half-added


def test_gemm_inner_dimensions() -> None:
    g = cg.Graph()
    W = g.param("W", (2, 3))
    x = g.input("x", (4, 4))
    with raises(cg.GraphError, "node 'h': gemm: inner dimensions differ (3 vs 4)"):
        g.det("h", W @ x)


def test_gemm_needs_matrices() -> None:
    g = cg.Graph()
    v = g.input("v", (3,))
    W = g.param("W", (3, 3))
    with raises(cg.GraphError, "node 'h': gemm: parents must be matrices, got [3; 3] and [3]"):
        g.det("h", W @ v)


def test_nested_expression_error_names_the_fresh_node() -> None:
    g = cg.Graph()
    a = g.input("a", (2,))
    b = g.input("b", (3,))
    with raises(cg.GraphError, "node 'c.0': mul: parent shapes differ ([2] vs [3])"):
        g.det("c", cg.sum(a * b))


def test_duplicate_names() -> None:
    g = cg.Graph()
    x = g.input("x", (2,))
    with raises(cg.GraphError, "node 'x': duplicate name"):
        g.param("x", (2,))
    with raises(cg.GraphError, "node 'x': duplicate name"):
        g.det("x", cg.exp(x))


@pytest.mark.parametrize("name", ["", "1x", "a b", "a-b", "é"])
def test_invalid_names(name: str) -> None:
    with raises(cg.GraphError, f"node '{name}': invalid name"):
        cg.Graph().input(name, (2,))


@pytest.mark.parametrize("shape", [(0,), (2, -1), (1, 2, 3), (2.5,)])
def test_bad_shapes(shape) -> None:
    with raises(cg.GraphError, "node 'x': a shape has at most 2 positive dimensions"):
        cg.Graph().input("x", shape)


def test_non_scalar_cost() -> None:
    g = cg.Graph()
    x = g.input("x", (2, 4))
    with raises(cg.GraphError, "node 'x': a cost must be a scalar, has shape [2; 4]"):
        g.cost(x)


def test_unknown_and_duplicate_cost() -> None:
    g = cg.Graph()
    c = g.input("c", ())
    with raises(cg.GraphError, "node 'q': unknown cost"):
        g.cost("q")
    g.cost(c)
    with raises(cg.GraphError, "node 'c': duplicate cost"):
        g.cost(c)


def test_random_vs_deterministic_operators() -> None:
    g = cg.Graph()
    m = g.input("m", (2,))
    with raises(cg.GraphError, "node 'z': 'mvn' is a random operator (use Graph.sample)"):
        g.det("z", cg.mvn(m, m))
    with raises(cg.GraphError, "node 'z': 'exp' is a deterministic operator (use Graph.det)"):
        g.sample("z", cg.exp(m))


def test_reference_from_another_graph() -> None:
    g1, g2 = cg.Graph(), cg.Graph()
    a = g1.input("a", (2,))
    g2.input("a", (2,))
    with raises(cg.GraphError, "node 'y': reference 'a' belongs to another graph"):
        g2.det("y", cg.exp(a))


def test_det_of_a_bare_reference() -> None:
    g = cg.Graph()
    a = g.input("a", (2,))
    with raises(cg.GraphError, "node 'y': expected an operator expression, got the reference 'a'"):
        g.det("y", a)


def test_scale_needs_a_number_and_finite_attribute() -> None:
    g = cg.Graph()
    a = g.input("a", (2,))
    with raises(cg.GraphError, "scale: the factor must be a number"):
        cg.scale("2", a)
    with raises(cg.GraphError, "node 'y': scale: attribute must be finite"):
        g.det("y", cg.scale(float("inf"), a))


# ------------------------------------------------- C++ checker (spec level)
def spec(nodes, inputs=(("x", [2], False),), costs=()):
    return (list(inputs), list(nodes), list(costs))


@pytest.mark.parametrize("nodes,msg", [
    ([("y", False, "exp", 0.0, ["q"], [2])],
     "node 'y': unknown parent 'q' (parents must be defined before the node)"),
    ([("y", False, "exp", 0.0, ["y"], [2])], "node 'y': node is its own parent (cycle)"),
    ([("a", False, "exp", 0.0, ["b"], [2]), ("b", False, "exp", 0.0, ["a"], [2])],
     "node 'a': unknown parent 'b' (parents must be defined before the node)"),
    ([("y", False, "gemmm", 0.0, ["x"], [2])], "node 'y': unknown operator 'gemmm'"),
    ([("y", False, "add", 0.0, ["x"], [2])], "node 'y': add takes 2 parent(s), got 1"),
    ([("y", False, "exp", 0.0, ["x"], [3])],
     "node 'y': declared shape [3] differs from the shape [2] computed by exp"),
    ([("y", False, "mvn_std", 0.0, [], [2])], "node 'y': 'mvn_std' is a random operator"),
    ([("x", False, "exp", 0.0, ["x"], [2])], "node 'x': duplicate name"),
])
def test_cpp_checker(nodes, msg) -> None:
    with raises(cg.GraphError, msg):
        _core.check(spec(nodes))


def test_cpp_checker_costs() -> None:
    with raises(cg.GraphError, "node 'x': a cost must be a scalar, has shape [2]"):
        _core.check(spec([], costs=["x"]))
    with raises(cg.GraphError, "node 'q': unknown cost"):
        _core.check(spec([], costs=["q"]))


def test_runtime_rechecks_a_tampered_graph() -> None:
    g = cg.Graph()
    x = g.input("x", (2,))
    g.det("y", cg.exp(x))
    g.nodes[0] = type(g.nodes[0])("y", False, "exp", 0.0, ("zz",), (2,))
    with raises(cg.GraphError, "node 'y': unknown parent 'zz'"):
        cg.Runtime(g)


# ------------------------------------------------------------------ domain
def one_op(op, *shapes, dtype="float64"):
    g = cg.Graph()
    ins = [g.input(f"a{i}", s) for i, s in enumerate(shapes)]
    y = g.det("l", getattr(cg, op)(*ins))
    if y.shape != ():
        y = g.det("c", cg.sum(y))
    g.cost(y)
    return cg.Runtime(g, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_log_of_non_positive(dtype) -> None:
    rt = one_op("log", (4,), dtype=dtype)
    with raises(cg.DomainError, "node 'l': log: entry 2 is -0.5, outside the domain (must be > 0)"):
        rt.run({"a0": np.array([1, 2, -0.5, 0], dtype=dtype)})
    with raises(cg.DomainError, "node 'l': log: entry 0 is 0, outside the domain (must be > 0)"):
        rt.run({"a0": np.array([0, 2, 1, 1], dtype=dtype)})


def test_sqrt_of_zero() -> None:
    with raises(cg.DomainError, "node 'l': sqrt: entry 1 is 0, outside the domain (must be > 0)"):
        one_op("sqrt", (2,)).run({"a0": np.array([1.0, 0.0])})


def test_div_by_zero() -> None:
    with raises(cg.DomainError, "node 'l': div: entry 3 of y is -0, outside the domain (must be != 0)"):
        one_op("div", (2, 2), (2, 2)).run({"a0": np.ones((2, 2)),
                                           "a1": np.array([[1.0, 2.0], [3.0, -0.0]])})


def test_mvn_kl_sigma_not_positive() -> None:
    with raises(cg.DomainError,
                "node 'l': mvn_kl: entry 1 of sigma is -1, outside the domain (must be > 0)"):
        one_op("mvn_kl", (2,), (2,)).run({"a0": np.zeros(2), "a1": np.array([1.0, -1.0])})


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_mvn_empirical_kl_sigma_not_positive(dtype) -> None:
    rt = one_op("mvn_empirical_kl", (2, 2), (2, 2), (2, 2), dtype=dtype)
    ok = {"a0": np.zeros((2, 2), dtype), "a2": np.ones((2, 2), dtype)}
    with raises(cg.DomainError, "node 'l': mvn_empirical_kl: entry 2 of sigma is -0.5, outside "
                                "the domain (must be > 0)"):
        rt.run({**ok, "a1": np.array([[1, 2], [-0.5, 0]], dtype)})
    with raises(cg.DomainError, "node 'l': mvn_empirical_kl: entry 3 of sigma is -0, outside "
                                "the domain (must be > 0)"):
        rt.run({**ok, "a1": np.array([[1, 2], [3, -0.0]], dtype)})
    # mu and z are unrestricted
    rt.run({"a0": np.full((2, 2), -1e3, dtype), "a1": np.ones((2, 2), dtype),
            "a2": np.full((2, 2), 1e3, dtype)})


def test_mvn_empirical_kl_shapes() -> None:
    g = cg.Graph()
    m, s, z = g.input("m", (2,)), g.input("s", (2,)), g.input("z", (3,))
    with raises(cg.GraphError, "node 'l': mvn_empirical_kl: parent shapes differ ([2] vs [3])"):
        g.det("l", cg.mvn_empirical_kl(m, s, z))
    with raises(cg.GraphError, "node 'l': mvn_empirical_kl takes 3 parent(s), got 2"):
        g.det("l", cg.Expr("mvn_empirical_kl", (m, s)))
    assert g.det("l", cg.mvn_empirical_kl(m, s, m)).shape == ()
    with raises(cg.GraphError, "node 'y': mvn_empirical_kl: parent shapes differ ([2] vs [3])"):
        _core.check(spec([("y", False, "mvn_empirical_kl", 0.0, ["x", "x", "w"], [])],
                         inputs=(("x", [2], False), ("w", [3], False))))
    with raises(cg.GraphError, "node 'y': declared shape [2] differs from the shape [] computed "
                               "by mvn_empirical_kl"):
        _core.check(spec([("y", False, "mvn_empirical_kl", 0.0, ["x", "x", "x"], [2])]))


def test_bernoulli_p_outside_unit_interval() -> None:
    rt = one_op("bernoulli_neglogpdf", (3,), (3,))
    with raises(cg.DomainError, "node 'l': bernoulli_neglogpdf: entry 2 of p is 1, outside the "
                                "domain (must be 0 < p < 1)"):
        rt.run({"a0": np.array([0.5, 0.2, 1.0]), "a1": np.zeros(3)})


def test_bernoulli_p_rounding_to_one_in_float32_without_logits() -> None:
    g = cg.Graph()
    z = g.input("z", (2,))
    x = g.input("x", (2,))
    p = g.det("p", cg.exp(cg.neg(cg.exp(cg.neg(z)))))  # exp(-exp(-z)) -> 1 for large z
    g.cost(g.det("l", cg.bernoulli_neglogpdf(p, x)))
    rt = cg.Runtime(g, dtype="float32")
    with raises(cg.DomainError, "node 'l': bernoulli_neglogpdf: entry 1 of p is 1"):
        rt.run({"z": np.array([0.0, 30.0], np.float32), "x": np.zeros(2, np.float32)})


@pytest.mark.parametrize("how", ["seed", "draws"])
def test_mvn_sigma_not_positive(how) -> None:
    g = cg.Graph()
    m = g.input("m", (2,))
    s = g.input("s", (2,))
    z = g.sample("z", cg.mvn(m, s))
    g.cost(g.det("c", cg.sum(z)))
    kw = {"seed": 1} if how == "seed" else {"draws": {"z": np.zeros(2)}}
    with raises(cg.DomainError, "node 'z': mvn: entry 0 of sigma is 0, outside the domain (must be > 0)"):
        cg.Runtime(g).run({"m": np.zeros(2), "s": np.array([0.0, 1.0])}, **kw)


def test_nan_inside_the_graph() -> None:
    g = cg.Graph()
    x = g.input("x", (1,))
    big = g.det("big", cg.exp(x))          # inf
    g.cost(g.det("c", cg.sum(cg.log(big - big))))  # log(nan)
    with raises(cg.NumericalError, "node 'big': exp: entry 0 of the value is inf"):
        cg.Runtime(g).run({"x": np.array([1000.0])})
    with raises(cg.DomainError, "node 'c.1': log: entry 0 is nan, outside the domain"):
        cg.Runtime(g, nonfinite="warn").run({"x": np.array([1000.0])})


# ------------------------------------------------------------------- feeds
def feed_rt(dtype="float64"):
    g = cg.Graph()
    x = g.input("x", (3, 4))
    W = g.param("W", (2, 3))
    g.cost(g.det("c", cg.sum(W @ x)))
    return cg.Runtime(g, dtype=dtype)


def good(dtype="float64"):
    return {"x": np.ones((3, 4), dtype), "W": np.ones((2, 3), dtype)}


def test_missing_feed() -> None:
    with raises(cg.FeedError, "node 'W': missing feed"):
        feed_rt().run({"x": np.ones((3, 4))})


def test_unknown_feed() -> None:
    with raises(cg.FeedError, "node 'q': unknown feed (not an input of the graph)"):
        feed_rt().run({**good(), "q": np.ones(2)})


def test_feed_for_a_node() -> None:
    with raises(cg.FeedError, "node 'c.0': feed for a node; only inputs and params are fed"):
        feed_rt().run({**good(), "c.0": np.ones((2, 4))})


def test_wrong_shape() -> None:
    with raises(cg.FeedError, "node 'x': feed has shape (4, 3), expected (3, 4)"):
        feed_rt().run({**good(), "x": np.ones((4, 3))})
    with raises(cg.FeedError, "node 'x': feed has shape (12,), expected (3, 4)"):
        feed_rt().run({**good(), "x": np.ones(12)})


@pytest.mark.parametrize("dtype,given", [("float64", np.float32), ("float32", np.float64),
                                         ("float64", np.int64)])
def test_wrong_dtype(dtype, given) -> None:
    f = good(dtype)
    f["x"] = f["x"].astype(given)
    with raises(cg.FeedError, f"node 'x': feed has dtype {np.dtype(given).name}, expected {dtype}"):
        feed_rt(dtype).run(f)


@pytest.mark.parametrize("make", [lambda: np.asfortranarray(np.ones((3, 4))),
                                  lambda: np.ones((3, 8))[:, ::2],
                                  lambda: np.ones((4, 3)).T])
def test_wrong_layout(make) -> None:
    with raises(cg.FeedError, "node 'x': feed is not C-contiguous (row-major)"):
        feed_rt().run({**good(), "x": make()})


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_feed(bad) -> None:
    f = good()
    f["x"][1, 2] = bad
    with raises(cg.FeedError, f"node 'x': feed entry 6 is {bad}"):
        feed_rt().run(f)


def test_non_numeric_feed() -> None:
    with raises(cg.FeedError, "node 'x': feed value is not numeric"):
        feed_rt().run({**good(), "x": [["a"] * 4] * 3})


def test_feeds_not_a_dict() -> None:
    with raises(cg.FeedError, "feed must be a dict"):
        feed_rt().run([1, 2])  # type: ignore[arg-type]


def draw_rt():
    g = cg.Graph()
    m = g.input("m", (2,))
    z = g.sample("z", cg.mvn(m, g.det("s", cg.exp(m))))
    e = g.sample("e", cg.mvn_std((2,)))
    g.cost(g.det("c", cg.sum(z + e)))
    return cg.Runtime(g)


def test_missing_draw() -> None:
    with raises(cg.FeedError, "node 'e': missing draw"):
        draw_rt().run({"m": np.zeros(2)}, draws={"z": np.zeros(2)})


def test_draw_for_a_non_rand_node() -> None:
    with raises(cg.FeedError, "node 's': draw for something that is not a rand node"):
        draw_rt().run({"m": np.zeros(2)}, draws={"z": np.zeros(2), "e": np.zeros(2),
                                                  "s": np.zeros(2)})


def test_bad_draw_shape_and_value() -> None:
    with raises(cg.FeedError, "node 'e': draw has shape (3,), expected (2,)"):
        draw_rt().run({"m": np.zeros(2)}, draws={"z": np.zeros(2), "e": np.zeros(3)})
    with raises(cg.FeedError, "node 'e': draw entry 1 is nan"):
        draw_rt().run({"m": np.zeros(2)}, draws={"z": np.zeros(2), "e": np.array([0, np.nan])})


def test_seed_and_draws_together_or_bad_seed() -> None:
    with raises(cg.FeedError, "give either seed= or draws=, not both"):
        draw_rt().run({"m": np.zeros(2)}, seed=1, draws={"z": np.zeros(2), "e": np.zeros(2)})
    with raises(cg.FeedError, "seed must be an integer in [0, 2**64)"):
        draw_rt().run({"m": np.zeros(2)}, seed=-1)
    with raises(cg.FeedError, "seed must be an int"):
        draw_rt().run({"m": np.zeros(2)}, seed=1.5)  # type: ignore[arg-type]


def test_runtime_arguments() -> None:
    g = cg.Graph()
    with raises(cg.CertigradError, "dtype must be 'float32' or 'float64', got 'float16'"):
        cg.Runtime(g, dtype="float16")
    with raises(cg.CertigradError, "threads must be an int between 1 and 256, got 0"):
        cg.Runtime(g, threads=0)


# ------------------------------------------------------------------- Adam
def test_adam_errors() -> None:
    rt = feed_rt()
    with raises(cg.FeedError, "node 'W': missing parameter value"):
        cg.Adam(rt, {})
    with raises(cg.FeedError, "node 'x': not a parameter of the graph"):
        cg.Adam(rt, {"W": np.ones((2, 3)), "x": np.ones((3, 4))})
    with raises(cg.FeedError, "node 'W': parameter has shape (3, 2), expected (2, 3)"):
        cg.Adam(rt, {"W": np.ones((3, 2))})
    with raises(cg.CertigradError, "Adam: bad lr=0"):
        cg.Adam(rt, {"W": np.ones((2, 3))}, lr=0)
    with raises(cg.CertigradError, "Adam: bad beta1=1.0"):
        cg.Adam(rt, {"W": np.ones((2, 3))}, beta1=1.0)
    opt = cg.Adam(rt, {"W": np.ones((2, 3))})
    with raises(cg.FeedError, "node 'W': feed for a parameter held by the optimizer"):
        opt.step({"x": np.ones((3, 4)), "W": np.ones((2, 3))})
    with raises(cg.FeedError, "node 'x': missing feed"):
        opt.step({})
    with raises(cg.FeedError, "state: missing 'step'"):
        opt.load_state_dict({})
    with raises(cg.FeedError, "state: unexpected key 'foo'"):
        opt.load_state_dict({"step": 1, "foo": 1})
