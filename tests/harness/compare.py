"""Comparison and report of the differential harness: the runtime
(float64, one thread) and the error-bound model against the oracle, entry
by entry, within ``TOL_FACTOR * E``; the per-operator statistics and the
report (``_build/differential-report.txt``); the failure message of a
disagreement; and the command line ``python3 tests/test_differential.py
GRAPH_FILE`` (:func:`main`)."""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from . import oracle
from .config import DOWNSTREAM_EXAMPLES, EXAMPLES, FAILURE, OPS_JSON, REPO, SEED
from .error_model import Tr, model_run
from .graph_text import GraphText, parse_graph, reachable_costs

__all__ = ["TOL_FACTOR", "REL_TARGET", "VARIANTS", "run_runtime", "ulp_distance", "rel_error",
           "Entry", "Comparison", "variant_rows", "compare_results", "Perturb",
           "compare_text", "failure_message", "Agg", "Stats", "digest", "all_op_names", "main"]

TOL_FACTOR = 2.0        # each side within E of the exact value
REL_TARGET = 1e-12      # the relative target, reported (not the test's bound)


def run_runtime(text: str, baselines: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """The runtime on a graph text: float64, one thread, the text's draws;
    Certigrad's estimator, or with ``baselines`` (rand node -> input,
    possibly empty) the downstream one."""
    import certigrad as cg

    g, feeds, draws = cg.interchange.load(text)
    est = "certigrad" if baselines is None else "downstream"
    g.baselines.update(baselines or {})
    res = cg.Runtime(g, dtype="float64", threads=1, estimator=est).run(feeds, draws=draws,
                                                                       values=True)
    return {"values": {k: np.asarray(v, dtype=np.float64) for k, v in res.values.items()},
            "costs": dict(res.costs), "total": float(res.total),
            "grads": {k: np.asarray(v, dtype=np.float64) for k, v in res.grads.items()}}


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of float64 steps between ``a`` and ``b`` (0 when equal,
    ``-0.0`` and ``0.0`` included), as float64 (exact below 2^53)."""
    def ordered(x: np.ndarray) -> np.ndarray:
        i = np.ascontiguousarray(x, dtype=np.float64).view(np.int64)
        return np.where(i < 0, -(i & np.int64(0x7FFFFFFFFFFFFFFF)), i)
    oa, ob = ordered(a), ordered(b)
    same = (oa >= 0) == (ob >= 0)
    near = np.abs(np.where(same, oa - ob, 0)).astype(np.float64)   # exact in int64
    far = np.abs(oa).astype(np.float64) + np.abs(ob).astype(np.float64)
    return np.where(same, near, far)


def rel_error(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d = np.abs(a - b)
    m = np.maximum(np.abs(a), np.abs(b))
    return np.where(d == 0, 0.0, d / np.where(m == 0, 1.0, m))


@dataclass
class Entry:
    """One compared quantity: ``what`` (``value``/``cost``/``total``/``grad``),
    its name, the operator rows it is reported under, the two sides (flat)
    and the bound ``E`` (flat)."""

    what: str
    name: str
    rows: tuple[str, ...]
    runtime: np.ndarray
    oracle: np.ndarray
    bound: np.ndarray


@dataclass
class Comparison:
    entries: list[Entry]
    problems: list[str]   # mismatches beyond tolerance, missing or extra entries

    @property
    def ok(self) -> bool:
        return not self.problems


def _flat(a: Any) -> np.ndarray:
    return np.asarray(a, dtype=np.float64).reshape(-1)


# The runtime's special paths (cpp/kernels.hpp), reported as their own rows:
# bernoulli_neglogpdf whose p is a sigmoid node runs in logit form, and its
# pullback is fused through the sigmoid when that sigmoid feeds nothing else
# and is not a cost.
VARIANTS = ["bernoulli/logit", "bernoulli/fused"]


def variant_rows(gt: GraphText) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    """Extra report rows: per node (the bernoulli node of a logit-form or
    fused pair), and per reference for its gradient (the sigmoid's parent of
    a fused pair)."""
    kind = {n[0]: n[2] for n in gt.nodes}
    uses: dict[str, int] = {}
    for n in gt.nodes:
        for q in n[4]:
            uses[q] = uses.get(q, 0) + 1
    parents = {n[0]: n[4] for n in gt.nodes}
    nodes: dict[str, tuple[str, ...]] = {}
    grads: dict[str, tuple[str, ...]] = {}
    for name, _, op, _, ps, _ in gt.nodes:
        if op != "bernoulli_neglogpdf" or kind.get(ps[0]) != "sigmoid":
            continue
        fused = uses[ps[0]] == 1 and ps[0] not in gt.costs
        nodes[name] = ("bernoulli/logit",) + (("bernoulli/fused",) if fused else ())
        if fused:
            grads[parents[ps[0]][0]] = ("bernoulli/fused",)
    return nodes, grads


def compare_results(gt: GraphText, rt: dict[str, Any], orc: dict[str, Any],
                    model: dict[str, Any]) -> Comparison:
    """Checks runtime and model against the oracle, entry by entry, within
    ``TOL_FACTOR * E``; lists every problem."""
    problems: list[str] = []
    entries: list[Entry] = []
    node_op = {n[0]: n[2] for n in gt.nodes}
    node_variants, grad_variants = variant_rows(gt)
    consumers: dict[str, set[str]] = {}
    for name, _, op, _, parents, _ in gt.nodes:
        for p in parents:
            consumers.setdefault(p, set()).add(op)
    wanted = {"values": [n[0] for n in gt.nodes], "costs": list(gt.costs),
              "grads": gt.params}
    for key, names in wanted.items():
        for side, res in (("oracle", orc), ("runtime", rt)):
            got = list(res[key])
            if got != names:
                problems.append(f"{side} {key}: names {got} (in this order), expected {names}")
    what = {"values": "value", "costs": "cost", "grads": "grad"}
    items: list[tuple[str, str, tuple[str, ...], Any, Any, Tr]] = []
    for key in ("values", "costs", "grads"):
        for name in wanted[key]:
            if name not in rt[key] or name not in orc[key]:
                continue
            if key == "values":
                rows = (node_op[name],) + node_variants.get(name, ())
            elif key == "costs":
                rows = ("cost",)
            else:
                rows = ("grad",) + tuple(sorted(consumers.get(name, ()))) + \
                    grad_variants.get(name, ())
            items.append((what[key], name, rows, rt[key][name], orc[key][name],
                          model[key][name]))
    items.append(("total", "total", ("total",), rt["total"], orc["total"], model["total"]))
    for w, name, rows, a_rt, a_or, tr in items:
        r, o, mv, e = _flat(a_rt), _flat(a_or), _flat(tr.v), _flat(tr.e)
        if not (r.size == o.size == e.size):
            problems.append(f"{w} {name}: {r.size} entries from the runtime, {o.size} from "
                            f"the oracle, {e.size} expected")
            continue
        tol = TOL_FACTOR * e
        for side, a in (("runtime", r), ("model", mv)):
            with np.errstate(invalid="ignore"):
                bad = ~(np.abs(a - o) <= tol)  # NaN counts as bad
            for i in np.flatnonzero(bad)[:5]:
                problems.append(
                    f"{w} {name}[{i}]: {side} {float(a[i])!r} vs oracle {float(o[i])!r}: "
                    f"|diff| {abs(a[i] - o[i]):.3g} > tolerance {tol[i]:.3g} "
                    f"(= {TOL_FACTOR:g} E, E {e[i]:.3g}; {ulp_distance(a[i:i+1], o[i:i+1])[0]:.0f} "
                    f"ulps)" + ("  [harness model defect]" if side == "model" else ""))
        entries.append(Entry(w, name, rows, r, o, e))
    return Comparison(entries, problems)


Perturb = Callable[[dict[str, Any], GraphText], None]


def compare_text(text: str, perturb: Optional[Perturb] = None,
                 baselines: Optional[dict[str, str]] = None) -> Comparison:
    """Runs the oracle and the runtime on ``text`` and compares them, with
    Certigrad's estimator or, given ``baselines``, the downstream one.
    ``perturb(result, graph)`` (for the harness's own tests) edits the
    runtime's result before the comparison."""
    orc = oracle.run(text, baselines=baselines)
    rt = run_runtime(text, baselines)
    gt = parse_graph(text)
    if perturb is not None:
        perturb(rt, gt)
    return compare_results(gt, rt, orc, model_run(gt, baselines))


def failure_message(text: str, problems: list[str], path: Path = FAILURE,
                    baselines: Optional[dict[str, str]] = None) -> str:
    """What a disagreement prints: the problems, the (minimal) graph, and how
    to replay it with the oracle alone (with the downstream estimator's
    flags when ``baselines`` is given)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        saved = f"saved to {path}"
    except OSError as e:  # the message still holds the text
        saved = f"could not save it to {path}: {e}"
    rel = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
    return ("runtime (float64) and oracle disagree:\n  " + "\n  ".join(problems[:20])
            + (f"\n  ... {len(problems) - 20} more" if len(problems) > 20 else "")
            + f"\n\ngraph ({saved}):\n{text}\n"
            + f"replay with the oracle alone (from the repository root):\n  "
            + oracle.replay_command(rel, baselines)
            + f"\nboth sides and the comparison:\n  python3 tests/test_differential.py {rel}"
            + "".join(f" {a}" for a in oracle.estimator_args(baselines)) + "\n")


# ---------------------------------------------------------------------------
# Statistics and the report


@dataclass
class Agg:
    n: int = 0            # entries compared
    ulps: float = 0.0     # largest ulp distance
    rel: float = 0.0      # largest relative error
    frac: float = 0.0     # largest |diff| / E over entries with E > 0

    def add(self, r: np.ndarray, o: np.ndarray, e: np.ndarray) -> None:
        if r.size == 0:
            return
        self.n += r.size
        self.ulps = max(self.ulps, float(np.max(ulp_distance(r, o))))
        self.rel = max(self.rel, float(np.max(rel_error(r, o))))
        d = np.abs(r - o)
        pos = e > 0
        if np.any(pos):
            self.frac = max(self.frac, float(np.max(d[pos] / e[pos])))


@dataclass
class Stats:
    graphs: int = 0
    seen: set[bytes] = field(default_factory=set)             # digests of the graph texts
    stochastic: int = 0        # graphs with at least one rand node
    nodes: int = 0
    op_nodes: dict[str, int] = field(default_factory=dict)   # occurrences
    op_graphs: dict[str, int] = field(default_factory=dict)  # graphs containing the op
    agg: dict[tuple[str, str], Agg] = field(default_factory=dict)  # (row, value|grad)
    entries: int = 0           # numbers compared
    rel_over: int = 0          # ... of which differ by more than REL_TARGET relative
    rel_over_worst: float = 0.0  # largest relative difference among those
    seconds: float = 0.0
    downstream: bool = False   # the downstream estimator's run (baselines given)
    score_nodes: int = 0       # mvn nodes (score terms), downstream runs
    with_baseline: int = 0     # ... of which have a baseline
    partial: int = 0           # ... of which reach only some of the costs
    multi: int = 0             # ... of which reach two costs or more

    def add(self, text: str, gt: GraphText, cmp: Comparison,
            baselines: Optional[dict[str, str]] = None) -> None:
        self.graphs += 1
        self.seen.add(digest(text, baselines))
        if baselines is not None:
            for n in gt.nodes:
                if n[2] == "mvn":
                    self.score_nodes += 1
                    self.with_baseline += n[0] in baselines
                    k = len(reachable_costs(gt.nodes, gt.costs, n[0]))
                    self.partial += k < len(gt.costs)
                    self.multi += k >= 2
        self.stochastic += any(n[1] == "rand" for n in gt.nodes)
        self.nodes += len(gt.nodes)
        for op in {n[2] for n in gt.nodes}:
            self.op_graphs[op] = self.op_graphs.get(op, 0) + 1
        for n in gt.nodes:
            self.op_nodes[n[2]] = self.op_nodes.get(n[2], 0) + 1
        vs, _ = variant_rows(gt)
        for row in VARIANTS:
            k = sum(row in vs.get(n[0], ()) for n in gt.nodes)
            self.op_nodes[row] = self.op_nodes.get(row, 0) + k
            self.op_graphs[row] = self.op_graphs.get(row, 0) + (k > 0)
        for en in cmp.entries:
            rel = rel_error(en.runtime, en.oracle)
            self.entries += rel.size
            self.rel_over += int(np.count_nonzero(rel > REL_TARGET))
            if rel.size:
                self.rel_over_worst = max(self.rel_over_worst, float(np.max(rel)))
            col = "grad" if en.what == "grad" else "value"
            for row in en.rows:
                self.agg.setdefault((row, col), Agg()).add(en.runtime, en.oracle, en.bound)

    def table(self, all_ops: list[str]) -> str:
        def cells(a: Optional[Agg]) -> str:
            if a is None or a.n == 0:
                return f"{'-':>8} {'-':>6} {'-':>9} {'-':>7}"
            ulps = f"{a.ulps:.0f}" if a.ulps < 1e6 else f"{a.ulps:.0e}"
            return f"{a.n:>8} {ulps:>6} {a.rel:>9.2e} {a.frac:>7.3f}"

        head = (f"{'operator':<20} {'nodes':>6} {'graphs':>6} | {'values':>8} {'ulps':>6} "
                f"{'rel err':>9} {'|d|/E':>7} | {'grads':>8} {'ulps':>6} {'rel err':>9} "
                f"{'|d|/E':>7}")
        out = [head, "-" * len(head)]
        for row in list(all_ops) + VARIANTS + ["cost", "total", "grad"]:
            counted = row in all_ops or row in VARIANTS
            nodes = self.op_nodes.get(row, 0) if counted else ""
            graphs_ = self.op_graphs.get(row, 0) if counted else ""
            out.append(f"{row:<20} {nodes:>6} {graphs_:>6} | {cells(self.agg.get((row, 'value')))}"
                       f" | {cells(self.agg.get((row, 'grad')))}")
        return "\n".join(out)

    def report(self, all_ops: list[str]) -> str:
        est = ("estimator: downstream (certigrad-ref --estimator downstream --baseline ...): "
               f"{self.score_nodes} score nodes (mvn), {self.with_baseline} with a baseline, "
               f"{self.partial} reaching only some costs, {self.multi} two costs or more\n") \
            if self.downstream else \
            "estimator: certigrad (each score times the total cost)\n"
        return (
            f"certigrad differential harness: runtime (float64, 1 thread) vs certigrad-ref\n"
            + est +
            f"{self.graphs} distinct graphs compared ({self.stochastic} with rand nodes, "
            f"{self.graphs - self.stochastic} deterministic), {self.nodes} nodes, "
            f"{self.seconds:.1f} s; "
            f"examples={DOWNSTREAM_EXAMPLES if self.downstream else EXAMPLES}, "
            f"seed={'derandomized' if SEED is None else SEED}\n"
            f"tolerance per entry: |runtime - oracle| <= {TOL_FACTOR:g} E "
            f"(E: first-order rounding-error bound, see tests/harness/error_model.py)\n"
            f"{self.entries} numbers compared; {self.rel_over} differ by more than "
            f"{REL_TARGET:g} relative (largest {self.rel_over_worst:.3g}), each within its "
            f"2 E: results of cancellation\n"
            f"columns: nodes/graphs = occurrences of the operator; values = entries of "
            f"its nodes' values compared;\n"
            f"  grads = gradient entries of params that are a direct parent of such a node "
            f"(row 'grad': all);\n"
            f"  bernoulli/logit: bernoulli_neglogpdf nodes whose p is a sigmoid node (the "
            f"runtime's logit form);\n"
            f"  bernoulli/fused: those whose sigmoid feeds nothing else (fused pullback; "
            f"grads: params under that sigmoid)\n"
            f"  ulps, rel err, |d|/E = largest over those entries of the runtime/oracle "
            f"discrepancy; the test bounds |d|/E by {TOL_FACTOR:g}.\n"
            f"  ulps and rel err are large only where the exact value is ~0 (cancellation,\n"
            f"  e.g. the gradient of div x x), where E is large too\n\n"
            + self.table(all_ops) + "\n")


def digest(text: str, baselines: Optional[dict[str, str]] = None) -> bytes:
    key = text if baselines is None else text + json.dumps(sorted(baselines.items()))
    return hashlib.blake2b(key.encode(), digest_size=16).digest()


def all_op_names() -> list[str]:
    return [o["name"] for o in json.loads(OPS_JSON.read_text())["ops"]]


def _estimator_flags(args: list[str]) -> Optional[dict[str, str]]:
    """The baselines of the oracle's flags ``--estimator downstream
    [--baseline Z=B]...`` (None: none given, Certigrad's estimator)."""
    if not args:
        return None
    if args[:2] != ["--estimator", "downstream"] or len(args) % 2:
        raise ValueError(f"expected --estimator downstream [--baseline Z=B]..., got {args}")
    out: dict[str, str] = {}
    for flag, zb in zip(args[2::2], args[3::2]):
        z, sep, b = zb.partition("=")
        if flag != "--baseline" or not sep:
            raise ValueError(f"expected --baseline Z=B, got {flag} {zb}")
        out[z] = b
    return out


def main(argv: list[str]) -> int:
    """``python3 tests/test_differential.py GRAPH_FILE [--estimator
    downstream [--baseline Z=B]...]``: both sides on one graph, every
    compared entry and the verdict."""
    try:
        baselines = _estimator_flags(argv[2:])
    except ValueError as e:
        print(e)
        baselines = None
        argv = []
    if len(argv) < 2:
        print((sys.modules[__package__].__doc__ or "").split("Running")[0])
        print("usage: python3 tests/test_differential.py GRAPH_FILE "
              "[--estimator downstream [--baseline Z=B]...]")
        return 2
    text = Path(argv[1]).read_text()
    cmp = compare_text(text, baselines=baselines)
    for en in cmp.entries:
        for i in range(en.runtime.size):
            print(f"{en.what:<5} {en.name}[{i}]  runtime {en.runtime[i]!r:<24} oracle "
                  f"{en.oracle[i]!r:<24} E {en.bound[i]:.3g}  "
                  f"ulps {ulp_distance(en.runtime[i:i+1], en.oracle[i:i+1])[0]:.0f}")
    print("OK: within tolerance" if cmp.ok else "DISAGREE:\n  " + "\n  ".join(cmp.problems))
    return 0 if cmp.ok else 1
