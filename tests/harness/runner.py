"""The differential property: hypothesis draws graph texts
(:func:`harness.strategies.cases`), both sides run each one, the comparison
must hold (:func:`make_check`); :func:`run_distinct` runs it until enough
distinct graphs are compared, and :func:`publish_report` prints the report in
pytest's terminal summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Optional, Union

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.strategies import SearchStrategy

from . import oracle
from .compare import Perturb, Stats, compare_text, digest, failure_message
from .config import FAILURE, REPORT, SEED
from .graph_text import parse_graph
from .strategies import cases

__all__ = ["Case", "make_check", "run_distinct", "publish_report"]


#: A case: a graph text (Certigrad's estimator), or a text and its baselines
#: (the downstream estimator, :func:`harness.strategies.downstream_cases`).
Case = Union[str, tuple[str, dict[str, str]]]


def make_check(stats: Stats, max_examples: int, perturb: Optional[Perturb] = None,
               failure_path: Path = FAILURE, round_: int = 0,
               strategy: Optional[SearchStrategy[Case]] = None) -> Callable[[], None]:
    """The hypothesis property over ``max_examples`` cases drawn from
    ``strategy`` (default :func:`cases`); ``stats`` collects every compared
    graph. Round 0 is derandomized (or seeded by CERTIGRAD_DIFF_SEED); round
    r > 0 is seeded by r (top-up rounds, see :func:`run_distinct`)."""

    # Derandomized, hypothesis seeds its draws from this function's source
    # (comments aside): editing the body changes which graphs are compared.
    def check(case: Case) -> None:
        text, bases = (case, None) if isinstance(case, str) else case
        if digest(text, bases) in stats.seen:
            return  # compared already (and passed): hypothesis reaches some graphs twice
        try:
            cmp = compare_text(text, perturb, bases)
        except oracle.OracleNotFound:
            raise
        except Exception as e:  # either side rejecting a generated graph is a failure
            raise AssertionError(failure_message(
                text, [f"{type(e).__name__}: {e}"], failure_path, bases)) from e
        if not cmp.ok:
            raise AssertionError(failure_message(text, cmp.problems, failure_path, bases))
        stats.add(text, parse_graph(text), cmp, bases)

    fixed = round_ == 0 and SEED is None
    s = settings(max_examples=max_examples, deadline=None, database=None,
                 derandomize=fixed, print_blob=False,
                 phases=[Phase.explicit, Phase.generate, Phase.shrink],
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.large_base_example])
    fn = given(cases() if strategy is None else strategy)(check)
    if not fixed:
        fn = seed(int(SEED or 0) * 1000 + round_)(fn)
    return s(fn)


def run_distinct(stats: Stats, n: int, strategy: Optional[SearchStrategy[Case]] = None) -> None:
    """Runs the property until at least ``n`` distinct cases are compared:
    one round of ``n`` examples, then (reproducible) top-up rounds for the
    duplicates hypothesis generated."""
    for round_ in range(50):
        need = n - len(stats.seen)
        if need <= 0:
            return
        make_check(stats, need if round_ == 0 else need + need // 8 + 10, round_=round_,
                   strategy=strategy)()
    raise AssertionError(f"only {len(stats.seen)} distinct graphs after 50 rounds")


class _ReportPlugin:
    """Prints the reports in pytest's terminal summary (registered at run
    time by the test, so tests/conftest.py is left alone)."""

    def __init__(self) -> None:
        self.reports: dict[Path, str] = {}

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        for path, text in self.reports.items():
            terminalreporter.write_sep("=", "differential harness (runtime vs oracle)")
            terminalreporter.write_line(text.rstrip())
            terminalreporter.write_line(f"(written to {path})")


def publish_report(config: Any, text: str, path: Path = REPORT) -> None:
    """Writes the report ``text`` to ``path`` (default
    ``_build/differential-report.txt``) and shows it in pytest's terminal
    summary (a plugin registered at run time, so tests/conftest.py is left
    alone)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    plugin = config.pluginmanager.get_plugin("certigrad-differential-report")
    if plugin is None:
        plugin = _ReportPlugin()
        config.pluginmanager.register(plugin, "certigrad-differential-report")
    plugin.reports[path] = text
