"""Random well-formed certigrad graphs for property tests and the
differential harness against the oracle ``certigrad-ref`` (hypothesis
strategies).

Independent of the runtime: it imports neither certigrad nor its extension
(only numpy and hypothesis); the operators are those of the generated table
(tests/harness/table.py) and their numpy forward and sample come from the
registry (tests/harness/references.py). A generated :class:`GenGraph`
carries the graph, the value of every input and param, and an explicit draw
for every rand node, and prints itself in the interchange format of
docs/format.md (:meth:`GenGraph.to_text`).

Every operator of the table can appear (``ALL_OPS``, including the random
ones). Values are chosen inside each operator's domain (the table's domain
parent and rule, or the registry's ``generator_kinds``) with a margin, by
evaluating the graph in float64 as it grows (:func:`eval_op`): entries that
must be > 0 are >= 0.05, != 0 have |y| >= 0.1, in (0, 1) lie in [0.02, 0.98];
"small" ones (``exp`` inputs) are <= 4, and every value at most 1e4 in
magnitude. Parents are reused at random, so fan-out (a node feeding several
nodes, or the same node twice) is common.

    from hypothesis import given
    from harness.strategies import graphs

    @given(graphs())
    def test_something(gg):
        text = gg.to_text()          # certigrad-graph 1

:func:`cases` is the differential harness's strategy of graph texts (mostly
small graphs, some wide ones, some with the runtime's sigmoid-bernoulli
pair); :func:`downstream_cases` adds random baselines, for the downstream
estimator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import numpy as np
from hypothesis import strategies as st

from .graph_text import reachable_costs
from .references import generator_kind, reference
from .table import ARITY, OP_NAMES, RANDOM, TABLE

__all__ = ["ALL_OPS", "TABLE", "GenGraph", "graphs", "case_graphs", "cases", "add_score_node",
           "SCORE_OPS", "downstream_cases", "eval_op", "sample_op"]

ALL_OPS = list(OP_NAMES)
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


def eval_op(op: str, attr: Optional[float], ps: list[np.ndarray]) -> np.ndarray:
    """Forward value of a deterministic operator in float64 (numpy; the
    registry's ``forward``)."""
    return reference(op).forward(attr, ps)


def sample_op(op: str, ps: list[np.ndarray], shape: tuple[int, ...],
              rng: np.random.Generator) -> np.ndarray:
    """A sample of a random operator (the graph's explicit draw), float64."""
    return reference(op).sample(ps, shape, rng)


# What a parent position requires of its values (generator_kind): the
# table's domain rule ("pos", "nonzero", "unit") at its domain parent, or the
# registry's generator_kinds ("small" for exp: no overflow past MAX_ABS).
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
                first = pick(generator_kind(op, 0), None)
                parents = [first] + [pick(generator_kind(op, i), shapes[first])
                                     for i in range(1, ARITY[op])]
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


def add_logit_pair(draw: Any, gg: GenGraph) -> None:
    """Appends ``ls = sigmoid z`` and the cost ``lb = bernoulli_neglogpdf ls
    x``: the runtime's logit form of bernoulli_neglogpdf, fused through the
    sigmoid unless ``ls`` also feeds ``lu = sum ls``. ``z`` is an existing
    reference with entries in [-3.5, 3.5] (so p = sigmoid z is inside
    [0.029, 0.971]) or a fresh param; ``x`` an existing reference of the
    same shape or a fresh input in [0, 1]."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="logit seed"))
    small = sorted(n for n, v in gg.forward.items() if np.all(np.abs(v) <= 3.5))
    if small and draw(st.booleans(), label="reuse z"):
        z = draw(st.sampled_from(small), label="z")
    else:
        shape = tuple(draw(st.integers(1, 4)) for _ in range(draw(st.integers(0, 2))))
        z = "lz"
        gg.inputs.append((z, shape, True))
        gg.values[z] = gg.forward[z] = rng.uniform(-3.5, 3.5, shape)
    shape = np.shape(gg.forward[z])
    same = sorted(n for n, v in gg.forward.items() if np.shape(v) == shape)
    if draw(st.booleans(), label="reuse x"):
        x = draw(st.sampled_from(same), label="x")
    else:
        x = "lx"
        gg.inputs.append((x, shape, draw(st.booleans(), label="x param")))
        gg.values[x] = gg.forward[x] = rng.uniform(0.0, 1.0, shape)
    gg.nodes.append(("ls", "det", "sigmoid", None, (z,), shape))
    gg.forward["ls"] = eval_op("sigmoid", None, [gg.forward[z]])
    gg.nodes.append(("lb", "det", "bernoulli_neglogpdf", None, ("ls", x), ()))
    gg.forward["lb"] = eval_op("bernoulli_neglogpdf", None, [gg.forward["ls"], gg.forward[x]])
    if not draw(st.booleans(), label="fused"):
        gg.nodes.append(("lu", "det", "sum", None, ("ls",), ()))
        gg.forward["lu"] = np.asarray(np.sum(gg.forward["ls"]))
    gg.costs.append("lb")


@st.composite
def case_graphs(draw: Any, ops: Optional[list[str]] = None) -> GenGraph:
    """The graphs of :func:`cases`, before printing."""
    wide = draw(st.integers(0, 9), label="wide") == 9
    gg = draw(graphs(max_nodes=6, max_dim=24, ops=ops) if wide else
              graphs(max_nodes=10, max_dim=4, ops=ops))
    if draw(st.integers(0, 4), label="logit pair") == 4:
        add_logit_pair(draw, gg)
    return gg


@st.composite
def cases(draw: Any, ops: Optional[list[str]] = None) -> str:
    """Graph texts for the differential harness: mostly small graphs (up to
    10 nodes, dims up to 4), one in ten with dims up to 24 (blocked GEMM and
    SIMD paths over several packets); one in five gets a sigmoid-bernoulli
    pair (the runtime's logit-form and fused paths, which :func:`graphs`
    rarely forms by chance). Shrinks towards small graphs without the pair,
    whose operators are the first of ``ops`` (default: the table, in its
    order)."""
    return draw(case_graphs(ops)).to_text()


def add_score_node(draw: Any, gg: GenGraph) -> None:
    """Appends ``dz ~ mvn(mu, ds)`` (``mu`` an existing reference, ``ds`` a
    fresh positive input of its shape) and ``dc = sum dz``, a cost unless the
    draw says otherwise: a score term for a graph that has none."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="score seed"))
    refs = sorted(gg.forward)
    mu = draw(st.sampled_from(refs), label="mu") if refs else None
    if mu is None:
        mu = "dm"
        gg.inputs.append((mu, (2,), True))
        gg.values[mu] = gg.forward[mu] = rng.uniform(-2.0, 2.0, (2,))
    shape = np.shape(gg.forward[mu])
    gg.inputs.append(("ds", shape, draw(st.booleans(), label="ds param")))
    gg.values["ds"] = gg.forward["ds"] = rng.uniform(0.5, 2.0, shape)
    x = sample_op("mvn", [gg.forward[mu], gg.forward["ds"]], shape, rng)
    gg.nodes.append(("dz", "rand", "mvn", None, (mu, "ds"), shape))
    gg.forward["dz"] = gg.draws["dz"] = x
    gg.nodes.append(("dc", "det", "sum", None, ("dz",), ()))
    gg.forward["dc"] = np.asarray(np.sum(x))
    if draw(st.integers(0, 3), label="dc cost") > 0:
        gg.costs.append("dc")


#: The operators of :func:`downstream_cases`: every one, ``mvn`` four times as
#: likely (score nodes inside the graph, with several costs downstream).
SCORE_OPS = ALL_OPS + ["mvn"] * 3


@st.composite
def downstream_cases(draw: Any, ops: Optional[list[str]] = None) -> tuple[str, dict[str, str]]:
    """Graph texts with baselines for the downstream estimator: a graph of
    :func:`cases` over ``ops`` (default :data:`SCORE_OPS`), with a score node
    (:func:`add_score_node`) when it has no ``mvn``, up to two more costs
    (``sum``) below each ``mvn`` node, and for each rand node no baseline,
    an existing scalar input or param, or a fresh scalar input or param:
    uniform in [-5, 5], or the float64 sum of the node's reachable costs
    (the multiplier then cancels to rounding noise, the hardest case for the
    bound). Returns the text and the baselines (rand node -> input)."""
    gg = draw(case_graphs(ops or SCORE_OPS))
    if not any(n[2] == "mvn" for n in gg.nodes):
        add_score_node(draw, gg)
    for z in [n[0] for n in gg.nodes if n[2] == "mvn"]:  # costs downstream of z
        for j in range(draw(st.integers(0, 2), label="downstream costs")):
            below = reachable_costs(gg.nodes, [n[0] for n in gg.nodes], z)
            src = draw(st.sampled_from(below), label="cost source")
            name = f"c{j}_{z}"
            gg.nodes.append((name, "det", "sum", None, (src,), ()))
            gg.forward[name] = np.asarray(np.sum(gg.forward[src]))
            gg.costs.append(name)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1), label="baseline seed"))
    baselines: dict[str, str] = {}
    for name, kind, *_ in list(gg.nodes):
        if kind != "rand":
            continue
        how = draw(st.sampled_from(["none", "existing", "uniform", "cancel"]), label="baseline")
        scalars = sorted(n for n, shape, _ in gg.inputs if shape == ())
        if how == "none" or (how == "existing" and not scalars):
            continue
        if how == "existing":
            baselines[name] = draw(st.sampled_from(scalars), label="existing baseline")
            continue
        b = f"b{len(baselines)}_{name}"
        v = rng.uniform(-5.0, 5.0) if how == "uniform" else \
            sum(float(gg.forward[c]) for c in reachable_costs(gg.nodes, gg.costs, name))
        gg.inputs.append((b, (), draw(st.booleans(), label="baseline param")))
        gg.values[b] = gg.forward[b] = np.asarray(v, dtype=np.float64)
        baselines[name] = b
    return gg.to_text(), baselines
