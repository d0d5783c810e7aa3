"""Certify a graph's sampled gradients unbiased, with the checker proved in Coq.

:func:`certify` (also :meth:`certigrad.Graph.certify`) runs the checker of
theories/stochastic/Certify.v, extracted to OCaml and exposed by the oracle
``certigrad-ref --certify`` (docs/certify.md, docs/format.md), on a graph
and a box for each data input::

    res = g.certify({"x": (0, 1)})
    if res:                       # certified
        print(res.theorem, res.checker)
    else:
        print(res.node, res.reason)

Boxes: ``{name: (lo, hi)}`` for data inputs (``input`` declarations); an end
point may be ``None`` (unbounded); a float is read as the exact binary value
it holds, a string as the decimal it spells. Inputs without a box and all
parameters are unbounded.

The oracle is the one installed with the package (:func:`certigrad.oracle.find`).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Optional, Sequence, Union

from . import oracle
from .errors import CertifyError, OracleNotFound

if TYPE_CHECKING:
    from .graph import Graph

__all__ = ["CertifyResult", "certify", "certify_text", "find_oracle", "format_box"]

Bound = Union[None, int, float, str, Decimal]

def find_oracle() -> Path:
    """The oracle :func:`certigrad.oracle.find` locates (``$CERTIGRAD_REF``,
    else the one installed with the package); a missing one raises
    :class:`CertifyError` saying how to get it."""
    try:
        return oracle.find()
    except OracleNotFound as e:
        raise CertifyError(str(e)) from None


@dataclass(frozen=True)
class CertifyResult:
    """The checker's verdict. ``certified``: the preconditions of
    ``backprop_unbiased`` are proved for every input in the boxes, hence
    ``theorem`` (a Coq theorem name) applies; ``checker`` is the checker's
    version. ``reparameterized``: the ``(mvn node, new mvn_std node)`` pairs
    the certified graph reparameterizes (the unbiased gradient is the one
    backprop computes on that graph). Otherwise ``node`` and ``reason`` say
    where and why a precondition could not be established."""

    certified: bool
    theorem: Optional[str] = None
    checker: Optional[str] = None
    reparameterized: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    node: Optional[str] = None
    reason: Optional[str] = None

    def __bool__(self) -> bool:
        return self.certified

    def __str__(self) -> str:
        if self.certified:
            rep = "".join(f"; {z} reparameterized as {z} = sigma * {e} + mu"
                          for z, e in self.reparameterized)
            return f"certified: unbiased gradients ({self.theorem}, checker {self.checker}{rep})"
        return f"not certified: node '{self.node}': {self.reason}"


def format_bound(b: Bound) -> str:
    """One end point as the oracle reads it: empty for ``None``, the exact
    decimal of a float, a string as given."""
    if b is None:
        return ""
    if isinstance(b, str):
        return b.strip()
    if isinstance(b, float) and not (b == b and abs(b) != float("inf")):
        raise CertifyError(f"box end point {b!r} is not finite (use None for unbounded)")
    if isinstance(b, bool):
        raise CertifyError(f"box end point {b!r} is not a number")
    d = Decimal(b)  # exact for int and float
    return format(d, "f")


def format_box(name: str, box: Optional[Sequence[Bound]]) -> str:
    """``NAME=LO:HI`` for ``certigrad-ref --certify``."""
    if box is None:
        return f"{name}=:"
    if isinstance(box, (str, bytes)) or len(box) != 2:
        raise CertifyError(f"box for '{name}': expected (lo, hi), got {box!r}")
    return f"{name}={format_bound(box[0])}:{format_bound(box[1])}"


def parse_verdict(text: str) -> CertifyResult:
    """Parses the ``certigrad-certify 1`` text (docs/format.md)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if len(lines) < 3 or lines[0] != "certigrad-certify 1" or lines[-1] != "end":
        raise CertifyError(f"unexpected output of certigrad-ref --certify: {text[:200]!r}")
    kv: dict[str, str] = {}
    reps: list[tuple[str, str]] = []
    for ln in lines[2:-1]:
        key, _, rest = ln.partition(" ")
        if key == "reparameterize":
            z, _, e = rest.partition(" ")
            reps.append((z, e))
        else:
            kv[key] = rest
    if lines[1] == "certified":
        return CertifyResult(True, theorem=kv.get("theorem"), checker=kv.get("checker"),
                             reparameterized=tuple(reps))
    if lines[1] == "rejected":
        return CertifyResult(False, node=kv.get("node", ""), reason=kv.get("reason", ""))
    raise CertifyError(f"unexpected verdict line {lines[1]!r} from certigrad-ref --certify")


def certify_text(graph_text: str, boxes: Optional[Mapping[str, Optional[Sequence[Bound]]]] = None,
                 timeout: float = 120.0) -> CertifyResult:
    """:func:`certify` on a ``certigrad-graph 1`` text."""
    args = [format_box(k, v) for k, v in (boxes or {}).items()]
    try:
        proc = subprocess.run([str(find_oracle()), "--certify", *args], input=graph_text,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CertifyError(f"certigrad-ref --certify took more than {timeout:g} s") from None
    if proc.returncode != 0:
        err = proc.stderr.strip().splitlines()
        raise CertifyError(err[0] if err else f"certigrad-ref --certify: exit status {proc.returncode}")
    return parse_verdict(proc.stdout)


def certify(graph: "Graph", boxes: Optional[Mapping[str, Optional[Sequence[Bound]]]] = None
            ) -> CertifyResult:
    """Runs the extracted checker on ``graph`` with ``boxes`` (see the module
    docstring). A box for a parameter or a non-input name is a rejection
    naming it; a malformed box raises :class:`CertifyError`."""
    from .interchange import dump_graph

    return certify_text(dump_graph(graph), boxes)


def main(path: str, box_args: Sequence[str]) -> int:
    """``certigrad certify FILE [--box NAME=LO:HI ...]``: prints the verdict;
    exit status 0 certified, 1 not certified, 2 bad input."""
    import sys

    from .errors import CertigradError
    from .interchange import load

    def fail(msg: str) -> int:
        print(f"certigrad: error: {msg}", file=sys.stderr, flush=True)
        return 2

    try:
        text = Path(path).read_text()
    except OSError as e:
        return fail(f"{path}: {e.strerror or e}")
    boxes: dict[str, tuple[str, str]] = {}
    for a in box_args:
        name, eq, rng = a.partition("=")
        lo, colon, hi = rng.partition(":")
        if not eq or not colon:
            return fail(f"bad --box {a!r}: expected NAME=LO:HI (LO or HI empty for no bound)")
        boxes[name.strip()] = (lo, hi)
    try:
        graph = load(text)[0]
        res = certify(graph, boxes)
    except CertigradError as e:
        return fail(f"{path}: {e}")
    print(res)
    return 0 if res else 1
