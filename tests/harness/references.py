"""The per-operator test references: one registry, one entry per operator of
the generated table (tests/harness/table.py), all of an operator's formulas
in one place.

The rounding-error bound's formulas (the error model) live in the package,
``certigrad.rounding.RULES``, since its checked mode uses them too;
:func:`missing_entries` checks that they cover the table as well.

Every formula follows theories/core/Ops.v (``dop_forward``, ``dop_pullbacks``,
``rop_score``; docs/semantics.md) and is written once per language the tests
evaluate it in:

A deterministic operator (:class:`Det`), and a random one (:class:`Rand`):

``forward(attr, xs)``, ``pullbacks(attr, g, v, *xs)``; ``sample(xs, shape, rng)``
    numpy, float64 (``sample``: a random operator's draw). ``forward`` drives
    the generator (tests/harness/strategies.py: values must stay inside the
    domains) and ``pullbacks`` the hand-checked gradients of
    tests/test_gradcheck.py; ``g`` is the adjoint of the output, ``v`` the
    output (None where a rule does not use it).
``exact_forward(X, attr, xs)``, ``exact_pullbacks(X, attr, xs, v, g)``;
``exact_score(X, total, x, xs)``
    the 60-digit evaluator (tests/harness/exact.py, its helpers passed as
    ``X``: ``X.mp``, ``X.mpf``, elementwise ``X.ew``, reduction ``X.red``,
    matrix product ``X.mm``, ``X.arr``, ``X.sig``) on object arrays of mpf;
    ``exact_score`` includes the factor ``total`` (the score multiplier).
``torch_forward(torch, attr, p)``; ``torch_log_density(torch, x, p)``
    PyTorch, float64 (tests/harness/torch_estimator.py): the forward, and the
    log density (up to a constant) whose gradient is the score term (None
    for a draw without parents).
``value_kinds``, ``generator_kinds``
    what the values of each parent must satisfy ("any", "pos", "nonzero",
    "unit", "small": at most 4) in single-operator tests and in generated
    graphs; by default the table's domain rule at its domain parent and "any"
    elsewhere.

An operator of the table without an entry, or an entry of the wrong kind,
fails ``tests/test_runtime_ops.py::test_the_registry_covers_the_table`` with
its name; :func:`reference` raises :class:`MissingReference` naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

import numpy as np
from certigrad.rounding import RULES

from .table import TABLE

__all__ = ["Det", "Rand", "REGISTRY", "MissingReference", "reference", "missing_entries",
           "value_kinds", "generator_kind"]

Fn = Callable[..., Any]


@dataclass(frozen=True)
class Det:
    """The references of a deterministic operator (see the module docstring)."""

    forward: Fn
    pullbacks: Fn
    exact_forward: Fn
    exact_pullbacks: Fn
    torch_forward: Fn
    value_kinds: Optional[tuple[str, ...]] = None
    generator_kinds: Optional[tuple[str, ...]] = None


@dataclass(frozen=True)
class Rand:
    """The references of a random operator (see the module docstring)."""

    sample: Fn
    exact_score: Fn
    torch_log_density: Fn
    value_kinds: Optional[tuple[str, ...]] = None
    generator_kinds: Optional[tuple[str, ...]] = None


Entry = Union[Det, Rand]
REGISTRY: dict[str, Entry] = {}
HERE = "tests/harness/references.py"


class MissingReference(ValueError):
    """An operator has no entry (or no entry of its kind) in the registry."""


def reference(op: str) -> Entry:
    """The registry entry of ``op``; :class:`MissingReference` naming it
    when there is none."""
    try:
        return REGISTRY[op]
    except KeyError:
        raise MissingReference(f"{HERE} has no entry for the operator '{op}'") from None


def missing_entries() -> list[str]:
    """What the registry lacks against the table, one line per operator:
    no entry, an entry of the wrong kind, kinds of the wrong length; and
    entries for operators the table does not have."""
    out = []
    for name, row in TABLE.items():
        e = REGISTRY.get(name)
        want = Det if row.kind == "det" else Rand
        if e is None:
            out.append(f"'{name}': no entry in {HERE} (a {want.__name__} with every rule)")
        elif not isinstance(e, want):
            out.append(f"'{name}': a {type(e).__name__} entry for a {row.kind} operator")
        else:
            for k in ("value_kinds", "generator_kinds"):
                ks = getattr(e, k)
                if ks is not None and len(ks) != row.arity:
                    out.append(f"'{name}': {k} has {len(ks)} entries, arity {row.arity}")
    out += [f"'{name}': in {HERE} but not in the table" for name in REGISTRY if name not in TABLE]
    out += [f"'{name}': no rounding rule in certigrad.rounding.RULES "
            "(python/certigrad/rounding.py)" for name in TABLE if name not in RULES]
    out += [f"'{name}': a rounding rule in certigrad.rounding.RULES but not in the table"
            for name in RULES if name not in TABLE]
    return out


def _default_kind(op: str, i: int) -> str:
    row = TABLE[op]
    return row.domain_rule if row.domain_parent == i else "any"


def value_kinds(op: str) -> tuple[str, ...]:
    """The kind of values of each parent in single-operator tests."""
    ks = reference(op).value_kinds
    return ks if ks is not None else tuple(_default_kind(op, i) for i in range(TABLE[op].arity))


def generator_kind(op: str, i: int) -> str:
    """What generated graphs require of parent ``i``'s values."""
    ks = reference(op).generator_kinds
    return ks[i] if ks is not None else _default_kind(op, i)


def _det(name: str, **rules: Any) -> None:
    REGISTRY[name] = Det(**rules)


def _rand(name: str, **rules: Any) -> None:
    REGISTRY[name] = Rand(**rules)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# ---------------------------------------------------------------------------
# Elementwise, one parent

_det("scale",
     forward=lambda attr, xs: attr * xs[0],
     pullbacks=lambda attr, g, v, x: [attr * g],
     exact_forward=lambda X, attr, xs: X.ew(lambda t: X.mpf(attr) * t, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda t: X.mpf(attr) * t, g)],
     torch_forward=lambda torch, attr, p: attr * p[0])

_det("neg",
     forward=lambda attr, xs: -xs[0],
     pullbacks=lambda attr, g, v, x: [-g],
     exact_forward=lambda X, attr, xs: X.ew(lambda t: -t, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda t: -t, g)],
     torch_forward=lambda torch, attr, p: -p[0])

_det("exp",
     forward=lambda attr, xs: np.exp(xs[0]),
     pullbacks=lambda attr, g, v, x: [g * v],
     exact_forward=lambda X, attr, xs: X.ew(X.mp.exp, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a * b, g, v)],
     torch_forward=lambda torch, attr, p: torch.exp(p[0]),
     generator_kinds=("small",))  # no overflow past the generator's 1e4

_det("log",
     forward=lambda attr, xs: np.log(xs[0]),
     pullbacks=lambda attr, g, v, x: [g / x],
     exact_forward=lambda X, attr, xs: X.ew(X.mp.log, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a / b, g, xs[0])],
     torch_forward=lambda torch, attr, p: torch.log(p[0]))

_det("sqrt",
     forward=lambda attr, xs: np.sqrt(xs[0]),
     pullbacks=lambda attr, g, v, x: [g / (2 * v)],
     exact_forward=lambda X, attr, xs: X.ew(X.mp.sqrt, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a / (2 * b), g, v)],
     torch_forward=lambda torch, attr, p: torch.sqrt(p[0]))

_det("sigmoid",
     forward=lambda attr, xs: 1 / (1 + np.exp(-xs[0])),
     pullbacks=lambda attr, g, v, x: [g * v * (1 - v)],
     exact_forward=lambda X, attr, xs: X.ew(X.sig, xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a * b * (1 - b), g, v)],
     torch_forward=lambda torch, attr, p: torch.sigmoid(p[0]))

_det("softplus",
     forward=lambda attr, xs: np.maximum(xs[0], 0) + np.log1p(np.exp(-np.abs(xs[0]))),
     pullbacks=lambda attr, g, v, x: [g * _sigmoid(x)],
     exact_forward=lambda X, attr, xs: X.ew(lambda t: X.mp.log(1 + X.mp.exp(t)), xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a * X.sig(b), g, xs[0])],
     torch_forward=lambda torch, attr, p: torch.nn.functional.softplus(p[0]))

# ---------------------------------------------------------------------------
# Elementwise, several parents

_det("add",
     forward=lambda attr, xs: xs[0] + xs[1],
     pullbacks=lambda attr, g, v, x, y: [g, g],
     exact_forward=lambda X, attr, xs: X.ew(lambda a, b: a + b, xs[0], xs[1]),
     exact_pullbacks=lambda X, attr, xs, v, g: [g, g],
     torch_forward=lambda torch, attr, p: p[0] + p[1])

_det("sub",
     forward=lambda attr, xs: xs[0] - xs[1],
     pullbacks=lambda attr, g, v, x, y: [g, -g],
     exact_forward=lambda X, attr, xs: X.ew(lambda a, b: a - b, xs[0], xs[1]),
     exact_pullbacks=lambda X, attr, xs, v, g: [g, X.ew(lambda t: -t, g)],
     torch_forward=lambda torch, attr, p: p[0] - p[1])

_det("mul",
     forward=lambda attr, xs: xs[0] * xs[1],
     pullbacks=lambda attr, g, v, x, y: [g * y, g * x],
     exact_forward=lambda X, attr, xs: X.ew(lambda a, b: a * b, xs[0], xs[1]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a * b, g, xs[1]),
                                                X.ew(lambda a, b: a * b, g, xs[0])],
     torch_forward=lambda torch, attr, p: p[0] * p[1])

_det("div",
     forward=lambda attr, xs: xs[0] / xs[1],
     pullbacks=lambda attr, g, v, x, y: [g / y, -g * x / (y * y)],
     exact_forward=lambda X, attr, xs: X.ew(lambda a, b: a / b, xs[0], xs[1]),
     exact_pullbacks=lambda X, attr, xs, v, g: [
         X.ew(lambda a, b: a / b, g, xs[1]),
         X.ew(lambda a, b, c: -a * b / (c * c), g, xs[0], xs[1])],
     torch_forward=lambda torch, attr, p: p[0] / p[1])

_det("mul_add",
     forward=lambda attr, xs: xs[0] * xs[1] + xs[2],
     pullbacks=lambda attr, g, v, x, y, z: [g * y, g * x, g],
     exact_forward=lambda X, attr, xs: X.ew(lambda a, b, c: a * b + c, xs[0], xs[1], xs[2]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.ew(lambda a, b: a * b, g, xs[1]),
                                                X.ew(lambda a, b: a * b, g, xs[0]), g],
     torch_forward=lambda torch, attr, p: p[0] * p[1] + p[2])

# ---------------------------------------------------------------------------
# Matrix product

_det("gemm",
     forward=lambda attr, xs: xs[0] @ xs[1],
     pullbacks=lambda attr, g, v, x, y: [g @ y.T, x.T @ g],
     exact_forward=lambda X, attr, xs: X.mm(xs[0], xs[1]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.mm(g, xs[1].T), X.mm(xs[0].T, g)],
     torch_forward=lambda torch, attr, p: p[0] @ p[1])

# ---------------------------------------------------------------------------
# Reductions to a scalar














def _mvn_empirical_kl(attr: Any, xs: list[np.ndarray]) -> np.ndarray:
    mu, s, z = xs
    d = (z - mu) / s
    return np.asarray(np.sum((z * z - d * d) / 2 - np.log(s)))


def _exact_mvn_kl_pullbacks(X: Any, attr: Any, xs: list[Any], v: Any, g: Any) -> list[Any]:
    gs = g.ravel()[0]
    return [X.ew(lambda m: gs * m, xs[0]), X.ew(lambda s: gs * (s - 1 / s), xs[1])]


def _exact_bernoulli_pullbacks(X: Any, attr: Any, xs: list[Any], v: Any, g: Any) -> list[Any]:
    gs = g.ravel()[0]
    mp = X.mp
    return [X.ew(lambda p, b: gs * ((1 - b) / (1 - p) - b / p), xs[0], xs[1]),
            X.ew(lambda p: gs * (mp.log(1 - p) - mp.log(p)), xs[0])]


def _exact_mvn_empirical_kl_pullbacks(X: Any, attr: Any, xs: list[Any], v: Any,
                                      g: Any) -> list[Any]:
    gs = g.ravel()[0]
    mu, s, z = xs
    return [X.ew(lambda m, s, z: gs * (z - m) / (s * s), mu, s, z),
            X.ew(lambda m, s, z: gs * (((z - m) / s) ** 2 - 1) / s, mu, s, z),
            X.ew(lambda m, s, z: gs * (z - (z - m) / (s * s)), mu, s, z)]


def _torch_mvn_empirical_kl(torch: Any, attr: Any, p: list[Any]) -> Any:
    mu, sd, z = p
    std = torch.distributions.Normal(torch.zeros_like(z), torch.ones_like(z))
    return (torch.distributions.Normal(mu, sd).log_prob(z) - std.log_prob(z)).sum()


_det("sum",
     forward=lambda attr, xs: np.asarray(np.sum(xs[0])),
     pullbacks=lambda attr, g, v, x: [g * np.ones_like(x)],
     exact_forward=lambda X, attr, xs: X.red(xs[0]),
     exact_pullbacks=lambda X, attr, xs, v, g: [X.arr([g.ravel()[0]] * xs[0].size,
                                                      xs[0].shape)],
     torch_forward=lambda torch, attr, p: p[0].sum())

_det("mvn_kl",
     forward=lambda attr, xs: np.asarray(np.sum((xs[0] * xs[0] + xs[1] * xs[1] - 1) / 2
                                                - np.log(xs[1]))),
     pullbacks=lambda attr, g, v, mu, s: [g * mu, g * (s - 1 / s)],
     exact_forward=lambda X, attr, xs: X.red(X.ew(
         lambda m, s: (m * m + s * s - 1) / 2 - X.mp.log(s), xs[0], xs[1])),
     exact_pullbacks=_exact_mvn_kl_pullbacks,
     torch_forward=lambda torch, attr, p: ((p[0] ** 2 + p[1] ** 2 - 1) / 2
                                           - torch.log(p[1])).sum())

_det("mvn_empirical_kl",
     forward=_mvn_empirical_kl,
     # d/dmu, d/dsigma, d/dz of ln N(z; mu, sigma^2) - ln N(z; 0, 1)
     pullbacks=lambda attr, g, v, mu, s, z: [g * (z - mu) / s**2,
                                             g * ((z - mu) ** 2 / s**3 - 1 / s),
                                             g * (z - (z - mu) / s**2)],
     exact_forward=lambda X, attr, xs: X.red(X.ew(
         lambda m, s, z: (z * z - ((z - m) / s) ** 2) / 2 - X.mp.log(s), xs[0], xs[1], xs[2])),
     exact_pullbacks=_exact_mvn_empirical_kl_pullbacks,
     torch_forward=_torch_mvn_empirical_kl)

_det("bernoulli_neglogpdf",
     forward=lambda attr, xs: np.asarray(-np.sum(xs[1] * np.log(xs[0])
                                                 + (1 - xs[1]) * np.log1p(-xs[0]))),
     pullbacks=lambda attr, g, v, p, x: [g * ((1 - x) / (1 - p) - x / p),
                                         g * (np.log(1 - p) - np.log(p))],
     exact_forward=lambda X, attr, xs: X.red(X.ew(
         lambda p, b: -(b * X.mp.log(p) + (1 - b) * X.mp.log(1 - p)), xs[0], xs[1])),
     exact_pullbacks=_exact_bernoulli_pullbacks,
     torch_forward=lambda torch, attr, p: -(p[1] * torch.log(p[0])
                                            + (1 - p[1]) * torch.log1p(-p[0])).sum(),
     value_kinds=("unit", "unit"))  # the label x in [0, 1] too

# ---------------------------------------------------------------------------
# Random operators: the sample, and the score d/dparent ln p(x; parents)




def _exact_mvn_score(X: Any, total: Any, x: Any, xs: list[Any]) -> list[Any]:
    mu, s = xs
    return [X.ew(lambda a, m, sd: total * (a - m) / (sd * sd), x, mu, s),
            X.ew(lambda a, m, sd: total * ((a - m) ** 2 - sd * sd) / sd ** 3, x, mu, s)]


_rand("mvn",
      sample=lambda xs, shape, rng: xs[0] + xs[1] * rng.standard_normal(shape),
      exact_score=_exact_mvn_score,
      torch_log_density=lambda torch, x, p: (-(x - p[0]) ** 2 / (2 * p[1] * p[1])
                                             - torch.log(p[1])).sum())

_rand("mvn_std",
      sample=lambda xs, shape, rng: rng.standard_normal(shape),
      exact_score=lambda X, total, x, xs: [],
      torch_log_density=lambda torch, x, p: None)
