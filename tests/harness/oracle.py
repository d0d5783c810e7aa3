"""The reference oracle ``certigrad-ref`` (extracted from Coq) as a Python
function, for the differential harness (tests/test_differential.py,
tests/harness/compare.py).

The binary is ``$CERTIGRAD_REF`` when that is set, else
``_build/default/extraction/certigrad-ref`` (built by ``dune build``). A
missing binary is an error (:class:`OracleNotFound`), never a skip: CI
builds the oracle before running the tests.

:func:`run` feeds one ``certigrad-graph 1`` text (docs/format.md) to the
oracle and returns its ``certigrad-result 1`` output parsed by
:func:`parse_result`; an ``error: ...`` line from the oracle raises
:class:`OracleError`. The parser is independent of the ``certigrad``
package (the runtime under test), and strict: every line must be one of
the documented forms.

    from harness import oracle
    res = oracle.run(text)
    res["values"]["h"]   # float64 array, flat row-major, one per det/rand node
    res["costs"]["c"]    # float, one per cost, in cost order
    res["total"]         # float
    res["grads"]["W"]    # float64 array, flat, one per param
    oracle.run(text, baselines={"z": "b"})   # the downstream estimator

Replay a graph file with the oracle alone:
``_build/default/extraction/certigrad-ref < graph.txt``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional

import numpy as np

__all__ = ["OracleError", "OracleNotFound", "DEFAULT_PATH", "find", "run", "run_raw",
           "parse_result", "estimator_args", "replay_command"]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_PATH = REPO / "_build" / "default" / "extraction" / "certigrad-ref"


class OracleNotFound(FileNotFoundError):
    """The oracle binary is missing: build it with ``dune build``."""


class OracleError(RuntimeError):
    """The oracle rejected its input (its ``error: ...`` line), exited
    abnormally, or printed something that is not a result."""


def find() -> Path:
    """The oracle binary: ``$CERTIGRAD_REF`` or the dune build output.
    Raises :class:`OracleNotFound` (with the command to build it) when it
    is not an executable file."""
    env = os.environ.get("CERTIGRAD_REF")
    path = Path(env) if env else DEFAULT_PATH
    if not (path.is_file() and os.access(path, os.X_OK)):
        where = f"$CERTIGRAD_REF={env}" if env else str(path)
        raise OracleNotFound(
            f"the oracle certigrad-ref is not an executable file at {where}: run `dune build` "
            "in the repository root first (CI builds it before the tests), or set "
            "CERTIGRAD_REF to the binary")
    return path


def estimator_args(baselines: Optional[Mapping[str, str]]) -> list[str]:
    """The oracle's flags for an estimator: none for Certigrad's
    (``baselines`` None), else ``--estimator downstream`` and one
    ``--baseline Z=B`` per baseline (docs/format.md)."""
    if baselines is None:
        return []
    return ["--estimator", "downstream"] + [a for z, b in baselines.items()
                                            for a in ("--baseline", f"{z}={b}")]


def replay_command(graph_file: str | os.PathLike[str],
                   baselines: Optional[Mapping[str, str]] = None) -> str:
    """The shell command that replays a graph file with the oracle alone
    (``baselines``: the downstream estimator's, see :func:`estimator_args`)."""
    env = os.environ.get("CERTIGRAD_REF")
    binary = env if env else os.path.relpath(DEFAULT_PATH, REPO)
    return " ".join([binary] + estimator_args(baselines) + ["<", str(graph_file)])


def run_raw(text: str, naive: bool = False, timeout: float = 60.0,
            baselines: Optional[Mapping[str, str]] = None) -> str:
    """The oracle's standard output on ``text``, through the package's
    runner (``certigrad.oracle.run_text``), with Certigrad's estimator or,
    given ``baselines`` (possibly empty), the downstream one. Raises
    :class:`OracleError` with the oracle's error line when it exits with a
    non-zero status or writes to standard error."""
    from certigrad.errors import CertigradError
    from certigrad.oracle import run_text

    args = (["--naive"] if naive else []) + estimator_args(baselines)
    try:
        return run_text(text, args, binary=find(), timeout=timeout)
    except CertigradError as e:
        msg = str(e)
        raise OracleError(msg if msg.startswith("certigrad-ref:") else f"certigrad-ref: {msg}") \
            from None


def run(text: str, naive: bool = False,
        baselines: Optional[Mapping[str, str]] = None) -> dict[str, Any]:
    """Runs the oracle on a ``certigrad-graph 1`` text; the parsed result
    (``baselines``: see :func:`run_raw`)."""
    return parse_result(run_raw(text, naive=naive, baselines=baselines))


def _floats(no: int, toks: list[str]) -> np.ndarray:
    try:
        return np.array([float(t) for t in toks], dtype=np.float64)
    except ValueError:
        raise OracleError(f"result line {no}: bad number in {' '.join(toks)!r}") from None


def parse_result(text: str) -> dict[str, Any]:
    """Parses ``certigrad-result 1`` (docs/format.md) into a dict with keys
    ``values`` and ``grads`` (name -> flat float64 array, in file order),
    ``costs`` (name -> float, in file order) and ``total`` (float). An
    ``error:`` line, an unknown or malformed line, a duplicate name, a
    missing header, ``total`` or ``end`` raise :class:`OracleError`."""
    lines = [(no, ln.split()) for no, ln in enumerate(text.splitlines(), 1) if ln.strip()]
    if not lines or lines[0][1] != ["certigrad-result", "1"]:
        raise OracleError(f"not a result (expected header 'certigrad-result 1'): {text[:200]!r}")
    res: dict[str, Any] = {"values": {}, "costs": {}, "total": None, "grads": {}}
    ended = False
    for no, toks in lines[1:]:
        kw = toks[0]
        if kw.startswith("error"):
            raise OracleError(f"certigrad-ref: {' '.join(toks)}")
        if ended:
            raise OracleError(f"result line {no}: text after 'end'")
        if kw in ("value", "grad") and len(toks) >= 3:
            d = res["values" if kw == "value" else "grads"]
            if toks[1] in d:
                raise OracleError(f"result line {no}: duplicate {kw} for '{toks[1]}'")
            d[toks[1]] = _floats(no, toks[2:])
        elif kw == "cost" and len(toks) == 3:
            if toks[1] in res["costs"]:
                raise OracleError(f"result line {no}: duplicate cost '{toks[1]}'")
            res["costs"][toks[1]] = float(_floats(no, toks[2:])[0])
        elif kw == "total" and len(toks) == 2 and res["total"] is None:
            res["total"] = float(_floats(no, toks[1:])[0])
        elif kw == "end" and len(toks) == 1:
            ended = True
        else:
            raise OracleError(f"result line {no}: unexpected {' '.join(toks[:3])!r}")
    if not ended:
        raise OracleError("result has no 'end' line")
    if res["total"] is None:
        raise OracleError("result has no 'total' line")
    return res
