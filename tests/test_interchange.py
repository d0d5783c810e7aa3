"""The interchange format (docs/format.md): round trips, the documented
example, results, and syntax errors reported with their line."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import certigrad as cg
from harness.strategies import GenGraph, graphs

EXAMPLE = """certigrad-graph 1
input  x : 3 4                 # a given value, not differentiated
param  W : 2 3                 # a given value, a target of backprop
det    h : 2 4 = gemm W x      # name : dims = op [attribute] parents...
det    s : 2 4 = scale 0.5 h   # only `scale` has an attribute (a number)
det    c :     = sum s         # no dims: a scalar
rand   e : 2 4 = mvn_std
rand   z : 2 4 = mvn h e2
cost   c
value  x 1 2 3 4 5 6 7 8 9 10 11 12   # row-major, prod(dims) numbers
value  W 0.1 0.2 0.3 0.4 0.5 0.6
draw   e 0.1 -0.3 0.2 0.5 -1 2 0 0.25
draw   z 1 2 3 4 5 6 7 8
end
"""


def example() -> str:
    # the doc's mvn takes h and s; s must be positive here, so sigma = exp(h)/...
    return EXAMPLE.replace("rand   z : 2 4 = mvn h e2", "det    sp : 2 4 = softplus s\n"
                           "rand   z : 2 4 = mvn h sp")


def test_documented_example_loads_and_runs() -> None:
    g, feeds, draws = cg.interchange.load(example())
    assert [i.name for i in g.inputs] == ["x", "W"]
    assert g.params == ["W"]
    assert [(n.name, n.op, n.parents, n.shape) for n in g.nodes] == [
        ("h", "gemm", ("W", "x"), (2, 4)), ("s", "scale", ("h",), (2, 4)), ("c", "sum", ("s",), ()),
        ("e", "mvn_std", (), (2, 4)), ("sp", "softplus", ("s",), (2, 4)), ("z", "mvn", ("h", "sp"), (2, 4))]
    assert g.nodes[1].attr == 0.5
    np.testing.assert_array_equal(feeds["x"], np.arange(1, 13).reshape(3, 4))
    assert draws["e"].shape == (2, 4)
    res = cg.Runtime(g).run(feeds, draws=draws, values=True)
    h = feeds["W"] @ feeds["x"]
    assert res.total == pytest.approx(0.5 * h.sum())
    np.testing.assert_array_equal(res.values["z"], draws["z"])


def test_round_trip_is_exact() -> None:
    g, feeds, draws = cg.interchange.load(example())
    feeds = {k: v + np.pi / 7 for k, v in feeds.items()}  # non-short decimals
    text = cg.interchange.dump(g, feeds, draws)
    g2, feeds2, draws2 = cg.interchange.load(text)
    assert g2.spec() == g.spec()
    for k in feeds:
        np.testing.assert_array_equal(feeds2[k], feeds[k])
    for k in draws:
        np.testing.assert_array_equal(draws2[k], draws[k])
    assert cg.interchange.dump(g2, feeds2, draws2) == text


@settings(max_examples=100, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(graphs())
def test_generated_graphs_round_trip(gg: GenGraph) -> None:
    text = gg.to_text()
    g, feeds, draws = cg.interchange.load(text)
    out = cg.interchange.dump(g, feeds, draws)
    # the same graph lines; the numbers in the shortest round-trip form
    # rather than the harness's %.17g, read back as the very float64s
    graph_lines = cg.interchange.dump_graph(g).splitlines()[:-1]
    assert out.splitlines()[:len(graph_lines)] == text.replace("  ", " ").splitlines()[:len(graph_lines)]
    g2, feeds2, draws2 = cg.interchange.load(out)
    assert g2.spec() == g.spec()
    for k, v in gg.values.items():
        np.testing.assert_array_equal(feeds[k], v)
        assert feeds2[k].tobytes() == np.asarray(v, dtype=np.float64).tobytes()
    for k in draws:
        assert draws2[k].tobytes() == draws[k].tobytes()


def test_result_round_trip() -> None:
    g, feeds, draws = cg.interchange.load(example())
    res = cg.Runtime(g).run(feeds, draws=draws, values=True)
    text = cg.interchange.dump_result(g, res)
    lines = text.splitlines()
    assert lines[0] == "certigrad-result 1" and lines[-1] == "end"
    assert [ln.split()[0] + " " + ln.split()[1] for ln in lines[1:7]] == [
        "value h", "value s", "value c", "value e", "value sp", "value z"]
    assert lines[7] == "cost c %.17g" % res.costs["c"]
    assert lines[8] == "total %.17g" % res.total
    assert lines[9].startswith("grad W ")
    back = cg.interchange.load_result(text, g)
    assert back["total"] == res.total
    np.testing.assert_array_equal(back["grads"]["W"], res.grads["W"])
    np.testing.assert_array_equal(back["values"]["h"], res.values["h"])


@pytest.mark.parametrize("text,exc,msg", [
    ("certigrad-graph 2\nend\n", cg.FormatError, "line 1: expected header 'certigrad-graph 1'"),
    ("certigrad-graph 1\ninput x : 2\ndet h : 2 = gemmm x x\nend\n", cg.FormatError,
     "line 3: unknown operator 'gemmm'"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 nan\nend\n", cg.FormatError,
     "line 3: bad number 'nan'"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 inf\nend\n", cg.FormatError,
     "line 3: bad number 'inf'"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 1e999\nend\n", cg.FormatError,
     "line 3: number '1e999' is out of range"),
    ("certigrad-graph 1\ninput x : 0\nend\n", cg.FormatError,
     "line 2: dims are 0, 1 or 2 positive integers"),
    ("certigrad-graph 1\ninput 9x : 2\nend\n", cg.FormatError, "line 2: bad name '9x'"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 2\n", cg.FormatError, "line 4: missing 'end'"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 2\nend\ncost x\n", cg.FormatError,
     "line 5: text after 'end'"),
    ("certigrad-graph 1\ninput x : 2\ndet y : 2 = exp x\ninput w : 2\nend\n", cg.FormatError,
     "line 4: 'input' line out of order"),
    ("certigrad-graph 1\ninput x : 2\nfoo x\nend\n", cg.FormatError, "line 3: unknown keyword 'foo'"),
    ("certigrad-graph 1\ninput x : 2\ndet h : 2 = exp q\nvalue x 1 2\nend\n", cg.GraphError,
     "node 'h': unknown parent 'q'"),
    ("certigrad-graph 1\ninput x : 2\ndet h : 3 = exp x\nvalue x 1 2\nend\n", cg.GraphError,
     "node 'h': declared shape [3] differs from the shape [2] computed by exp"),
    ("certigrad-graph 1\ninput x : 2 3\ncost x\nend\n", cg.GraphError,
     "node 'x': a cost must be a scalar, has shape [2; 3]"),
    ("certigrad-graph 1\ninput x : 2\nend\n", cg.FeedError, "node 'x': missing value"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1\nend\n", cg.FeedError,
     "node 'x': value has 1 numbers, expected 2"),
    ("certigrad-graph 1\ninput x : 2\nvalue x 1 2\nvalue x 1 2\nend\n", cg.FeedError,
     "node 'x': duplicate value"),
    ("certigrad-graph 1\ninput x : 2\nrand e : 2 = mvn_std\nvalue x 1 2\nend\n", cg.FeedError,
     "node 'e': missing draw"),
])
def test_errors(text: str, exc: type, msg: str) -> None:
    with pytest.raises(exc, match="^" + re.escape(msg)):
        cg.interchange.load(text)


def test_dump_rejects_non_finite_and_missing() -> None:
    g = cg.Graph()
    g.input("x", (2,))
    with pytest.raises(cg.FeedError, match="^node 'x': value entry 1 is nan"):
        cg.interchange.dump(g, {"x": np.array([1.0, np.nan])})
    with pytest.raises(cg.FeedError, match="^node 'x': missing value"):
        cg.interchange.dump(g, {})


def test_numbers_round_trip_exactly_through_the_text() -> None:
    """The writer (std::to_chars, shortest round-trip) and the result reader
    (std::from_chars) give back the very float64s, edge values
    included; the oracle reads the same text with strtod."""
    rng = np.random.default_rng(7)
    edge = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, 2.225073858507201e-308,
            1.7976931348623157e308, -1.7976931348623157e308, 1e16, 1e-5, 0.1, 1 / 3,
            123456789012345678.0, 9007199254740993.0, 1.0, -2.5]
    a = np.concatenate([edge, rng.standard_normal(5000) * 10.0 ** rng.integers(-300, 300, 5000),
                        rng.standard_normal(5000).astype(np.float32)])
    text = cg.interchange._numbers("value", "x", a)
    assert [float(t) for t in text.split(" ")] == a.tolist()
    assert np.signbit(float(text.split(" ")[1]))
    res = cg.interchange.load_result(f"certigrad-result 1\nvalue x {text}\ntotal 0\nend\n")
    got = res["values"]["x"]
    assert got.tobytes() == a.tobytes()
    np.testing.assert_array_equal(
        cg.interchange._floats(1, "\t+1.5 -2e-3\r 1e999 -1e999 1e-999 inf nan"),
        [1.5, -2e-3, np.inf, -np.inf, 0.0, np.inf, np.nan])


@pytest.mark.parametrize("line, msg", [
    ("grad w 1 2 x3", "line 2: bad number 'x3'"),
    ("grad w 1\v2 3", "line 2: bad number '1\v2'"),
    ("grad w 1 +-2", "line 2: bad number '+-2'"),
    ("cost c 1.5abc", "line 2: bad number '1.5abc'"),
    ("value", "line 2: unexpected 'value'"),
])
def test_load_result_bad_numbers(line: str, msg: str) -> None:
    with pytest.raises(cg.FormatError, match="^" + re.escape(msg)):
        cg.interchange.load_result(f"certigrad-result 1\n{line}\ntotal 1\nend\n")
