"""The oracle in users' hands: the reference backend
(``cg.Runtime(g, backend="reference")``), the checked mode
(``check_every=N``, ``VerificationError``) and the installed ``certigrad-ref``
command (python/certigrad/reference.py, checked.py, oracle.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import certigrad as cg
from certigrad import _core, oracle
from certigrad.rounding import model_run
from certigrad.vae import VaeConfig, build_graph, init_params

REPO = Path(__file__).resolve().parent.parent


def readme_graph() -> cg.Graph:
    """The example of README.md."""
    g = cg.Graph()
    x = g.input("x", (3, 2))
    W = g.param("W", (2, 3))
    h = g.det("h", cg.softplus(W @ x))
    eps = g.sample("eps", cg.mvn_std((2, 2)))
    z = g.det("z", cg.mul_add(h, eps, h))
    g.cost(g.det("loss", cg.sum(z * z)))
    return g


FEEDS = {"x": np.arange(6.0).reshape(3, 2) / 6, "W": np.full((2, 3), 0.1)}


@pytest.fixture
def planted():
    """Plants a wrong gradient in what the binding returns; cleared after."""
    yield _core._test_plant_wrong_gradient
    _core._test_plant_wrong_gradient(None)


def test_readme_example_agrees_on_both_backends_within_the_bound() -> None:
    g = readme_graph()
    fast = cg.Runtime(g, dtype="float64").run(FEEDS, seed=0, values=True)
    ref = cg.Runtime(g, backend="reference").run(FEEDS, seed=0, values=True)
    assert isinstance(ref, cg.Result) and ref.values is not None
    assert ref.total == pytest.approx(5.420184533575349, rel=1e-14)
    nodes = [(n.name, n.random, n.op, n.attr, n.parents) for n in g.nodes]
    draws = {"eps": ref.values["eps"]}
    E = model_run(nodes, g.costs, g.params, FEEDS, draws)
    assert abs(fast.total - ref.total) <= 2 * E["total"].e
    for p in g.params:
        assert ref.grads[p].shape == fast.grads[p].shape == g.ref(p).shape
        assert np.all(np.abs(fast.grads[p] - ref.grads[p]) <= 2 * E["grads"][p].e)
    for n in g.nodes:
        assert np.all(np.abs(fast.values[n.name] - ref.values[n.name])
                      <= 2 * E["values"][n.name].e)
    assert set(ref.costs) == {"loss"} and ref.costs["loss"] == ref.total


def test_same_seed_same_draws_on_both_backends() -> None:
    g = readme_graph()
    fast, ref = cg.Runtime(g), cg.Runtime(g, backend="reference")
    for seed in (0, 7):
        a = fast.run(FEEDS, seed=seed, values=True).values["eps"]
        b = ref.run(FEEDS, seed=seed, values=True).values["eps"]
        assert np.array_equal(a, b)  # bit for bit
    assert not np.array_equal(fast.run(FEEDS, seed=1, values=True).values["eps"],
                              fast.run(FEEDS, seed=2, values=True).values["eps"])
    # no seed: both continue a stream started at seed 0
    f2, r2 = cg.Runtime(g), cg.Runtime(g, backend="reference")
    for _ in range(2):
        assert np.array_equal(f2.run(FEEDS, values=True).values["eps"],
                              r2.run(FEEDS, values=True).values["eps"])
    # explicit draws go to the oracle unchanged
    eps = np.array([[0.5, -1.0], [2.0, 0.25]])
    r = ref.run(FEEDS, draws={"eps": eps}, values=True)
    assert np.array_equal(r.values["eps"], eps)
    assert r.total == pytest.approx(fast.run(FEEDS, draws={"eps": eps}).total, rel=1e-14)


def test_reference_backend_errors_are_the_runtime_errors() -> None:
    g = cg.Graph()
    x = g.input("x", (3,))
    g.cost(g.det("c", cg.sum(cg.log(x))))
    ref = cg.Runtime(g, backend="reference")
    with pytest.raises(cg.DomainError, match=r"node 'c.0': log: entry 1 is -0.5"):
        ref.run({"x": np.array([1.0, -0.5, 2.0])})
    with pytest.raises(cg.FeedError, match="node 'x': missing"):
        ref.run({})
    with pytest.raises(cg.CertigradError, match="float64"):
        cg.Runtime(g, dtype="float32", backend="reference")
    with pytest.raises(cg.CertigradError, match="backend must be"):
        cg.Runtime(g, backend="torch")
    with pytest.raises(cg.CertigradError, match="no optimizer"):
        cg.Adam(ref, {})
    r = ref.run({"x": np.array([1.0, 0.5, 2.0])}, backprop=False)
    assert r.grads == {} and r.total == pytest.approx(np.log(1.0) + np.log(0.5) + np.log(2.0))


def test_missing_oracle_is_a_clear_error(monkeypatch, tmp_path) -> None:
    g = readme_graph()
    monkeypatch.setenv("CERTIGRAD_REF", str(tmp_path / "nope"))
    with pytest.raises(cg.OracleNotFound, match=r"not an executable file at \$CERTIGRAD_REF="):
        cg.Runtime(g, backend="reference")
    with pytest.raises(cg.OracleNotFound):
        cg.Runtime(g, check_every=5)
    monkeypatch.delenv("CERTIGRAD_REF")
    monkeypatch.setattr(oracle, "BUNDLED", tmp_path / "bin" / "certigrad-ref")
    with pytest.raises(cg.OracleNotFound, match=r"not installed .*pip install \."):
        cg.Runtime(g, backend="reference")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_checked_mode_checks_every_nth_call(dtype: str) -> None:
    g = readme_graph()
    rt = cg.Runtime(g, dtype=dtype, check_every=3)
    feeds = {k: v.astype(dtype) for k, v in FEEDS.items()}
    plain = cg.Runtime(g, dtype=dtype)
    for i in range(7):
        r = rt.run(feeds, seed=i)
        want = plain.run(feeds, seed=i)
        assert r.values is None and r.total == want.total
        assert np.array_equal(r.grads["W"], want.grads["W"])
    st = rt.check_stats
    assert st is not None and st.checks == 3  # calls 1, 4, 7
    assert st.max_ratio < 1 and st.worst
    if dtype == "float32":
        assert st.max_abs > 0
    assert cg.Runtime(g).check_stats is None
    # lists are rounded to the runtime's dtype before both sides see them
    lists = {k: v.tolist() for k, v in FEEDS.items()}
    assert cg.Runtime(g, dtype=dtype, check_every=1).run(lists, seed=0).total == \
        plain.run(feeds, seed=0).total


@pytest.mark.parametrize("dtype, delta", [("float64", 1e-9), ("float32", 1e-4)])
def test_checked_mode_catches_a_planted_wrong_gradient(planted, dtype: str, delta: float) -> None:
    g = readme_graph()
    feeds = {k: v.astype(dtype) for k, v in FEEDS.items()}
    rt = cg.Runtime(g, dtype=dtype, check_every=2)
    good = cg.Runtime(g, dtype=dtype).run(feeds, seed=1).grads["W"].ravel()[4]
    rt.run(feeds, seed=0)                      # call 1: checked, agrees
    planted("W", 4, delta)
    bad = rt.run(feeds, seed=1)                # call 2: not checked, goes through
    assert bad.grads["W"].ravel()[4] == pytest.approx(good + delta, rel=1e-6)
    with pytest.raises(cg.VerificationError) as ei:
        rt.run(feeds, seed=2)                  # call 3: checked
    e = ei.value
    assert (e.node, e.what, e.entry) == ("W", "grad", 4)
    assert abs(e.runtime - e.oracle - delta) <= 1e-3 * delta + e.bound and e.bound < delta / 10
    msg = str(e)
    assert msg.startswith(f"node 'W': grad entry 4: runtime ({dtype}) ")
    assert repr(e.runtime) in msg and repr(e.oracle) in msg and "rounding bound" in msg


def test_checked_adam_steps_are_checked(planted) -> None:
    cfg = VaeConfig(n_in=12, hidden=6, latent=3, batch_size=4)
    g = build_graph(cfg)
    x = np.random.default_rng(0).random((12, 4)).astype("float32")
    rt = cg.Runtime(g, dtype="float32", check_every=2)
    opt = cg.Adam(rt, init_params(cfg, np.random.default_rng(1), "float32"))
    twin = cg.Adam(cg.Runtime(g, dtype="float32"), init_params(cfg, np.random.default_rng(1), "float32"))
    for i in range(4):  # checked steps change nothing: same losses and parameters
        assert opt.step({"x": x}, seed=i) == twin.step({"x": x}, seed=i)
    for _ in range(2):  # no seed: the checked step applies the very draws it checked
        assert opt.step({"x": x}) == twin.step({"x": x})
    assert all(np.array_equal(a, opt.params()[k]) for k, a in twin.params().items())
    assert rt.check_stats.checks == 3 and rt.check_stats.max_ratio < 1
    planted("W_dec2", 0, 1e-2)
    with pytest.raises(cg.VerificationError, match="node 'W_dec2': grad entry 0"):
        opt.step({"x": x}, seed=9)  # call 7: checked


def test_train_vae_check_every_logs_checks(tmp_path) -> None:
    from certigrad.cli import main

    out = tmp_path / "run"
    code = main(["train-vae", "--epochs", "1", "--limit", "300", "--batch-size", "50",
                 "--hidden", "16", "--latent", "4", "--check-every", "2", "--no-plot",
                 "--no-progress", "--threads", "1", "--out", str(out)])
    assert code == 0
    entry = json.loads((out / "log.jsonl").read_text().splitlines()[0])
    assert entry["iterations"] == 6 and entry["checks"] == 3  # iterations 1, 3, 5
    assert 0 < entry["check_max_ratio"] < 1 and entry["check_max_abs"] > 0


def test_certigrad_ref_command_prints_the_table() -> None:
    cmd = Path(sys.executable).parent / "certigrad-ref"
    assert cmd.exists(), f"{cmd}: the console script of pyproject.toml is not installed"
    out = subprocess.run([str(cmd), "--ops"], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == json.loads((REPO / "ops" / "ops.json").read_text())
    bad = subprocess.run([str(cmd), "--bogus"], capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("error: line 0: usage:")


def test_no_values_prints_the_same_result_without_value_lines() -> None:
    g = readme_graph()
    draws = {"eps": np.array([[0.5, -1.25], [2.0, 0.125]])}
    text = cg.interchange.dump(g, FEEDS, draws)
    full = oracle.run_text(text)
    short = oracle.run_text(text, ("--no-values",))
    assert short.splitlines() == [ln for ln in full.splitlines() if not ln.startswith("value ")]
    assert oracle.run_text(text, ("--naive", "--no-values")) == short
    a = cg.interchange.load_result(full, g)
    b = cg.Runtime(g, backend="reference").run(FEEDS, draws=draws)
    assert b.values is None and b.total == a["total"] and b.costs == a["costs"]
    for p in g.params:
        np.testing.assert_array_equal(b.grads[p], a["grads"][p])
