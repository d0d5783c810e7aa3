"""The test harness: what the tests share, one concern per module.

Differential harness: the C++ runtime (float64) against the oracle
``certigrad-ref`` extracted from Coq, on random graphs
(tests/test_differential.py; docs/testing.md).

Hypothesis draws well-formed graphs over every operator of the generated
table (``strategies``): deterministic and stochastic ones, inputs inside
each operator's domain with a margin, and an explicit draw for every
``rand`` node. Each graph is written in the interchange format
(docs/format.md) and run by both sides: the oracle reads the text on stdin
(``oracle``); the runtime loads the same text (``certigrad.interchange.load``)
and runs it with ``dtype float64``, ``threads=1`` and the same draws. Every
node value, every cost, the total and every gradient entry are compared
(``compare``).

Tolerance
---------
Relative error alone is meaningless where a value comes out of cancellation
(``x - y`` with ``x ~ y``, a gradient summed from contributions of both
signs), and a fixed absolute tolerance is meaningless across scales. The
harness therefore computes, for every compared number ``q``, a first-order
bound ``E(q)`` on the rounding error of *any* float64 evaluation of the
formulas of docs/semantics.md (theories/core/Ops.v) in any summation order
(``error_model``, whose docstring gives the rules). The runtime and the
oracle each lie within ``E`` of the exact real computation on the same
inputs, so they must agree within ``|runtime - oracle| <= 2 E``
(``compare.TOL_FACTOR``). Where no cancellation occurs ``E`` is a few ulps of
the value; an exact quantity (a draw, a ``neg`` of an input) has ``E = 0``
and must agree bit for bit. The runtime's rewritings of the same real
function (softplus and sigmoid without overflow, ``log1p(-p)`` for
``ln(1-p)``, the logit form of ``bernoulli_neglogpdf`` after a ``sigmoid``
and its fused pullback ``g (p - x)``) have local errors within the bound of
the formula of docs/semantics.md that the model follows. Two checks keep the
model honest: its own numpy re-evaluation must agree with the oracle within
the same tolerance (a failure there is a harness defect), and
``test_error_bound_holds_against_exact_arithmetic`` evaluates graphs in
60-digit arithmetic (``exact``) and checks that the oracle, the runtime and
the model each lie within ``E`` of the exact result.

The test reports, per operator, the largest observed discrepancy: in ulps,
as relative error, and as the fraction ``|d| / E`` of the bound. The report
is written to ``_build/differential-report.txt`` and printed in pytest's
terminal summary.

Running
-------
``python3 -m pytest tests/test_differential.py`` runs ``CERTIGRAD_DIFF_EXAMPLES``
graphs (default 2000), derandomized (the same graphs on every run);
``CERTIGRAD_DIFF_SEED=N`` draws a different, still reproducible, sample.
``CERTIGRAD_DIFF_EXAMPLES=100000 python3 -m pytest tests/test_differential.py``
is the long run (docs/testing.md).

A disagreement fails the test after hypothesis has shrunk the graph; the
message holds the minimal graph in the interchange format, the mismatching
entries, and the command that replays it with the oracle alone
(``_build/default/extraction/certigrad-ref < _build/differential-failure.graph``).
``python3 tests/test_differential.py FILE`` reruns both sides on a graph file
and prints the comparison.

Modules
-------
``table``         the generated operator table (python/certigrad/_ops_table.py), by path
``references``    the per-operator registry: numpy, error-bound, exact and torch formulas
``graph_text``    the parser of ``certigrad-graph 1``
``strategies``    hypothesis strategies of graphs (``graphs``) and graph texts (``cases``)
``edges``         graphs of extreme values, and the comparison of outcomes (errors included)
``error_model``   the rounding-error bound ``E`` (values with bounds, the sweep)
``exact``         the 60-digit evaluator
``compare``       runtime and model against the oracle, statistics, the report, the CLI
``runner``        the hypothesis property of the differential test
``torch_estimator`` the estimator of docs/semantics.md in PyTorch autograd
``oracle``        ``certigrad-ref`` as a Python function
``deps``          declared test dependencies: a skip locally, a failure in CI
``stats``         the decision rule of the unbiasedness tests
``config``        paths and the environment variables of the differential test
"""
