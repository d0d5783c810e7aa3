"""The graph DSL of docs/python-api.md: :class:`Graph`, :class:`Ref` and
unnamed operator expressions (:class:`Expr`) built by :mod:`certigrad.ops`.

Shapes are inferred when a node is added; an ill-formed node raises
:class:`~certigrad.errors.GraphError` naming it. This module is pure Python
(no extension needed)."""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence, Union

from ._ops_table import TABLE
from .errors import GraphError, ShapeError

if TYPE_CHECKING:
    from .certify import CertifyResult

__all__ = ["Shape", "Operand", "Ref", "Expr", "Graph", "InputDecl", "NodeDecl", "OPS",
           "OpInfo", "infer_shape", "shape_str", "normalize_shape", "check_size", "MAX_ENTRIES"]

Shape = tuple[int, ...]
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


@dataclass(frozen=True)
class OpInfo:
    """An operator of docs/semantics.md: its parent count, whether it is a
    random operator (used with ``Graph.sample``), whether it takes a numeric
    attribute (only ``scale``), its shape rule (``same``, ``scalar``,
    ``same_to_scalar``, ``gemm``, ``declared``) and its domain: the position
    of the restricted parent and its rule (``pos``, ``nonzero``, ``unit``),
    None for none."""

    name: str
    arity: int
    random: bool = False
    attr: bool = False
    shape_rule: str = "same"
    domain_parent: Optional[int] = None
    domain_rule: Optional[str] = None


#: The operator table, in the order of theories/core/Ops.v: every row of the
#: generated certigrad._ops_table (``certigrad-ref --ops-py``).
OPS: dict[str, OpInfo] = {
    r.name: OpInfo(r.name, r.arity, r.kind == "rand", r.has_attribute, r.shape_rule,
                   r.domain_parent, r.domain_rule)
    for r in TABLE}


def shape_str(s: Sequence[int]) -> str:
    """``[]``, ``[3]``, ``[2; 3]`` as in docs/semantics.md."""
    return "[" + "; ".join(str(d) for d in s) + "]"


#: The most entries a tensor may have (cpp/graph.hpp, kMaxEntries).
MAX_ENTRIES = 2 ** 60


def check_size(node: str, shape: Shape) -> Shape:
    """``shape`` itself when its element count is at most :data:`MAX_ENTRIES`;
    else :class:`~certigrad.errors.ShapeError` naming ``node``. Every shape
    of a graph (declared or inferred) passes here."""
    if math.prod(shape) > MAX_ENTRIES:
        raise ShapeError(f"node '{node}': shape {shape_str(shape)} has too many entries "
                         "(more than 2^60)")
    return shape


def normalize_shape(node: str, shape: Union[int, Iterable[int]]) -> Shape:
    """A shape as a tuple of at most two positive ints (an int is a vector)."""
    if isinstance(shape, numbers.Integral):
        shape = (int(shape),)
    try:
        dims = tuple(shape)
    except TypeError:
        raise GraphError(f"node '{node}': a shape is a tuple of ints, got {shape!r}") from None
    if len(dims) > 2 or not all(isinstance(d, numbers.Integral) and not isinstance(d, bool)
                                and d > 0 for d in dims):
        raise GraphError(f"node '{node}': a shape has at most 2 positive dimensions, "
                         f"got {list(dims)!r}")
    return check_size(node, tuple(int(d) for d in dims))


def infer_shape(node: str, op: str, parents: Sequence[Shape], declared: Shape = ()) -> Shape:
    """Output shape of ``op`` on parents of the given shapes, by its shape rule
    (theories/core/Ops.v, apply_shape_rule; the same messages as the C++ checker)."""
    info = OPS.get(op)
    if info is None:
        raise GraphError(f"node '{node}': unknown operator '{op}'")

    def all_same() -> None:
        for p in parents[1:]:
            if p != parents[0]:
                raise GraphError(f"node '{node}': {op}: parent shapes differ "
                                 f"({shape_str(parents[0])} vs {shape_str(p)})")

    rule = info.shape_rule
    if rule == "same":
        all_same()
        return parents[0]
    if rule == "scalar":
        return ()
    if rule == "same_to_scalar":
        all_same()
        return ()
    if rule == "gemm":
        a, b = parents
        if len(a) != 2 or len(b) != 2:
            raise GraphError(f"node '{node}': {op}: parents must be matrices, got "
                             f"{shape_str(a)} and {shape_str(b)}")
        if a[1] != b[0]:
            raise GraphError(f"node '{node}': {op}: inner dimensions differ ({a[1]} vs {b[0]})")
        return (a[0], b[1])
    if rule == "declared":
        return declared
    raise GraphError(f"node '{node}': {op}: unknown shape rule '{rule}'")


class Operand:
    """Something that can be an operator argument: a :class:`Ref` or an
    :class:`Expr`. Supports ``+ - * /`` (elementwise), ``@`` (gemm), unary
    ``-``, and ``number * x`` / ``x * number`` (``scale``)."""

    __slots__ = ()

    def _e(self, op: str, *args: "Operand") -> "Expr":
        for a in args:
            if not isinstance(a, Operand):
                return NotImplemented  # type: ignore[return-value]
        return Expr(op, args)

    def __add__(self, o: "Operand") -> "Expr":
        return self._e("add", self, o)

    def __radd__(self, o: "Operand") -> "Expr":
        return self._e("add", o, self)

    def __sub__(self, o: "Operand") -> "Expr":
        return self._e("sub", self, o)

    def __rsub__(self, o: "Operand") -> "Expr":
        return self._e("sub", o, self)

    def __mul__(self, o: Union["Operand", float]) -> "Expr":
        if isinstance(o, numbers.Real) and not isinstance(o, bool):
            return Expr("scale", (self,), float(o))
        return self._e("mul", self, o)

    def __rmul__(self, o: Union["Operand", float]) -> "Expr":
        if isinstance(o, numbers.Real) and not isinstance(o, bool):
            return Expr("scale", (self,), float(o))
        return self._e("mul", o, self)

    def __truediv__(self, o: "Operand") -> "Expr":
        return self._e("div", self, o)

    def __rtruediv__(self, o: "Operand") -> "Expr":
        return self._e("div", o, self)

    def __matmul__(self, o: "Operand") -> "Expr":
        return self._e("gemm", self, o)

    def __rmatmul__(self, o: "Operand") -> "Expr":
        return self._e("gemm", o, self)

    def __neg__(self) -> "Expr":
        return Expr("neg", (self,))


class Ref(Operand):
    """A named reference of a graph: an input, a parameter or a node."""

    __slots__ = ("name", "shape", "kind", "graph")

    def __init__(self, name: str, shape: Shape, kind: str, graph: "Graph") -> None:
        self.name = name
        self.shape = shape
        self.kind = kind  # "input", "param", "det" or "rand"
        self.graph = graph

    def __repr__(self) -> str:
        return f"Ref({self.name!r}, {self.shape!r}, {self.kind})"


class Expr(Operand):
    """An unnamed operator application; becomes a node through
    :meth:`Graph.det` or :meth:`Graph.sample`."""

    __slots__ = ("op", "args", "attr", "shape_decl")

    def __init__(self, op: str, args: Sequence[Operand], attr: float = 0.0,
                 shape_decl: Shape = ()) -> None:
        self.op = op
        self.args = tuple(args)
        self.attr = attr
        self.shape_decl = shape_decl

    def __repr__(self) -> str:
        inner = ", ".join(a.name if isinstance(a, Ref) else repr(a) for a in self.args)
        return f"{self.op}({inner})"


@dataclass(frozen=True)
class InputDecl:
    name: str
    shape: Shape
    param: bool


@dataclass(frozen=True)
class NodeDecl:
    name: str
    random: bool
    op: str
    attr: float
    parents: tuple[str, ...]
    shape: Shape


class Graph:
    """A stochastic computation graph (docs/semantics.md): inputs, parameters,
    det/rand nodes in topological order, and costs."""

    def __init__(self) -> None:
        self.inputs: list[InputDecl] = []
        self.nodes: list[NodeDecl] = []
        self.costs: list[str] = []
        #: random node name -> the scalar input subtracted from its score
        #: multiplier by the downstream estimator (``sample(..., baseline=)``)
        self.baselines: dict[str, str] = {}
        self._refs: dict[str, Ref] = {}
        self._frozen = False

    def freeze(self) -> None:
        """Forbids further changes (what building a
        :class:`~certigrad.Runtime` does: the runtime holds the graph as it
        was then, so a later node or cost would be silently ignored)."""
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def _check_open(self, name: object) -> None:
        if self._frozen:
            raise GraphError(f"node '{name}': the graph is frozen (a Runtime was built from "
                             "it); build a new Graph and Runtime to change it")

    # -- declarations -----------------------------------------------------
    def _check_name(self, name: str, taken: Iterable[str] = ()) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise GraphError(f"node '{name}': invalid name (must match [A-Za-z_][A-Za-z0-9_.]*)")
        if name in self._refs or name in taken:
            raise GraphError(f"node '{name}': duplicate name")

    def _declare(self, name: str, shape: Union[int, Iterable[int]], param: bool) -> Ref:
        self._check_open(name)
        self._check_name(name)
        s = normalize_shape(name, shape)
        self.inputs.append(InputDecl(name, s, param))
        ref = Ref(name, s, "param" if param else "input", self)
        self._refs[name] = ref
        return ref

    def input(self, name: str, shape: Union[int, Iterable[int]]) -> Ref:
        """Declares an input (a given value, not differentiated)."""
        return self._declare(name, shape, False)

    def param(self, name: str, shape: Union[int, Iterable[int]]) -> Ref:
        """Declares a parameter (a given value, a target of backprop)."""
        return self._declare(name, shape, True)

    def _materialize(self, name: str, expr: Operand, random: bool) -> Ref:
        self._check_open(name)
        pending: list[NodeDecl] = []
        shapes: dict[str, Shape] = {}
        counter = [0]

        def own(r: Ref) -> Ref:
            if r.graph is not self or self._refs.get(r.name) is not r:
                raise GraphError(f"node '{name}': reference '{r.name}' belongs to another graph")
            return r

        def node(nm: Optional[str], e: Expr, rand: bool) -> str:
            shown = nm if nm is not None else f"{name}.{counter[0]}"
            info = OPS.get(e.op)
            if info is None:
                raise GraphError(f"node '{shown}': unknown operator '{e.op}'")
            if info.random != rand:
                raise GraphError(
                    f"node '{shown}': '{e.op}' is a random operator (use Graph.sample)"
                    if info.random else
                    f"node '{shown}': '{e.op}' is a deterministic operator (use Graph.det)")
            if len(e.args) != info.arity:
                raise GraphError(f"node '{shown}': {e.op} takes {info.arity} parent(s), "
                                 f"got {len(e.args)}")
            parents = []
            for a in e.args:
                if isinstance(a, Ref):
                    parents.append(own(a).name)
                elif isinstance(a, Expr):
                    parents.append(node(None, a, False))
                else:
                    raise GraphError(f"node '{shown}': {e.op}: argument {a!r} is not a "
                                     "reference or an expression")
            if nm is None:  # fresh names in post-order: name.0, name.1, ...
                nm = f"{name}.{counter[0]}"
                counter[0] += 1
            if info.attr and not math.isfinite(e.attr):
                raise GraphError(f"node '{nm}': {e.op}: attribute must be finite, got {e.attr!r}")
            pshapes = [shapes[p] if p in shapes else self._refs[p].shape for p in parents]
            self._check_name(nm, shapes)
            decl = normalize_shape(nm, e.shape_decl) if info.shape_rule == "declared" else ()
            out = check_size(nm, infer_shape(nm, e.op, pshapes, decl))
            shapes[nm] = out
            pending.append(NodeDecl(nm, rand, e.op, float(e.attr) if info.attr else 0.0,
                                    tuple(parents), out))
            return nm

        if isinstance(expr, Ref):
            raise GraphError(f"node '{name}': expected an operator expression, got the "
                             f"reference '{expr.name}'")
        if not isinstance(expr, Expr):
            raise GraphError(f"node '{name}': expected an operator expression, got {expr!r}")
        if not isinstance(name, str) or not _NAME.match(name):
            self._check_name(name)
        node(name, expr, random)
        for d in pending:
            self.nodes.append(d)
            self._refs[d.name] = Ref(d.name, d.shape, "rand" if d.random else "det", self)
        return self._refs[name]

    def det(self, name: str, expr: Expr) -> Ref:
        """Adds a deterministic node ``name = expr``; nested expressions become
        nodes named ``name.0``, ``name.1``, ... in post-order (graph order)."""
        return self._materialize(name, expr, False)

    def sample(self, name: str, dist: Expr, baseline: Optional[Ref] = None) -> Ref:
        """Adds a random node ``name ~ dist`` (``mvn`` or ``mvn_std``).

        ``baseline``: a scalar input (shape ``()``, e.g. a running mean of the
        loss fed at each step) that the downstream estimator
        (``Runtime(g, estimator="downstream")``) subtracts from this node's
        score multiplier; it does not depend on the draw, so the estimate stays
        unbiased while its variance can drop. (The downstream estimator is
        the runtime's default; ``estimator="certigrad"`` takes no baseline.)"""
        if baseline is not None:
            bname = getattr(baseline, "name", baseline)
            decl = next((i for i in self.inputs if i.name == bname), None)
            if (not isinstance(baseline, Ref) or baseline.graph is not self or decl is None
                    or tuple(decl.shape) != ()):
                raise GraphError(f"node '{name}': its baseline must be a scalar input of this "
                                 f"graph (shape ()), got {bname!r}")
        ref = self._materialize(name, dist, True)
        if baseline is not None:
            self.baselines[name] = baseline.name
        return ref

    def cost(self, ref: Union[Ref, str]) -> Ref:
        """Marks a scalar reference as a cost."""
        name = ref if isinstance(ref, str) else getattr(ref, "name", None)
        self._check_open(name)
        r = self._refs.get(name) if isinstance(name, str) else None
        if r is None or (isinstance(ref, Ref) and ref.graph is not self):
            raise GraphError(f"node '{name}': unknown cost")
        if name in self.costs:
            raise GraphError(f"node '{name}': duplicate cost")
        if r.shape != ():
            raise GraphError(f"node '{name}': a cost must be a scalar, has shape {shape_str(r.shape)}")
        self.costs.append(r.name)
        return r

    # -- queries ------------------------------------------------------------
    def ref(self, name: str) -> Ref:
        """The reference called ``name`` (KeyError when unknown)."""
        return self._refs[name]

    def __contains__(self, name: object) -> bool:
        return name in self._refs

    @property
    def params(self) -> list[str]:
        """Parameter names in declaration order."""
        return [i.name for i in self.inputs if i.param]

    @property
    def rand_nodes(self) -> list[str]:
        return [n.name for n in self.nodes if n.random]

    def spec(self) -> tuple:
        """The plain-data form passed to the C++ runtime."""
        return ([(i.name, list(i.shape), i.param) for i in self.inputs],
                [(n.name, n.random, n.op, n.attr, list(n.parents), list(n.shape))
                 for n in self.nodes],
                list(self.costs))

    def certify(self, boxes: Optional[Mapping[str, Any]] = None) -> "CertifyResult":
        """Whether the sampled gradients are proved unbiased for every input
        in ``boxes`` (``{input: (lo, hi)}``, None for no bound): the checker
        of theories/stochastic/Certify.v, see :mod:`certigrad.certify`."""
        from .certify import certify

        return certify(self, boxes)

    def __repr__(self) -> str:
        return (f"Graph({len(self.inputs)} inputs, {len(self.nodes)} nodes, "
                f"costs={self.costs!r})")
