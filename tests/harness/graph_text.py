"""The graph text ``certigrad-graph 1`` (docs/format.md), parsed
independently of the runtime (``certigrad.interchange``) and of the oracle."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

from .table import TABLE

__all__ = ["GraphText", "parse_graph", "reachable_costs"]


@dataclass
class GraphText:
    """A parsed ``certigrad-graph 1``: ``inputs`` (name, shape, is_param),
    ``nodes`` (name, kind, op, attr, parents, shape), ``costs``, ``values``
    and ``draws`` (name -> float64 array of the declared shape)."""

    inputs: list[tuple[str, tuple[int, ...], bool]] = field(default_factory=list)
    nodes: list[tuple[str, str, str, Optional[float], tuple[str, ...], tuple[int, ...]]] = \
        field(default_factory=list)
    costs: list[str] = field(default_factory=list)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    draws: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def params(self) -> list[str]:
        return [n for n, _, p in self.inputs if p]


def parse_graph(text: str) -> GraphText:
    """Parses generated graph text (well-formed: the oracle is the judge of
    ill-formed text; this parser only asserts)."""
    gt = GraphText()
    shapes: dict[str, tuple[int, ...]] = {}
    lines = [ln.split("#", 1)[0].split() for ln in text.splitlines()]
    lines = [t for t in lines if t]
    assert lines[0] == ["certigrad-graph", "1"], lines[0]
    for toks in lines[1:]:
        kw = toks[0]
        if kw in ("input", "param"):
            shape = tuple(int(d) for d in toks[3:])
            gt.inputs.append((toks[1], shape, kw == "param"))
            shapes[toks[1]] = shape
        elif kw in ("det", "rand"):
            eq = toks.index("=")
            shape = tuple(int(d) for d in toks[3:eq])
            op, args = toks[eq + 1], toks[eq + 2:]
            attr = None
            if TABLE[op].has_attribute:
                attr, args = float(args[0]), args[1:]
            gt.nodes.append((toks[1], kw, op, attr, tuple(args), shape))
            shapes[toks[1]] = shape
        elif kw == "cost":
            gt.costs.append(toks[1])
        elif kw in ("value", "draw"):
            a = np.array([float(t) for t in toks[2:]], dtype=np.float64).reshape(shapes[toks[1]])
            (gt.values if kw == "value" else gt.draws)[toks[1]] = a
        else:
            assert kw == "end", kw
    return gt


def reachable_costs(nodes: Sequence[Any], costs: Sequence[str], z: str) -> list[str]:
    """The costs reachable from node ``z`` (``z`` or a node with a parent
    already reachable; ``nodes`` (name, kind, op, attr, parents, shape) in
    graph order), in cost order: the costs of the downstream estimator's
    multiplier (docs/semantics.md), computed independently of the package."""
    reach = {z}
    for name, _kind, _op, _attr, parents, _shape in nodes:
        if reach.intersection(parents):
            reach.add(name)
    return [c for c in costs if c in reach]
