"""The differential harness at the edges of float64: graphs whose inputs,
parameters and draws are drawn from extreme values (near the overflow and
underflow thresholds of ``exp``, subnormals, values next to the domain
boundaries 0 and 1, tiny and huge sigma, attributes of 1e308), so that many
of them are errors. Both sides must agree on the outcome: the same result
(within the error bound of :mod:`.compare`), or the same error, a
``NumericalError`` with the oracle's message exactly, or a ``DomainError``
at the same node and entry.

The graphs are small (up to 4 nodes) and every tensor has at most 3
entries, so every sum runs in index order on both sides (the runtime's
vectorized sums only reorder over a full SIMD packet): whether a sum of
finite terms overflows then does not depend on the order. ``gemm`` is left
out for the same reason (its blocked products reorder, and may use FMA), and
the ``p`` of ``bernoulli_neglogpdf`` is never a ``sigmoid`` node: the
runtime's logit form does not round p to 0 or 1, where the oracle's domain
check fails (docs/testing.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from hypothesis import strategies as st

from . import oracle
from .error_model import Tr, model_run
from .graph_text import parse_graph
from .strategies import GenGraph
from .table import ARITY, OP_NAMES, RANDOM, TABLE

__all__ = ["EDGE_VALUES", "EDGE_OPS", "edge_cases", "Outcome", "compare_edge", "EdgeStats"]

_MAX = np.finfo(np.float64).max
_TINY = np.finfo(np.float64).tiny
#: magnitudes drawn for any entry (both signs, with ordinary values in between)
EDGE_VALUES = [0.0, 5e-324, 1e-320, 1e-310, _TINY, 1e-300, 1e-160, 1e-16, 1 - 2 ** -53, 1.0,
               1 + 2 ** -52, 17.0, 36.8, 37.0, 88.8, 103.0, 700.0, 708.5, 709.78, 709.79,
               710.0, 744.0, 745.2, 746.0, 1000.0, 1e154, 1e300, 1.7e308, _MAX]
#: sigma of mvn (domain > 0): tiny, ordinary, huge, and the boundary
SIGMAS = [5e-324, 1e-310, 1e-300, 1e-160, 1e-8, 1.0, 1e154, 1e300, 0.0, -1e-300]
#: p of bernoulli_neglogpdf (domain 0 < p < 1): next to both boundaries and on them
PROBS = [5e-324, 1e-300, 1e-16, 0.5, 1 - 2 ** -53, 1 - 1e-16, 0.0, 1.0, 2 ** -1074 * 3]
ATTRS = [1e308, 1e-308, 1e300, -2.0, 0.5, 5e-324]
#: every operator but gemm (see the module docstring)
EDGE_OPS = [op for op in OP_NAMES if TABLE[op].shape_rule != "gemm"]
SHAPES = [(), (1,), (2,), (3,), (1, 3), (3, 1)]


def _fmt(v: float) -> str:
    return "%.17g" % v


@st.composite
def edge_cases(draw: Any) -> str:
    """Graph texts with extreme values (see the module docstring)."""
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1), label="seed"))
    shape = draw(st.sampled_from(SHAPES), label="shape")
    gg = GenGraph()

    def entries(pool: list[float], signed: bool) -> np.ndarray:
        size = int(np.prod(shape, dtype=np.int64))
        out = np.empty(size)
        for i in range(size):
            if rng.integers(0, 3) == 0:
                out[i] = rng.uniform(-2.0, 2.0)
            else:
                out[i] = pool[rng.integers(0, len(pool))] * (
                    rng.choice([-1.0, 1.0]) if signed else 1.0)
        return out.reshape(shape)

    def fresh(pool: list[float] = EDGE_VALUES, signed: bool = True) -> str:
        name = f"i{len(gg.inputs)}"
        gg.inputs.append((name, shape, draw(st.booleans(), label="param")))
        gg.values[name] = entries(pool, signed)
        return name

    refs: list[str] = []  # references of the common shape

    def parent() -> str:
        if refs and draw(st.integers(0, 2), label="reuse") > 0:
            return draw(st.sampled_from(refs), label="parent")
        return fresh()

    n_nodes = draw(st.integers(1, 4), label="n_nodes")
    for k in range(n_nodes):
        op = draw(st.sampled_from(EDGE_OPS), label="op")
        name = f"n{k}"
        rule = TABLE[op].shape_rule
        attr: Optional[float] = None
        if op == "mvn":
            parents: tuple[str, ...] = (parent(), fresh(SIGMAS, signed=False))
        elif op == "bernoulli_neglogpdf":
            parents = (fresh(PROBS, signed=False), parent())
        elif rule == "declared":
            parents = ()
        else:
            parents = tuple(parent() for _ in range(ARITY[op]))
        if TABLE[op].has_attribute:
            attr = draw(st.sampled_from(ATTRS), label="attr")
        out = () if rule in ("scalar", "same_to_scalar") else shape
        kind = "rand" if op in RANDOM else "det"
        gg.nodes.append((name, kind, op, attr, parents, out))
        if kind == "rand":
            if op == "mvn" and draw(st.booleans(), label="usual draw"):
                mu, s = gg.values.get(parents[0]), gg.values[parents[1]]
                base = mu if mu is not None else np.zeros(shape)
                with np.errstate(all="ignore"):
                    d = base + np.abs(s) * rng.standard_normal(shape)
                gg.draws[name] = np.where(np.isfinite(d), d, 1.0)
            else:
                gg.draws[name] = entries(EDGE_VALUES, True)
        if out == shape:
            refs.append(name)
    last = gg.nodes[-1]
    if last[5] != ():
        name = f"n{len(gg.nodes)}"
        gg.nodes.append((name, "det", "sum", None, (last[0],), ()))
        gg.costs.append(name)
    else:
        gg.costs.append(last[0])
    for n in gg.nodes[:-1]:
        if n[5] == () and n[0] not in gg.costs and draw(st.booleans(), label="is_cost"):
            gg.costs.append(n[0])
    return gg.to_text()


@dataclass
class Outcome:
    """``kind``: "result", "numerical" or "domain" (both sides agreeing),
    and the problems (empty when they agree)."""

    kind: str
    problems: list[str] = field(default_factory=list)


def _finite_bounds(model: dict[str, Any]) -> dict[str, Any]:
    """The model with each non-finite bound E (its first-order propagation
    overflowing on huge values: inf * 0, inf / inf) replaced by a relative
    1e-9 of the value: the model cannot bound those entries, and they are
    still compared."""
    def fix(t: Tr) -> Tr:
        return Tr(t.v, np.where(np.isfinite(t.e), t.e, 1e-9 * np.abs(t.v)))
    return {k: fix(v) if isinstance(v, Tr) else {n: fix(t) for n, t in v.items()}
            for k, v in model.items()}


_WHERE = re.compile(r"^node '([^']*)': (\w+): entry (\d+)")


def compare_edge(text: str) -> Outcome:
    """Runs both sides on ``text`` and compares the outcome."""
    import certigrad as cg

    from .compare import compare_results, run_runtime

    try:
        orc: Any = oracle.run(text)
        o_err = None
    except oracle.OracleError as e:
        o_err = str(e).removeprefix("certigrad-ref: ").removeprefix("error: ")
    try:
        rt: Any = run_runtime(text)
        r_err = None
    except cg.CertigradError as e:
        r_err = (type(e).__name__, str(e))
    if o_err is None and r_err is None:
        gt = parse_graph(text)
        with np.errstate(all="ignore"):
            cmp = compare_results(gt, rt, orc, _finite_bounds(model_run(gt)))
        return Outcome("result", cmp.problems)
    if o_err is None or r_err is None:
        return Outcome("mismatch", [f"oracle: {o_err or 'a result'}; runtime: "
                                    f"{r_err[1] if r_err else 'a result'}"
                                    + (f" ({r_err[0]})" if r_err else "")])
    cls, msg = r_err
    if cls == "NumericalError":
        ok = msg == o_err
        return Outcome("numerical", [] if ok else [f"oracle: {o_err}; runtime: {msg}"])
    if cls == "DomainError" and "outside the domain" in o_err:
        a, b = _WHERE.match(msg), _WHERE.match(o_err)
        ok = a is not None and b is not None and a.groups() == b.groups()
        return Outcome("domain", [] if ok else [f"oracle: {o_err}; runtime: {msg}"])
    return Outcome("mismatch", [f"oracle: {o_err}; runtime: {msg} ({cls})"])


@dataclass
class EdgeStats:
    """Outcome counts over the compared graphs."""

    counts: dict[str, int] = field(default_factory=dict)
    seen: set[str] = field(default_factory=set)

    def add(self, text: str, kind: str) -> None:
        self.seen.add(text)
        self.counts[kind] = self.counts.get(kind, 0) + 1
