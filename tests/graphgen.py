"""Random well-formed certigrad graphs for property tests and the
differential harness against the oracle ``certigrad-ref``.

Independent of the runtime: it imports neither certigrad nor its extension
(only numpy and hypothesis); the operator table is the generated
python/certigrad/_ops_table.py, loaded from its file. A generated :class:`GenGraph` carries the graph,
the value of every input and param, and an explicit draw for every rand
node, and prints itself in the interchange format of docs/format.md
(:meth:`GenGraph.to_text`).

Every operator of the table can appear (``ALL_OPS``, including the random
ones). Values are chosen inside each operator's domain (the table's domain
parent and rule) with a margin, by evaluating the graph in float64 as it grows
(:func:`eval_op`): entries that must be > 0 are >= 0.05, != 0 have
|y| >= 0.1, in (0, 1) lie in [0.02, 0.98]; ``exp`` inputs are <= 4, and every
value at most 1e4 in magnitude. Parents are reused at random, so fan-out (a
node feeding several nodes, or the same node twice) is common.

    from hypothesis import given
    from graphgen import graphs

    @given(graphs())
    def test_something(gg):
        text = gg.to_text()          # certigrad-graph 1
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
from hypothesis import strategies as st

__all__ = ["ALL_OPS", "TABLE", "GenGraph", "graphs", "eval_op", "sample_op"]


def _load_table():
    path = Path(__file__).resolve().parent.parent / "python" / "certigrad" / "_ops_table.py"
    spec = importlib.util.spec_from_file_location("_certigrad_ops_table", path)
    assert spec is not None and spec.loader is not None, path
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.TABLE


TABLE = {r.name: r for r in _load_table()}
ALL_OPS = list(TABLE)
ARITY = {n: r.arity for n, r in TABLE.items()}
RANDOM = {n for n, r in TABLE.items() if r.kind == "rand"}
MAX_ABS = 1e4


def _fmt(v: float) -> str:
    return "%.17g" % v


@dataclass
class GenGraph:
    """A graph with values and draws. ``inputs``: (name, shape, is_param);
    ``nodes``: (name, 'det'|'rand', op, attr or None, parents, shape)."""

    inputs: list[tuple[str, tuple[int, ...], bool]] = field(default_factory=list)
    nodes: list[tuple[str, str, str, Optional[float], tuple[str, ...], tuple[int, ...]]] = \
        field(default_factory=list)
    costs: list[str] = field(default_factory=list)
    values: dict[str, np.ndarray] = field(default_factory=dict)  # inputs and params
    draws: dict[str, np.ndarray] = field(default_factory=dict)   # rand nodes
    forward: dict[str, np.ndarray] = field(default_factory=dict)  # every reference, float64

    def to_text(self) -> str:
        """The ``certigrad-graph 1`` text (docs/format.md)."""
        out = ["certigrad-graph 1"]
        for name, shape, param in self.inputs:
            out.append(f"{'param' if param else 'input'} {name} : {' '.join(map(str, shape))}"
                       .rstrip())
        for name, kind, op, attr, parents, shape in self.nodes:
            dims = " ".join(map(str, shape))
            rhs = " ".join([op] + ([_fmt(attr)] if attr is not None else []) + list(parents))
            out.append(f"{kind} {name} : {dims} = {rhs}".replace(":  =", ": ="))
        out += [f"cost {c}" for c in self.costs]
        for name, _, _ in self.inputs:
            out.append(f"value {name} " + " ".join(_fmt(v) for v in self.values[name].ravel()))
        for name, kind, *_ in self.nodes:
            if kind == "rand":
                out.append(f"draw {name} " + " ".join(_fmt(v) for v in self.draws[name].ravel()))
        out.append("end")
        return "\n".join(out) + "\n"

    @property
    def params(self) -> list[str]:
        return [n for n, _, p in self.inputs if p]

    @property
    def feeds(self) -> dict[str, np.ndarray]:
        return dict(self.values)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def eval_op(op: str, attr: Optional[float], ps: list[np.ndarray]) -> np.ndarray:
    """Forward value of a deterministic operator in float64 (numpy)."""
    x = ps[0] if ps else None
    if op == "scale":
        return attr * x
    if op == "neg":
        return -x
    if op == "exp":
        return np.exp(x)
    if op == "log":
        return np.log(x)
    if op == "sqrt":
        return np.sqrt(x)
    if op == "sigmoid":
        return 1 / (1 + np.exp(-x))
    if op == "softplus":
        return _softplus(x)
    if op == "add":
        return x + ps[1]
    if op == "sub":
        return x - ps[1]
    if op == "mul":
        return x * ps[1]
    if op == "div":
        return x / ps[1]
    if op == "sum":
        return np.asarray(np.sum(x))
    if op == "gemm":
        return x @ ps[1]
    if op == "mul_add":
        return x * ps[1] + ps[2]
    if op == "mvn_kl":
        mu, s = ps
        return np.asarray(np.sum((mu * mu + s * s - 1) / 2 - np.log(s)))
    if op == "mvn_empirical_kl":
        mu, s, z = ps
        d = (z - mu) / s
        return np.asarray(np.sum((z * z - d * d) / 2 - np.log(s)))
    if op == "bernoulli_neglogpdf":
        p, y = ps
        return np.asarray(-np.sum(y * np.log(p) + (1 - y) * np.log1p(-p)))
    raise ValueError(op)


def sample_op(op: str, ps: list[np.ndarray], shape: tuple[int, ...],
              rng: np.random.Generator) -> np.ndarray:
    """A sample of a random operator (the graph's explicit draw), float64."""
    if op == "mvn_std":
        return rng.standard_normal(shape)
    if op == "mvn":
        return ps[0] + ps[1] * rng.standard_normal(shape)
    raise ValueError(op)


# What each parent position of an operator requires of its values: the
# table's domain rule ("pos", "nonzero", "unit") at its domain parent, and
# small inputs for exp (no overflow past MAX_ABS).
def _req(op: str, i: int) -> str:
    r = TABLE[op]
    if r.domain_parent == i:
        return r.domain_rule
    if op == "exp":
        return "small"
    return "any"


def _ok(req: str, v: np.ndarray) -> bool:
    if req == "pos":
        return bool(np.all(v >= 0.05))
    if req == "nonzero":
        return bool(np.all(np.abs(v) >= 0.1))
    if req == "unit":
        return bool(np.all((v >= 0.02) & (v <= 0.98)))
    if req == "small":
        return bool(np.all(v <= 4))
    return True


def _fresh(req: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if req == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if req == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if req == "unit":
        return rng.uniform(0.1, 0.9, shape)
    return rng.uniform(-2.0, 2.0, shape)


@st.composite
def graphs(draw, max_nodes: int = 8, max_dim: int = 4, ops: Optional[list[str]] = None,
           min_nodes: int = 1) -> GenGraph:
    """A hypothesis strategy of :class:`GenGraph`. ``ops`` restricts the
    operators (default: all); at least ``min_nodes`` operator nodes."""
    ops = list(ops or ALL_OPS)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="seed"))
    gg = GenGraph()
    shapes: dict[str, tuple[int, ...]] = {}
    dim = st.integers(1, max_dim)

    def add_input(req: str, shape: tuple[int, ...]) -> str:
        name = f"i{len(gg.inputs)}"
        param = draw(st.booleans(), label="param")
        v = _fresh(req, shape, rng)
        gg.inputs.append((name, shape, param))
        gg.values[name] = v
        gg.forward[name] = v
        shapes[name] = shape
        return name

    def any_shape() -> tuple[int, ...]:
        rank = draw(st.integers(0, 2), label="rank")
        return tuple(draw(dim) for _ in range(rank))

    def pick(req: str, shape: Optional[tuple[int, ...]], rank2_rows: Optional[int] = None) -> str:
        cands = [n for n in shapes
                 if (shape is None or shapes[n] == shape)
                 and (rank2_rows is None or (len(shapes[n]) == 2 and shapes[n][0] == rank2_rows))
                 and _ok(req, gg.forward[n])]
        if cands and draw(st.integers(0, 3), label="reuse") > 0:
            return draw(st.sampled_from(sorted(cands)), label="parent")
        if shape is None:
            shape = (rank2_rows, draw(dim)) if rank2_rows is not None else any_shape()
        return add_input(req, shape)

    n_nodes = draw(st.integers(min_nodes, max_nodes), label="n_nodes")
    for k in range(n_nodes):
        for _attempt in range(10):
            op = draw(st.sampled_from(ops), label="op")
            name = f"n{k}"
            attr = None
            rule = TABLE[op].shape_rule
            if rule == "declared":
                parents: list[str] = []
                shape = any_shape()
            elif rule == "gemm":
                a = pick("any", None)
                if len(shapes[a]) != 2:
                    a = add_input("any", (draw(dim), draw(dim)))
                b = pick("any", None, rank2_rows=shapes[a][1])
                parents = [a, b]
                shape = (shapes[a][0], shapes[b][1])
            else:
                first = pick(_req(op, 0), None)
                parents = [first] + [pick(_req(op, i), shapes[first]) for i in range(1, ARITY[op])]
                shape = () if rule in ("scalar", "same_to_scalar") else shapes[first]
                if TABLE[op].has_attribute:
                    attr = draw(st.sampled_from([-1.5, -0.5, 0.25, 0.5, 2.0, 3.0]), label="attr")
            pv = [gg.forward[p] for p in parents]
            if op in RANDOM:
                v = sample_op(op, pv, shape, rng)
            else:
                with np.errstate(all="ignore"):
                    v = eval_op(op, attr, pv)
            if not np.all(np.isfinite(v)) or np.any(np.abs(v) > MAX_ABS):
                continue
            kind = "rand" if op in RANDOM else "det"
            gg.nodes.append((name, kind, op, attr, tuple(parents), shape))
            gg.forward[name] = np.asarray(v, dtype=np.float64)
            shapes[name] = shape
            if kind == "rand":
                gg.draws[name] = gg.forward[name]
            break
    # costs: some scalar nodes, and a sum of the last node when it is not scalar
    scalars = [n[0] for n in gg.nodes if n[5] == ()]
    costs = [s for s in scalars if draw(st.booleans(), label="is_cost")]
    if gg.nodes and gg.nodes[-1][5] != ():
        last = gg.nodes[-1][0]
        name = f"n{len(gg.nodes)}"
        gg.nodes.append((name, "det", "sum", None, (last,), ()))
        gg.forward[name] = np.asarray(np.sum(gg.forward[last]))
        costs.append(name)
    elif gg.nodes and gg.nodes[-1][0] not in costs:
        costs.append(gg.nodes[-1][0])
    if not costs:  # no nodes at all: a scalar input as cost
        costs.append(add_input("any", ()))
    gg.costs = costs
    return gg
