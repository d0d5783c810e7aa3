"""Every operator of the table, in every part of the project.

The table is ``all_ops`` in theories/core/Ops.v; the oracle prints it as
ops/ops.json (``certigrad-ref --ops``), cpp/ops_table.hpp (``--ops-cpp``)
and python/certigrad/_ops_table.py (``--ops-py``), all three committed and
diffed by ``dune test``. Here, for every operator of the table:

- every column agrees between ops.json, the Python table, the C++ table of
  the built extension (``_core.op_table()``) and ``certigrad.OPS``;
- it has a C++ kernel (a missing one does not compile; here the runtime
  runs it, forward and backward) and a DSL function in ``certigrad.ops``;
- it has a golden oracle case extraction/test/cases/op_NAME.graph;
- it has an entry of its kind in the test references' registry
  (tests/harness/references.py), and every reference answers for it, on a
  one-node graph, and agrees with the oracle: the numpy forward or sample
  (which the generator tests/harness/strategies.py uses), the error-bound
  model (tests/harness/error_model.py), the 60-digit evaluator
  (tests/harness/exact.py) and the PyTorch estimator
  (tests/harness/torch_estimator.py).

A missing generated file, kernel, function, golden case or reference entry
is a failure, never a skip. A missing declared test dependency (torch,
mpmath) is a skip with its reason, and a failure when CI=true
(tests/harness/deps.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import certigrad as cg
from certigrad import _core
from harness import oracle
from harness.deps import require
from harness.error_model import model_run
from harness.exact import exact_run
from harness.graph_text import parse_graph
from harness.references import missing_entries
from harness.strategies import TABLE, GenGraph, eval_op, sample_op
from harness.torch_estimator import torch_estimator

REPO = Path(__file__).resolve().parent.parent
GENERATED = {  # file -> the oracle's flag that prints it
    REPO / "ops" / "ops.json": "--ops",
    REPO / "cpp" / "ops_table.hpp": "--ops-cpp",
    REPO / "python" / "certigrad" / "_ops_table.py": "--ops-py",
}
CASES = REPO / "extraction" / "test" / "cases"
NAMES = list(TABLE)


def _json_table() -> dict[str, dict[str, Any]]:
    path = REPO / "ops" / "ops.json"
    assert path.is_file(), f"{path} is missing: `certigrad-ref --ops > ops/ops.json`"
    return {o["name"]: o for o in json.loads(path.read_text())["ops"]}


# ---------------------------------------------------------------------------
# The generated files


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: str(p.relative_to(REPO)))
def test_generated_file_is_what_the_oracle_prints(path: Path) -> None:
    flag = GENERATED[path]
    assert path.is_file(), f"{path} is missing: `certigrad-ref {flag} > {path}`"
    out = subprocess.run([str(oracle.find()), flag], capture_output=True, text=True, check=True)
    assert path.read_text() == out.stdout, (
        f"{path} differs from `certigrad-ref {flag}`: run `dune test` then `dune promote`")


def test_the_installed_package_has_the_generated_table() -> None:
    from certigrad import _ops_table

    assert tuple(_ops_table.TABLE) == tuple(TABLE.values()), (
        "the installed certigrad._ops_table differs from python/certigrad/_ops_table.py: "
        "reinstall the package (pip install .)")


def test_names_and_order_agree_everywhere() -> None:
    assert NAMES, "the operator table is empty"
    assert list(_json_table()) == NAMES
    assert [o["name"] for o in _core.op_table()] == NAMES
    assert _core.op_names() == NAMES
    assert list(cg.OPS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_column_agrees(name: str) -> None:
    row = TABLE[name]
    js = _json_table()[name]
    cpp = {o["name"]: o for o in _core.op_table()}[name]
    py = cg.OPS[name]
    assert (js["kind"], js["arity"], js["has_attribute"], js["shape_rule"], js["domain"]) == \
        (row.kind, row.arity, row.has_attribute, row.shape_rule, row.domain)
    assert (cpp["random"], cpp["arity"], cpp["attr"], cpp["shape_rule"], cpp["domain"]) == \
        (row.kind == "rand", row.arity, row.has_attribute, row.shape_rule, row.domain)
    assert (cpp["domain_parent"], cpp["domain_rule"]) == \
        ((-1, "none") if row.domain_parent is None else (row.domain_parent, row.domain_rule))
    assert (py.random, py.arity, py.attr, py.shape_rule, py.domain_parent, py.domain_rule) == \
        (row.kind == "rand", row.arity, row.has_attribute, row.shape_rule, row.domain_parent,
         row.domain_rule)
    assert (row.domain == "-") == (row.domain_parent is None)
    if row.domain_parent is not None:
        assert 0 <= row.domain_parent < row.arity
        assert cpp["domain_label"] in row.domain.split() and cpp["domain_must"] in row.domain


# ---------------------------------------------------------------------------
# Kernels, DSL functions, golden cases


@pytest.mark.parametrize("name", NAMES)
def test_every_op_has_a_dsl_function(name: str) -> None:
    assert name in cg.__all__ and name in cg.ops.__all__
    fn = getattr(cg.ops, name, None)
    assert callable(fn), f"python/certigrad/ops.py has no function {name}"
    assert getattr(cg, name, None) is fn, f"certigrad.{name} is not certigrad.ops.{name}"
    row = TABLE[name]
    g = cg.Graph()
    xs = [g.input(f"x{i}", (2, 2)) for i in range(row.arity)]
    if row.shape_rule == "declared":
        e = fn((2, 2))
    else:
        e = fn(0.5, *xs) if row.has_attribute else fn(*xs)
    assert isinstance(e, cg.Expr) and e.op == name and len(e.args) == row.arity


@pytest.mark.parametrize("name", NAMES)
def test_every_op_has_a_golden_oracle_case(name: str) -> None:
    graph = CASES / f"op_{name}.graph"
    assert graph.is_file(), f"no golden case {graph} (add it to extraction/test/hand.py)"
    assert (CASES / f"op_{name}.expected").is_file()
    ops_used = {ln.split("=")[1].split()[0] for ln in graph.read_text().splitlines()
                if ln.startswith(("det ", "rand ")) and "=" in ln}
    assert name in ops_used, f"{graph} does not use {name}"


# ---------------------------------------------------------------------------
# One-node graphs: the runtime's kernel and every test reference against the
# oracle


def _values(rule: Any, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    if rule == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if rule == "nonzero":
        return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if rule == "unit":
        return rng.uniform(0.1, 0.9, shape)
    return rng.uniform(-1.0, 1.0, shape)


def one_node_graph(name: str) -> GenGraph:
    """``y = name(p0, p1, ...)`` on params inside the domain, the cost ``y``
    (or its sum), built from the table's columns alone."""
    row = TABLE[name]
    rng = np.random.default_rng(sum(map(ord, name)))
    shapes = {"gemm": [(2, 3), (3, 2)], "declared": []}.get(row.shape_rule,
                                                          [(2, 3)] * row.arity)
    gg = GenGraph()
    for i, s in enumerate(shapes):
        v = _values(row.domain_rule if i == row.domain_parent else None, s, rng)
        gg.inputs.append((f"p{i}", s, True))
        gg.values[f"p{i}"] = gg.forward[f"p{i}"] = v
    ps = [gg.values[f"p{i}"] for i in range(len(shapes))]
    attr = 0.75 if row.has_attribute else None
    if row.kind == "rand":
        y = sample_op(name, ps, (2, 3) if row.shape_rule == "declared" else shapes[0], rng)
        gg.draws["y"] = y
    else:
        y = np.asarray(eval_op(name, attr, ps), dtype=np.float64)
    gg.nodes.append(("y", row.kind, name, attr, tuple(f"p{i}" for i in range(len(shapes))),
                     y.shape))
    gg.forward["y"] = y
    if y.shape == ():
        gg.costs = ["y"]
    else:
        gg.nodes.append(("c", "det", "sum", None, ("y",), ()))
        gg.forward["c"] = np.asarray(np.sum(y))
        gg.costs = ["c"]
    return gg


def _close(got: Any, want: Any, what: str, rtol: float = 1e-9) -> None:
    got = np.asarray(got, dtype=np.float64).ravel()
    want = np.asarray(want, dtype=np.float64).ravel()
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * (1 + np.max(np.abs(want))),
                               err_msg=what)


def _as_result(values: dict, costs: dict, total: Any, grads: dict,
               conv: Callable[[Any], Any] = lambda x: x) -> dict[str, Any]:
    return {"values": {k: conv(v) for k, v in values.items()},
            "costs": {k: conv(v) for k, v in costs.items()}, "total": conv(total),
            "grads": {k: conv(v) for k, v in grads.items()}}


def ref_numpy(gg: GenGraph, text: str) -> dict[str, Any]:
    """The registry's numpy forward or sample, as the generator evaluates
    it (eval_op / sample_op): the values."""
    return {"values": {n[0]: gg.forward[n[0]] for n in gg.nodes}}


def ref_runtime(gg: GenGraph, text: str) -> dict[str, Any]:
    """The C++ runtime (the operator's kernel), float64, Certigrad's
    estimator (the oracle's default)."""
    g, feeds, draws = cg.interchange.load(text)
    r = cg.Runtime(g, dtype="float64", estimator="certigrad").run(feeds, draws=draws, values=True)
    return _as_result(r.values, r.costs, r.total, r.grads)


def ref_model(gg: GenGraph, text: str) -> dict[str, Any]:
    """tests/harness/error_model.py: the error-bound model (the registry's
    model_forward, model_pullbacks, model_score)."""
    r = model_run(parse_graph(text))
    return _as_result(r["values"], r["costs"], r["total"], r["grads"], lambda t: t.v)


def ref_exact(gg: GenGraph, text: str) -> dict[str, Any]:
    """tests/harness/exact.py: the 60-digit evaluator (the registry's
    exact_forward, exact_pullbacks, exact_score)."""
    require("mpmath")
    r = exact_run(parse_graph(text))
    f = lambda a: np.array([float(t) for t in np.asarray(a, dtype=object).ravel()])  # noqa: E731
    return _as_result(r["values"], r["costs"], r["total"], r["grads"], f)


def ref_torch(gg: GenGraph, text: str) -> dict[str, Any]:
    """tests/harness/torch_estimator.py: the PyTorch estimator (the
    registry's torch_forward, torch_log_density)."""
    torch = require("torch")
    costs, total, values, grads = torch_estimator(gg, torch)
    return _as_result(values, costs, total, grads)


REFERENCES = {"numpy": ref_numpy, "runtime": ref_runtime, "model": ref_model,
              "exact": ref_exact, "torch": ref_torch}


def test_the_registry_covers_the_table() -> None:
    """One entry of the operator's kind per operator of the table, none for
    another operator."""
    missing = missing_entries()
    assert not missing, "the test references' registry does not match the operator table:\n  " \
        + "\n  ".join(missing)


@pytest.mark.parametrize("ref", sorted(REFERENCES))
@pytest.mark.parametrize("name", NAMES)
def test_every_reference_answers_for_every_op(name: str, ref: str) -> None:
    try:
        gg = one_node_graph(name)
    except ValueError as e:
        pytest.fail(f"tests/harness/references.py has no numpy reference for '{name}' "
                    f"(forward / sample): {e!r}")
    text = gg.to_text()
    want = oracle.run(text)
    try:
        got = REFERENCES[ref](gg, text)
    except (ValueError, AssertionError, KeyError) as e:
        pytest.fail(f"reference '{ref}' ({REFERENCES[ref].__doc__.split(':')[0]}) has no entry "
                    f"for '{name}': {e!r}")
    for part in ("values", "costs", "grads"):
        for k, v in got.get(part, {}).items():
            _close(v, want[part][k], f"{ref} {part} {k} of {name}")
    if "total" in got:
        _close(got["total"], want["total"], f"{ref} total of {name}")
    assert set(got["values"]) == set(want["values"])
