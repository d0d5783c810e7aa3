"""The reference backend: forward and backprop run by the oracle
``certigrad-ref`` (certigrad.oracle), the extracted Coq code, in float64.

``cg.Runtime(g, backend="reference")`` delegates :meth:`Runtime.run` here:
the graph, the feeds and the draws are written in the interchange format
(docs/format.md), the oracle evaluates and differentiates them, and its
result is read back into a :class:`~certigrad.runtime.Result`.

Draws: ``draws=`` passes them explicitly. With ``seed=`` (or neither, the
stream continuing), the draws come from the C++ runtime's documented
generator (cpp/rng.hpp): a float64 forward pass of the C++ runtime with that
seed, whose rand-node values are then handed to the oracle, so the same seed
gives bit for bit the same draws on both backends. (Only the draws come from
C++; every value, cost and gradient returned is the oracle's.)
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

import numpy as np

from . import interchange, oracle
from .errors import FeedError
from .graph import Graph

__all__ = ["ReferenceBackend"]


class ReferenceBackend:
    """The oracle as a runtime for ``graph`` with the score estimator
    ``estimator`` (``"downstream"``, with the graph's baselines, or
    ``"certigrad"``; certigrad.runtime.ESTIMATORS). Raises
    :class:`~certigrad.errors.OracleNotFound` at construction when the oracle
    is not installed."""

    def __init__(self, graph: Graph, estimator: str) -> None:
        self.graph = graph
        self.estimator = estimator
        self.binary = oracle.find()
        self._generator: Any = None  # the C++ runtime whose stream gives the draws
        # the oracle's flags for the estimator (docs/format.md)
        self._args: list[str] = [] if estimator == "certigrad" else (
            ["--estimator", "downstream"]
            + [a for z, b in graph.baselines.items() for a in ("--baseline", f"{z}={b}")])

    def draws_from_seed(self, feeds: Mapping[str, Any], seed: Optional[int]) -> dict[str, np.ndarray]:
        """The rand nodes' values that the C++ runtime's generator gives for
        ``seed`` (``None``: the next ones of this backend's stream), from a
        float64 forward pass of the C++ runtime on ``feeds``."""
        if not self.graph.rand_nodes:
            return {}
        if self._generator is None:
            from .runtime import Runtime

            self._generator = Runtime(self.graph, dtype="float64", estimator=self.estimator)
        # np.asarray, not ascontiguousarray: a 0-d feed stays 0-d
        f64 = {k: np.asarray(v, dtype=np.float64, order="C") for k, v in feeds.items()}
        res = self._generator.run(f64, seed=seed, values=True, backprop=False)
        assert res.values is not None
        return {n: res.values[n] for n in self.graph.rand_nodes}

    def run_oracle(self, feeds: Mapping[str, Any], draws: Mapping[str, Any],
                   values: bool = False) -> dict[str, Any]:
        """The oracle on explicit feeds and draws: the parsed result
        (``values`` only when asked: else the oracle runs with
        ``--no-values`` and prints none), arrays in the graph's shapes."""
        text = interchange.dump(self.graph, feeds, draws)
        out = oracle.run_text(text, ([] if values else ["--no-values"]) + self._args,
                              binary=self.binary)
        return interchange.load_result(out, self.graph, values=values)

    def run(self, feeds: Mapping[str, Any], seed: Optional[int] = None,
            draws: Optional[Mapping[str, Any]] = None, values: bool = False,
            backprop: bool = True) -> Any:
        """What :meth:`certigrad.Runtime.run` returns, computed by the oracle."""
        from .runtime import Result

        if seed is not None and draws is not None:
            raise FeedError("give either seed= or draws=, not both")
        if not isinstance(feeds, Mapping):
            raise FeedError(f"feed must be a dict name -> array, got {type(feeds).__name__}")
        if draws is None:
            draws = self.draws_from_seed(feeds, seed)
        res = self.run_oracle(feeds, draws, values=values)
        return Result(dict(res["costs"]), float(res["total"]),
                      dict(res["grads"]) if backprop else {},
                      dict(res["values"]) if values else None)
