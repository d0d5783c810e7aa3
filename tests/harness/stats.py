"""Statistics for the unbiasedness tests (tests/test_unbiased.py).

One decision rule, used both to accept the runtime's estimator and to reject
deliberately biased ones: given ``N`` independent draws ``g_1..g_N`` of a
gradient estimator (one array per parameter) and the analytic gradient ``a``
of the expected total cost, every entry must satisfy

    |mean(g) - a| <= Z_CRIT * SE + floor,   SE = std(g, ddof=1) / sqrt(N),
    floor = floor_rtol * (1 + |a|)

``Z_CRIT = 4``. Under the null hypothesis (the estimator is unbiased) the
studentised mean is asymptotically standard normal (CLT; the estimators used
have finite variance), so one entry fails with probability
``P_ENTRY = erfc(4/sqrt 2) = 6.334e-5``; a family of ``K`` entries has a
family-wise false-alarm probability of at most ``K * P_ENTRY`` (Bonferroni /
union bound, no independence assumed). The ``floor`` only matters for
entries whose estimator is deterministic (SE = 0, e.g. a parameter that
reaches the cost through a linear path only): it absorbs floating-point
rounding of the mean (1e-9 relative in float64, 1e-5 in float32) and is far
below every standard error that occurs in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np

Z_CRIT = 4.0


def two_sided_tail(z: float) -> float:
    """P(|Z| > z) for a standard normal Z."""
    return math.erfc(z / math.sqrt(2.0))


P_ENTRY = two_sided_tail(Z_CRIT)  # 6.334e-5


def family_false_alarm_bound(k: int, z_crit: float = Z_CRIT) -> float:
    """Union bound on P(at least one of k unbiased entries fails)."""
    return min(1.0, k * two_sided_tail(z_crit))


def mean_se(samples: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-entry mean and standard error of the mean over axis 0 (float64
    accumulation whatever the samples' dtype)."""
    s = np.asarray(samples, dtype=np.float64)
    n = s.shape[0]
    if n < 2:
        raise ValueError("need at least two samples for a standard error")
    return s.mean(axis=0), s.std(axis=0, ddof=1) / math.sqrt(n)


@dataclass(frozen=True)
class Entry:
    param: str
    index: tuple[int, ...]
    mean: float
    se: float
    target: float
    tol: float

    @property
    def diff(self) -> float:
        return self.mean - self.target

    z_crit: float

    @property
    def z(self) -> float:
        """The deviation in units of ``tol / z_crit`` = SE + floor/z_crit, so
        that the entry passes iff ``|z| <= z_crit``. For a random entry
        (SE >> floor) this is the usual studentised deviation (mean - a)/SE;
        for a deterministic one (SE = 0) it measures the deviation against
        the rounding floor and is huge when the entry is off target."""
        if self.tol > 0:
            return self.z_crit * self.diff / self.tol
        return 0.0 if self.diff == 0 else math.copysign(math.inf, self.diff)

    @property
    def ok(self) -> bool:
        return abs(self.diff) <= self.tol


@dataclass(frozen=True)
class Check:
    label: str
    n: int
    z_crit: float
    entries: tuple[Entry, ...]

    @property
    def ok(self) -> bool:
        return all(e.ok for e in self.entries)

    @property
    def failures(self) -> list[Entry]:
        return [e for e in self.entries if not e.ok]

    @property
    def zs(self) -> np.ndarray:
        return np.array([e.z for e in self.entries])

    @property
    def max_abs_z(self) -> float:
        return float(np.max(np.abs(self.zs))) if self.entries else 0.0

    def table(self) -> str:
        rows = [f"{self.label}: N={self.n}, |mean - analytic| <= {self.z_crit:g} SE "
                f"(+ rounding floor) per entry; {len(self.failures)}/{len(self.entries)} fail"]
        rows.append(f"  {'entry':<14}{'mean':>13}{'analytic':>13}{'SE':>11}{'z':>11}")
        for e in self.entries:
            idx = ",".join(map(str, e.index))
            mark = "" if e.ok else "   <-- FAIL"
            rows.append(f"  {e.param + '[' + idx + ']':<14}{e.mean:>13.5g}{e.target:>13.5g}"
                        f"{e.se:>11.3g}{e.z:>11.4g}{mark}")
        return "\n".join(rows)


def check(samples: Mapping[str, np.ndarray], analytic: Mapping[str, np.ndarray], *,
          label: str = "estimator", z_crit: float = Z_CRIT,
          floor_rtol: float = 1e-9) -> Check:
    """The decision rule of the module docstring. ``samples[p]`` has shape
    ``(N, *shape_p)``; ``analytic[p]`` has shape ``shape_p``. Every parameter
    of ``analytic`` must be sampled and vice versa."""
    if set(samples) != set(analytic):
        raise ValueError(f"sampled {sorted(samples)} but analytic {sorted(analytic)}")
    entries: list[Entry] = []
    ns = {np.asarray(s).shape[0] for s in samples.values()}
    if len(ns) != 1:
        raise ValueError(f"parameters have different sample counts {sorted(ns)}")
    for p in sorted(samples):
        mean, se = mean_se(samples[p])
        a = np.asarray(analytic[p], dtype=np.float64)
        if a.shape != mean.shape:
            raise ValueError(f"{p}: analytic shape {a.shape} != sample shape {mean.shape}")
        tol = z_crit * se + floor_rtol * (1.0 + np.abs(a))
        for idx in np.ndindex(a.shape):
            entries.append(Entry(p, tuple(int(i) for i in idx), float(mean[idx]),
                                 float(se[idx]), float(a[idx]), float(tol[idx]), z_crit))
    return Check(label, ns.pop(), z_crit, tuple(entries))


def assert_unbiased(samples: Mapping[str, np.ndarray], analytic: Mapping[str, np.ndarray],
                    **kw) -> Check:
    """:func:`check`, raising AssertionError with the per-entry table when
    any entry fails."""
    c = check(samples, analytic, **kw)
    assert c.ok, "estimator mean is off the analytic gradient:\n" + c.table()
    return c

