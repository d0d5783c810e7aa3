"""Reading and writing the interchange format of docs/format.md
(``certigrad-graph 1`` and ``certigrad-result 1``). Pure Python but for the
number formatting.

Numbers are written as the shortest decimal that reads back as the same
float64 (``std::to_chars`` in the extension, one call per array; attributes
with ``%.17g``); the numbers of a result's lines are read by the
extension's ``parse_floats`` (``std::from_chars``, correctly rounded, as
``float``), one call per line. ``inf``/``nan`` are rejected in graph files."""

from __future__ import annotations

import math
import re
from typing import Any, Mapping, Optional

import numpy as np

from .errors import FeedError, FormatError, GraphError
from .graph import OPS, Expr, Graph, Shape, shape_str

__all__ = ["dump", "dump_graph", "load", "dump_result", "load_result", "ParsedResult"]

_NUM = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_INT = re.compile(r"[0-9]+\Z")


def _fmt(v: float) -> str:
    return "%.17g" % v


def _numbers(kind: str, name: str, a: Any) -> str:
    flat = np.asarray(a, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(flat)):
        i = int(np.flatnonzero(~np.isfinite(flat))[0])
        raise FeedError(f"node '{name}': {kind} entry {i} is {flat[i]} (values must be finite)")
    # the shortest decimal that reads back as the same float64 (C++
    # std::to_chars, 20x faster than "%.17g" per number in Python)
    from . import _core  # the extension, on first use (as certigrad.runtime)

    return _core.format_floats(flat).decode("ascii")


def _dims(s: Shape) -> str:
    return " ".join(str(d) for d in s)


def _values(kind: str, name: str, shape: Shape, d: Mapping[str, Any]) -> str:
    if name not in d:
        raise FeedError(f"node '{name}': missing {kind}")
    a = np.asarray(d[name], dtype=np.float64)
    if a.size != int(np.prod(shape)) or (a.ndim != 1 and a.shape != shape):
        raise FeedError(f"node '{name}': {kind} has shape {a.shape}, expected {shape}")
    return _numbers(kind, name, a)


def _structure_lines(graph: Graph) -> list[str]:
    out = ["certigrad-graph 1"]
    for i in graph.inputs:
        out.append(f"{'param' if i.param else 'input'} {i.name} : {_dims(i.shape)}".rstrip())
    for n in graph.nodes:
        attr = f" {_fmt(n.attr)}" if OPS[n.op].attr else ""
        rhs = f"{n.op}{attr} {' '.join(n.parents)}".rstrip()
        out.append(f"{'rand' if n.random else 'det'} {n.name} : {_dims(n.shape)} = {rhs}"
                   .replace(" :  =", " : ="))
    for c in graph.costs:
        out.append(f"cost {c}")
    return out


def dump_graph(graph: Graph) -> str:
    """The graph part of the ``certigrad-graph 1`` text (declarations, nodes,
    costs; no values or draws), as ``certigrad-ref --aevb`` and
    ``certigrad-ref --transform`` print graphs."""
    return "\n".join(_structure_lines(graph) + ["end"]) + "\n"


def dump(graph: Graph, feeds: Mapping[str, Any], draws: Optional[Mapping[str, Any]] = None) -> str:
    """The ``certigrad-graph 1`` text of a graph, its input values and its
    draws (one per rand node)."""
    draws = draws or {}
    for kind, d, names in (("feed", feeds, [i.name for i in graph.inputs]),
                           ("draw", draws, graph.rand_nodes)):
        for k in d:
            if k not in names:
                raise FeedError(f"node '{k}': {kind} for something that is not "
                                f"{'an input' if kind == 'feed' else 'a rand node'}")
    out = _structure_lines(graph)
    for i in graph.inputs:
        out.append(f"value {i.name} {_values('value', i.name, i.shape, feeds)}")
    for n in graph.nodes:
        if n.random:
            out.append(f"draw {n.name} {_values('draw', n.name, n.shape, draws)}")
    out.append("end")
    return "\n".join(out) + "\n"


def _lines(text: str):
    if not isinstance(text, str):
        hint = " (decode it first: data.decode('utf-8'))" if isinstance(
            text, (bytes, bytearray, memoryview)) else ""
        raise FormatError(f"line 1: the text must be a str, got {type(text).__name__}{hint}")
    return _split(text)


# docs/format.md: lines end at "\n" only; tokens are separated by spaces (tabs
# and carriage returns count as spaces, as in the oracle); any other
# character, vertical tab or form feed included, is part of a token.
_SEP = re.compile(r"[ \t\r]+")


def _split(text: str):
    for no, raw in enumerate(text.split("\n"), 1):
        toks = [t for t in _SEP.split(raw.split("#", 1)[0]) if t]
        if toks:
            yield no, toks


def _num(no: int, tok: str) -> float:
    if not _NUM.match(tok):
        raise FormatError(f"line {no}: bad number '{tok}'")
    v = float(tok)
    if not math.isfinite(v):
        raise FormatError(f"line {no}: number '{tok}' is out of range")
    return v


def _name(no: int, tok: str) -> str:
    if not _NAME.match(tok):
        raise FormatError(f"line {no}: bad name '{tok}'")
    return tok


def _shape(no: int, toks: list[str]) -> Shape:
    if len(toks) > 2 or not all(_INT.match(t) and int(t) > 0 for t in toks):
        raise FormatError(f"line {no}: dims are 0, 1 or 2 positive integers, got '{' '.join(toks)}'")
    return tuple(int(t) for t in toks)


_ORDER = {"input": 1, "param": 1, "det": 2, "rand": 2, "cost": 3, "value": 4, "draw": 5, "end": 6}


def load(text: str) -> tuple[Graph, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Parses ``certigrad-graph 1`` text into (graph, feeds, draws); arrays are
    float64 in the declared shapes. Syntax errors raise FormatError
    (``line N: ...``), ill-formed graphs GraphError, missing/extra/misshapen
    values FeedError (``node 'NAME': ...``)."""
    it = _lines(text)
    first = next(it, None)
    if first is None or first[1] != ["certigrad-graph", "1"]:
        raise FormatError(f"line {first[0] if first else 1}: expected header 'certigrad-graph 1'")
    g = Graph()
    feeds: dict[str, np.ndarray] = {}
    draws: dict[str, np.ndarray] = {}
    stage, ended = 0, False
    for no, toks in it:
        kw = toks[0]
        if ended:
            raise FormatError(f"line {no}: text after 'end'")
        if kw not in _ORDER:
            raise FormatError(f"line {no}: unknown keyword '{kw}'")
        if _ORDER[kw] < stage:
            raise FormatError(f"line {no}: '{kw}' line out of order")
        stage = _ORDER[kw]
        if kw in ("input", "param"):
            if len(toks) < 3 or toks[2] != ":":
                raise FormatError(f"line {no}: expected '{kw} NAME : DIMS'")
            nm = _name(no, toks[1])
            (g.param if kw == "param" else g.input)(nm, _shape(no, toks[3:]))
        elif kw in ("det", "rand"):
            if len(toks) < 3 or toks[2] != ":" or "=" not in toks:
                raise FormatError(f"line {no}: expected '{kw} NAME : DIMS = OP ARGS'")
            nm = _name(no, toks[1])
            eq = toks.index("=")
            dims = _shape(no, toks[3:eq])
            rhs = toks[eq + 1:]
            if not rhs:
                raise FormatError(f"line {no}: missing operator")
            op = rhs[0]
            if op not in OPS:
                raise FormatError(f"line {no}: unknown operator '{op}'")
            args = rhs[1:]
            attr = 0.0
            if OPS[op].attr:
                if not args:
                    raise FormatError(f"line {no}: {op} needs a number")
                attr = _num(no, args[0])
                args = args[1:]
            parents = []
            for p in args:
                _name(no, p)
                if p not in g:
                    raise GraphError(f"node '{nm}': unknown parent '{p}' (parents must be "
                                     "defined before the node)")
                parents.append(g.ref(p))
            e = Expr(op, parents, attr, dims if OPS[op].shape_rule == "declared" else ())
            ref = (g.sample if kw == "rand" else g.det)(nm, e)
            if ref.shape != dims:
                raise GraphError(f"node '{nm}': declared shape {shape_str(dims)} differs from "
                                 f"the shape {shape_str(ref.shape)} computed by {op}")
        elif kw == "cost":
            if len(toks) != 2:
                raise FormatError(f"line {no}: expected 'cost NAME'")
            g.cost(_name(no, toks[1]))
        elif kw in ("value", "draw"):
            if len(toks) < 2:
                raise FormatError(f"line {no}: expected '{kw} NAME NUMBERS'")
            nm = _name(no, toks[1])
            nums = [_num(no, t) for t in toks[2:]]
            target = feeds if kw == "value" else draws
            names = ([i.name for i in g.inputs] if kw == "value" else g.rand_nodes)
            if nm not in names:
                raise FeedError(f"node '{nm}': {kw} for something that is not "
                                f"{'an input' if kw == 'value' else 'a rand node'}")
            if nm in target:
                raise FeedError(f"node '{nm}': duplicate {kw}")
            shape = g.ref(nm).shape
            if len(nums) != int(np.prod(shape)):
                raise FeedError(f"node '{nm}': {kw} has {len(nums)} numbers, expected "
                                f"{int(np.prod(shape))}")
            target[nm] = np.array(nums, dtype=np.float64).reshape(shape)
        else:  # end
            if len(toks) != 1:
                raise FormatError(f"line {no}: expected 'end'")
            ended = True
    if not ended:
        raise FormatError("line %d: missing 'end'" % (text.count("\n") + 1))
    for i in g.inputs:
        if i.name not in feeds:
            raise FeedError(f"node '{i.name}': missing value")
    for n in g.rand_nodes:
        if n not in draws:
            raise FeedError(f"node '{n}': missing draw")
    return g, feeds, draws


class ParsedResult(dict):
    """A parsed ``certigrad-result 1``: keys ``values`` and ``grads`` (name ->
    float64 array, flat unless a graph was given), ``costs`` (name -> float),
    ``total`` (float)."""


def dump_result(graph: Graph, result: Any) -> str:
    """The ``certigrad-result 1`` text of a :class:`~certigrad.Result` computed
    with ``values=True``."""
    if result.values is None:
        raise FeedError("dump_result needs a result computed with values=True")
    out = ["certigrad-result 1"]
    for n in graph.nodes:
        out.append(f"value {n.name} {_numbers('value', n.name, result.values[n.name])}")
    for c in graph.costs:
        out.append(f"cost {c} {_fmt(result.costs[c])}")
    out.append(f"total {_fmt(result.total)}")
    for p in graph.params:
        out.append(f"grad {p} {_numbers('grad', p, result.grads[p])}")
    out.append("end")
    return "\n".join(out) + "\n"


# A result line's keyword and name, and where its numbers start.
_HEAD = re.compile(r"[ \t\r]*([^ \t\r]+)(?:[ \t\r]+([^ \t\r]+))?")


def _floats(no: int, s: str) -> np.ndarray:
    """The numbers of ``s`` (tokens separated by spaces, tabs and carriage
    returns), float64; a token that is not a number raises FormatError."""
    from . import _core  # the extension, on first use (as certigrad.runtime)

    try:
        return _core.parse_floats(s)
    except ValueError as e:
        raise FormatError(f"line {no}: bad number '{str(e)[:60]}'") from None


def load_result(text: str, graph: Optional[Graph] = None, values: bool = True) -> ParsedResult:
    """Parses ``certigrad-result 1`` text (e.g. the oracle's output). Unlike
    graph input, non-finite numbers (``nan``, ``inf``) are accepted here as
    results may overflow. ``values=False`` skips the numbers of the
    ``value`` lines (``values`` is then empty)."""
    if not isinstance(text, str):
        next(_lines(text))  # the error of a text that is not a str
    res = ParsedResult(values={}, costs={}, total=None, grads={})
    header, ended = False, False
    for no, raw in enumerate(text.split("\n"), 1):
        c = raw.find("#")
        line = raw if c < 0 else raw[:c]
        m = _HEAD.match(line)
        if not m:
            continue  # blank
        kw, name = m.group(1), m.group(2)
        if not header:
            if (kw, name) != ("certigrad-result", "1") or line[m.end():].strip(" \t\r"):
                raise FormatError(f"line {no}: expected header 'certigrad-result 1'")
            header = True
            continue
        if ended:
            raise FormatError(f"line {no}: text after 'end'")
        if kw in ("value", "grad") and name is not None:
            if kw == "value" and not values:
                continue
            a = _floats(no, line[m.end():])
            if graph is not None:
                a = a.reshape(graph.ref(name).shape)
            res["values" if kw == "value" else "grads"][name] = a
            continue
        toks = [t for t in _SEP.split(line) if t]
        if kw == "cost" and len(toks) == 3:
            res["costs"][toks[1]] = float(_floats(no, toks[2])[0])
        elif kw == "total" and len(toks) == 2:
            res["total"] = float(_floats(no, toks[1])[0])
        elif kw == "end" and len(toks) == 1:
            ended = True
        else:
            raise FormatError(f"line {no}: unexpected '{' '.join(toks[:3])}'")
    if not header:
        raise FormatError("line 1: expected header 'certigrad-result 1'")
    if not ended:
        raise FormatError("line %d: missing 'end'" % (text.count("\n") + 1))
    if res["total"] is None:
        raise FormatError("result has no 'total' line")
    return res
