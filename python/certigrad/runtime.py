"""The C++ runtime (:class:`Runtime`) and optimizer (:class:`Adam`).

Random draws: ``seed=`` reseeds the documented generator of cpp/rng.hpp
(xoshiro256** seeded by splitmix64, Marsaglia polar normals; the same seed
gives the same draws on every run and platform); the rand nodes take normals
from one stream in graph order, entries row-major. ``draws=`` passes the
sampled values explicitly. With neither, the generator continues its stream
(initially seed 0).
"""

from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

import numpy as np

from . import _core
from .checked import Checker, CheckStats
from .errors import CertigradError, FeedError, NumericalWarning
from .graph import Graph
from .reference import ReferenceBackend

__all__ = ["Runtime", "Result", "Adam"]

_DTYPES = {"float32": np.float32, "float64": np.float64}


@dataclass
class Result:
    """What :meth:`Runtime.run` returns."""

    costs: dict[str, float]
    total: float
    grads: dict[str, np.ndarray]
    values: Optional[dict[str, np.ndarray]] = field(default=None)


def _arrays(kind: str, d: Optional[Mapping[str, Any]], dtype: np.dtype) -> Optional[dict]:
    """Converts non-array values (numbers, lists) to arrays of ``dtype``;
    numpy arrays pass unchanged (the C++ side checks dtype and layout).
    None is no dict for feeds and parameters, and "no draws" for draws."""
    if d is None and kind == "draw":
        return None
    if not isinstance(d, Mapping):
        raise FeedError(f"{kind} must be a dict name -> array, got {type(d).__name__}")
    out = {}
    for k, v in d.items():
        if not isinstance(k, str):
            raise FeedError(f"{kind} keys must be names (str), got {k!r}")
        if not isinstance(v, np.ndarray):
            try:
                v = np.asarray(v, dtype=dtype)
            except (TypeError, ValueError) as e:
                raise FeedError(f"node '{k}': {kind} value is not numeric: {e}") from None
        out[k] = v
    return out


#: The most threads a runtime takes (cpp/runtime.hpp, kMaxRuntimeThreads).
MAX_THREADS = 256


def _check_threads(n: Any) -> None:
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_THREADS:
        raise CertigradError(f"threads must be an int between 1 and {MAX_THREADS}, got {n!r}")


def _check_grad_scale(grad_scale: Any) -> None:
    if (not isinstance(grad_scale, numbers.Real) or isinstance(grad_scale, bool)
            or not math.isfinite(grad_scale) or grad_scale <= 0):
        raise FeedError(f"grad_scale must be finite and > 0, got {grad_scale!r}")


#: The score estimators: "downstream" (the default) multiplies each random
#: node's score by the sum of the costs reachable from the node, minus its
#: baseline (Graph.sample(..., baseline=));
#: Certigrad.stochastic.UnbiasedDownstream.backprop_est_unbiased. "certigrad"
#: by the total cost (Certigrad's; Certigrad.stochastic.Unbiased.backprop_unbiased).
#: docs/semantics.md.
ESTIMATORS = ("downstream", "certigrad")


class Runtime:
    """Checks a graph once and preallocates every buffer; :meth:`run` does
    forward + backprop in one C++ call.

    ``dtype`` is ``"float32"`` or ``"float64"``; feeds must be C-contiguous
    numpy arrays of that dtype (numbers and lists are converted). ``threads``
    is the number of OpenMP threads of every kernel (the GEMMs, and the
    elementwise kernels, reductions and Adam update on large arrays), from 1
    to 256.

    A non-finite node value, total cost or gradient raises
    :class:`~certigrad.errors.NumericalError` naming the node and entry
    (docs/semantics.md); with ``nonfinite="warn"`` (C++ runtime only) it is a
    :class:`~certigrad.errors.NumericalWarning` instead (the first one of a
    run) and the inf/nan results are returned.

    ``backend="reference"`` runs forward and backprop through the oracle
    ``certigrad-ref`` instead, the code extracted from Coq (float64 only;
    certigrad.reference). ``check_every=N`` keeps the C++ runtime and re-runs
    its first call and every N-th after through the oracle, raising
    :class:`~certigrad.errors.VerificationError` on a disagreement beyond the
    rounding bound (certigrad.checked); :attr:`check_stats` says what the
    checks found.

    ``estimator`` chooses the score-function estimator (:data:`ESTIMATORS`):
    ``"downstream"`` (the default: each random node's score times only the
    costs reachable from it, minus its baseline; lower variance) or
    ``"certigrad"`` (each score times the total cost, Certigrad's). Both are
    proved unbiased (Coq: ``backprop_est_unbiased``, ``backprop_unbiased``);
    on a graph without score terms (only ``mvn_std`` noise, e.g. the AEVB
    graph) they compute the same numbers.

    Building a runtime freezes the graph: a node or cost added later would
    not be in the compiled plan, so :class:`Graph` refuses it."""

    def __init__(self, graph: Graph, dtype: Any = "float64", threads: int = 1,
                 backend: str = "cpp", check_every: Optional[int] = None,
                 nonfinite: str = "raise", estimator: str = "downstream") -> None:
        name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
        if name not in _DTYPES:
            raise CertigradError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        _check_threads(threads)
        if backend not in ("cpp", "reference"):
            raise CertigradError(f"backend must be 'cpp' or 'reference', got {backend!r}")
        if nonfinite not in ("raise", "warn"):
            raise CertigradError(f"nonfinite must be 'raise' or 'warn', got {nonfinite!r}")
        if estimator not in ESTIMATORS:
            raise CertigradError(f"estimator must be one of {', '.join(map(repr, ESTIMATORS))}, "
                                 f"got {estimator!r}")
        if graph.baselines and estimator != "downstream":
            z = next(iter(graph.baselines))
            raise CertigradError(f"node '{z}': a baseline is used by estimator='downstream' "
                                 f"only, got estimator={estimator!r}")
        self.estimator = estimator
        self.graph = graph
        self.dtype = np.dtype(_DTYPES[name])
        self.backend = backend
        self.nonfinite = nonfinite
        self._reference: Optional[ReferenceBackend] = None
        self._checker: Optional[Checker] = None
        self._rt: Any = None
        if backend == "reference":
            if name != "float64":
                raise CertigradError("the reference backend computes in float64 "
                                     f"(dtype='float64'), got dtype {dtype!r}")
            if check_every is not None:
                raise CertigradError("check_every checks the C++ runtime against the oracle; "
                                     "with backend='reference' there is nothing to check")
            if nonfinite != "raise":
                raise CertigradError("the oracle always raises NumericalError on a non-finite "
                                     "value; nonfinite='warn' is for the C++ runtime")
            self._reference = ReferenceBackend(graph, estimator)
            self._threads = threads
        else:
            cls = _core.Runtime32 if name == "float32" else _core.Runtime64
            self._rt = cls(graph.spec(), threads, nonfinite == "warn")
            if estimator == "downstream":
                self._rt.set_estimator(True, dict(graph.baselines))
            if check_every is not None:
                self._checker = Checker(graph, check_every, self.dtype, estimator)
        graph.freeze()

    @property
    def threads(self) -> int:
        return int(self._rt.threads) if self._rt is not None else self._threads

    @threads.setter
    def threads(self, n: int) -> None:
        _check_threads(n)
        if self._rt is not None:
            self._rt.threads = n
        else:
            self._threads = n

    @property
    def check_stats(self) -> Optional[CheckStats]:
        """What the checks of ``check_every`` found (None without it)."""
        return self._checker.stats if self._checker is not None else None

    def run(self, feeds: Mapping[str, Any], seed: Optional[int] = None,
            draws: Optional[Mapping[str, Any]] = None, values: bool = False,
            backprop: bool = True) -> Result:
        """Forward + backprop. ``feeds``: one value per input and param.
        Returns costs, total, grads (one per param) and, with ``values=True``,
        every node's value."""
        if self._reference is not None:
            return self._reference.run(feeds, seed=seed, draws=draws, values=values,
                                       backprop=backprop)
        if self._checker is not None and self._checker.due():
            # converted once, so that the oracle gets the very numbers the runtime ran on
            res, _ = self._checker.check_run(self._run_cpp, _arrays("feed", feeds, self.dtype),
                                             seed, draws)
            return Result(res.costs, res.total, res.grads if backprop else {},
                          res.values if values else None)
        return self._run_cpp(feeds, seed=seed, draws=draws, values=values, backprop=backprop)

    def _run_cpp(self, feeds: Mapping[str, Any], seed: Optional[int] = None,
                 draws: Optional[Mapping[str, Any]] = None, values: bool = False,
                 backprop: bool = True) -> Result:
        if seed is not None and draws is not None:
            raise FeedError("give either seed= or draws=, not both")
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise FeedError(f"seed must be an int, got {seed!r}")
        f = _arrays("feed", feeds, self.dtype)
        d = _arrays("draw", draws, self.dtype)
        costs, total, grads, vals, warning = self._rt.run(f, d, seed, backprop, values)
        if warning is not None:
            warnings.warn(warning, NumericalWarning, stacklevel=2)
        return Result(dict(zip(self.graph.costs, costs)), total, grads,
                      vals if values else None)


class Adam:
    """Adam (Kingma & Ba 2015, Algorithm 1, with bias correction); parameters
    and state live in C++. ``step`` = forward + backprop + update with the
    gradient ``grad_scale * adjoint``; returns the total cost before the
    update."""

    def __init__(self, runtime: Runtime, params: Mapping[str, Any], lr: float = 1e-3,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        for nm, v, ok in (("lr", lr, lambda x: x > 0), ("beta1", beta1, lambda x: 0 <= x < 1),
                          ("beta2", beta2, lambda x: 0 <= x < 1), ("eps", eps, lambda x: x > 0)):
            if not isinstance(v, (int, float)) or not math.isfinite(v) or not ok(v):
                raise CertigradError(f"Adam: bad {nm}={v!r}")
        if runtime._rt is None:
            raise CertigradError("Adam runs on the C++ runtime; backend='reference' has no "
                                 "optimizer (use check_every=N to check the C++ one)")
        self.runtime = runtime
        self.hyper = dict(lr=float(lr), beta1=float(beta1), beta2=float(beta2), eps=float(eps))
        cls = _core.Adam32 if runtime.dtype == np.float32 else _core.Adam64
        self._opt = cls(runtime._rt, _arrays("parameter", params, runtime.dtype), **self.hyper)

    def step(self, feeds: Mapping[str, Any], seed: Optional[int] = None,
             grad_scale: float = 1.0, draws: Optional[Mapping[str, Any]] = None) -> float:
        """One iteration; ``feeds`` holds the non-parameter inputs. On a
        runtime with ``check_every``, a checked call first runs the gradient
        of the current parameters through the oracle (the step then uses the
        very draws that were checked)."""
        if seed is not None and draws is not None:
            raise FeedError("give either seed= or draws=, not both")
        _check_grad_scale(grad_scale)
        checker = self.runtime._checker
        if checker is not None and checker.due():
            full = dict(self.params())
            full.update(_arrays("feed", feeds, self.runtime.dtype) or {})
            _, used = checker.check_run(self.runtime._run_cpp, full, seed, draws)
            if seed is None and draws is None:  # the stream moved on: step with what was drawn
                draws = used
        f = _arrays("feed", feeds, self.runtime.dtype)
        d = _arrays("draw", draws, self.runtime.dtype)
        total, warning = self._opt.step(f, d, seed, float(grad_scale))
        if warning is not None:
            warnings.warn(warning, NumericalWarning, stacklevel=2)
        return float(total)

    @property
    def flat_size(self) -> int:
        """Number of parameter entries: the length of the flat gradient of
        :meth:`gradient` and :meth:`apply` (parameters in graph order, each
        row-major)."""
        return int(self._opt.flat_size)

    def gradient(self, feeds: Mapping[str, Any], out: np.ndarray, seed: Optional[int] = None,
                 draws: Optional[Mapping[str, Any]] = None) -> float:
        """Forward + backprop at the current parameters, no update: the
        gradient of the total cost (unscaled) is written into ``out``, a
        C-contiguous array of the runtime's dtype and shape ``(flat_size,)``
        (e.g. one row of a preallocated ``(K, flat_size)`` buffer). Returns
        the total cost."""
        if seed is not None and draws is not None:
            raise FeedError("give either seed= or draws=, not both")
        if not isinstance(out, np.ndarray):
            raise FeedError(f"gradient buffer out must be a numpy array, got {type(out).__name__}")
        f = _arrays("feed", feeds, self.runtime.dtype)
        d = _arrays("draw", draws, self.runtime.dtype)
        return float(self._opt.gradient(f, out, d, seed))

    def apply(self, grads: np.ndarray, grad_scale: float = 1.0) -> None:
        """One Adam update with the gradient ``grad_scale * sum_k grads[k]``:
        ``grads`` has shape ``(flat_size,)`` or ``(K, flat_size)``, and the
        rows are added in the order 0, 1, ..., K-1 for every entry (a fixed
        order: the same numbers on any thread count). ``apply(g)`` after
        ``gradient(feeds, g, seed=s)`` is bit for bit ``step(feeds, seed=s)``."""
        if not isinstance(grads, np.ndarray):
            raise FeedError(f"gradients must be a numpy array, got {type(grads).__name__}")
        _check_grad_scale(grad_scale)
        self._opt.apply(grads, float(grad_scale))

    def params(self) -> dict[str, np.ndarray]:
        """Copies of the current parameters."""
        return self._opt.get_state()[0]

    def state_dict(self) -> dict[str, np.ndarray]:
        """``param.NAME``, ``m.NAME``, ``v.NAME`` arrays and ``step`` (an int64
        0-d array); suitable for ``np.savez(path, **d)``."""
        p, m, v, t = self._opt.get_state()
        out: dict[str, np.ndarray] = {}
        for prefix, d in (("param", p), ("m", m), ("v", v)):
            for k, a in d.items():
                out[f"{prefix}.{k}"] = a
        out["step"] = np.asarray(t, dtype=np.int64)
        return out

    def load_state_dict(self, d: Mapping[str, Any]) -> None:
        """Restores what :meth:`state_dict` returned (e.g. from ``np.load``)."""
        parts: dict[str, dict[str, np.ndarray]] = {"param": {}, "m": {}, "v": {}}
        if "step" not in d:
            raise FeedError("state: missing 'step'")
        for k in d:
            if k == "step":
                continue
            prefix, _, name = str(k).partition(".")
            if prefix not in parts or not name:
                raise FeedError(f"state: unexpected key '{k}'")
            parts[prefix][name] = np.asarray(d[k], dtype=self.runtime.dtype, order="C")
        for prefix, sub in parts.items():
            extra = set(sub) - set(self.runtime.graph.params)
            if extra:
                raise FeedError(f"node '{sorted(extra)[0]}': state {prefix} for something "
                                "that is not a parameter")
        self._opt.set_state(parts["param"], parts["m"], parts["v"], int(np.asarray(d["step"])))
