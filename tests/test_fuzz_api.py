"""Hypothesis fuzzing of the public Python API: random graph building
(valid and invalid shapes, operators, arguments, costs), random runtime
settings, random malformed feeds, draws, seeds and Adam settings, and random
interchange text. Every call must return a result or raise a
:class:`certigrad.CertigradError`; any other exception fails (and so does a
crash of the interpreter, which ends the test run)."""

from __future__ import annotations

import math
import os
import warnings
from typing import Any, Callable

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import certigrad as cg
from certigrad import interchange
from harness import oracle

EXAMPLES = int(os.environ.get("CERTIGRAD_FUZZ_EXAMPLES", "300"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

OPS = list(cg.OP_NAMES)
DIM = st.one_of(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4),
                st.sampled_from([0, -1, 2 ** 61, 2 ** 62 + 1, 2 ** 64, 2 ** 70, 1.5, True, "3",
                                 None]))
# (no valid shape of more than 16 entries: a valid 2**31-entry mvn_std would
# really be sampled, 16 GB)
SHAPE = st.one_of(st.lists(DIM, max_size=3).map(tuple), DIM,
                  st.sampled_from([(2 ** 31, 2 ** 31), (2 ** 40, 2 ** 30), (2 ** 61, 1),
                                   [2, 2], "ab", None]))
NAME = st.one_of(st.sampled_from(["a", "b", "c", "x", "y", "z", "w", "c.0"]),
                 st.text(max_size=4))
NUMBERS = [0.0, -0.0, 1.0, -1.5, 1e-320, 1e308, -1e308, 745.0, -745.0, 1000.0, math.inf,
           -math.inf, math.nan, 2 ** 70]


def ok_or_certigrad(fn: Callable[[], Any]) -> Any:
    """``fn()``'s result, or None when it raised a CertigradError."""
    try:
        with warnings.catch_warnings():
            # NumericalWarning (nonfinite="warn"), and numpy's overflow warnings
            # when a list of 1e308 becomes a float32 feed (then a FeedError)
            warnings.simplefilter("ignore", RuntimeWarning)
            return fn()
    except cg.CertigradError:
        return None


def feed_value(draw: Any, shape: Any) -> Any:
    """A feed for a reference of ``shape``: mostly right, often wrong."""
    kind = draw(st.integers(0, 9), label="feed kind")
    try:
        good = tuple(int(d) for d in shape)
        n = int(np.prod(good))
    except (TypeError, ValueError):
        good, n = (1,), 1
    if n > 64:
        good, n = (1,), 1
    vals = np.array(draw(st.lists(st.sampled_from(NUMBERS[:10]) | st.floats(-3, 3),
                                  min_size=n, max_size=n)), dtype=np.float64).reshape(good)
    if kind <= 4:
        return vals
    if kind == 5:
        with np.errstate(all="ignore"):
            return vals.astype(draw(st.sampled_from([np.float32, np.int64, np.complex128,
                                                     bool, object])))
    if kind == 6:
        return vals.tolist() if vals.ndim else float(vals)
    if kind == 7:
        return draw(st.sampled_from([None, "x", b"x", [1, [2]], {"a": 1}, np.zeros((2, 2, 2)),
                                     np.zeros((3, 3)).T, np.array([math.nan]), [math.inf]]))
    if kind == 8:
        return np.asfortranarray(np.ones(good + (2,)))[..., 0]
    return draw(st.sampled_from(NUMBERS))


@st.composite
def scenarios(draw: Any) -> None:
    """Builds a random graph, runtime, feeds and run; asserts that each step
    gives a result or a CertigradError (the assertion is the call itself)."""
    g = cg.Graph()
    refs: list[Any] = []
    for _ in range(draw(st.integers(0, 4), label="inputs")):
        kind = draw(st.sampled_from(["input", "param"]))
        r = ok_or_certigrad(lambda: getattr(g, kind)(draw(NAME), draw(SHAPE)))
        if r is not None:
            refs.append(r)
    for i in range(draw(st.integers(0, 5), label="nodes")):
        op = draw(st.sampled_from(OPS + ["bogus"]))
        fn = getattr(cg, op, None)
        arity = cg.OPS[op].arity if op in cg.OPS else 1
        args: list[Any] = []
        if op == "scale":
            args.append(draw(st.sampled_from(NUMBERS + ["a"])))
        if op == "mvn_std":
            args.append(draw(SHAPE))
        extra = draw(st.sampled_from([0, 0, 0, 1, -1]))
        for _ in range(arity + extra):
            args.append(draw(st.sampled_from(refs)) if refs and draw(st.booleans())
                        else draw(st.sampled_from([1.0, None, "a"])))
        if fn is None or extra:  # a wrong parent count: as an Expr (a Python call of
            # cg.OP with the wrong number of arguments is a TypeError, as for any function)
            expr = cg.Expr(op, [a for a in args if isinstance(a, cg.graph.Operand)])
        else:
            expr = ok_or_certigrad(lambda: fn(*args))
        if expr is None:
            continue
        how = draw(st.sampled_from(["det", "sample"]))
        r = ok_or_certigrad(lambda: getattr(g, how)(draw(NAME) if draw(st.booleans())
                                                    else f"n{i}", expr))
        if r is not None:
            refs.append(r)
    for _ in range(draw(st.integers(0, 2), label="costs")):
        target = draw(st.sampled_from(refs)) if refs and draw(st.booleans()) else draw(NAME)
        ok_or_certigrad(lambda: g.cost(target))
    dtype = draw(st.sampled_from(["float64", "float32", "float64", "float16", np.float32]))
    threads = draw(st.sampled_from([1, 1, 2, 0, 300, 1.0]))
    nonfinite = draw(st.sampled_from(["raise", "raise", "warn", "no"]))
    rt = ok_or_certigrad(lambda: cg.Runtime(g, dtype=dtype, threads=threads,
                                            nonfinite=nonfinite))
    if rt is None:
        return
    names = [i.name for i in g.inputs]
    feeds: Any = {n: feed_value(draw, g.ref(n).shape) for n in names
                  if draw(st.integers(0, 9), label="omit") > 0}
    if draw(st.integers(0, 9), label="extra") == 0:
        feeds[draw(st.sampled_from(["extra", 3, "c"]))] = np.ones(1)
    if draw(st.integers(0, 19), label="not a dict") == 0:
        feeds = draw(st.sampled_from([None, [], "x", 3]))
    draws = None
    if g.rand_nodes and draw(st.booleans(), label="draws"):
        draws = {n: feed_value(draw, g.ref(n).shape) for n in g.rand_nodes}
    seed = draw(st.sampled_from([None, 0, 7, -1, 2 ** 64, True, 1.5])) if draws is None else None
    ok_or_certigrad(lambda: rt.run(feeds, seed=seed, draws=draws,
                                   values=draw(st.booleans()), backprop=draw(st.booleans())))
    if g.params and isinstance(feeds, dict):
        opt = ok_or_certigrad(lambda: cg.Adam(
            rt, {k: v for k, v in feeds.items() if k in g.params},
            lr=draw(st.sampled_from([1e-3, 0.0, -1.0, math.inf, "x"]))))
        if opt is not None:
            rest = {k: v for k, v in feeds.items() if k not in g.params}
            ok_or_certigrad(lambda: opt.step(rest, seed=seed, grad_scale=draw(
                st.sampled_from([1.0, 0.5, 0.0, math.nan, math.inf, "1", None]))))
            ok_or_certigrad(lambda: opt.load_state_dict(draw(st.sampled_from(
                [opt.state_dict(), {}, {"step": 1}, {"step": 1, "param.zz": np.ones(1)}]))))


@SETTINGS
@given(scenarios())
def test_api_gives_a_result_or_a_certigrad_error(_: None) -> None:
    """Everything happens while drawing the scenario."""


GOOD_TEXT = """certigrad-graph 1
param w : 2
input x : 2
det h : 2 = mul w x
det e : 2 = exp h
rand z : 2 = mvn h e
det c : = sum z
det k : = mvn_kl h e
cost c
cost k
value w 0.5 -1
value x 1 2
draw z 0.1 0.2
end
"""
TOKENS = ["certigrad-graph", "1", "input", "param", "det", "rand", "cost", "value", "draw",
          "end", ":", "=", "exp", "gemm", "scale", "w", "x", "h", "z", "2", "0", "-1", "1e400",
          "nan", "inf", "99999999999", "#", "\n", "\t", "\x00", "é", "\r", "\x0b"]


@st.composite
def texts(draw: Any) -> str:
    toks = GOOD_TEXT.replace("\n", " \n ").split(" ")
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(toks)))
        op = draw(st.integers(0, 2))
        if op == 0 or not toks:
            toks.insert(i, draw(st.sampled_from(TOKENS) | st.text(max_size=3)))
        elif op == 1 and i < len(toks):
            del toks[i]
        elif i < len(toks):
            toks[i] = draw(st.sampled_from(TOKENS))
    return " ".join(toks)


@SETTINGS
@given(texts())
def test_interchange_load_gives_a_result_or_a_certigrad_error(text: str) -> None:
    """The Python reader and runtime give a result or a CertigradError, and
    accept exactly the texts the oracle accepts (which never reports an
    internal error)."""
    loaded = ok_or_certigrad(lambda: interchange.load(text))
    result = None
    if loaded is not None:
        g, feeds, draws = loaded
        result = ok_or_certigrad(lambda: cg.Runtime(g).run(feeds, draws=draws or None))
    ok_or_certigrad(lambda: interchange.load_result(text))
    try:
        oracle.run_raw(text)
        accepted = True
    except oracle.OracleError as e:
        assert "internal error" not in str(e), str(e)
        accepted = False
    assert accepted == (result is not None), (text, accepted)
