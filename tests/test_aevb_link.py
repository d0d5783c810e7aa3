"""The link between the AEVB theorem and what ``certigrad train-vae`` trains.

``theories/aevb/AevbUnbiased.v`` proves unbiasedness for ``aevb_graph`` of
``theories/aevb/AevbGraph.v``; the extracted oracle prints that very graph
(``certigrad-ref --aevb N_IN HIDDEN LATENT BATCH``). These tests check that
the graph ``certigrad.vae.build_graph`` builds is the same graph node for
node (names, operators, parents, shapes, inputs, params, costs), at the real
sizes and at small ones; that the oracle's transformations turn the naive
AEVB into it; and that a one-node change in the Python model is caught.
"""

from __future__ import annotations

import subprocess

import pytest

import certigrad as cg
from certigrad import interchange, vae

from harness import oracle

SIZES = [vae.VaeConfig(), vae.VaeConfig(n_in=6, hidden=8, latent=2, batch_size=3)]


def _oracle(*args: str, stdin: str | None = None) -> str:
    out = subprocess.run([str(oracle.find()), *args], input=stdin, capture_output=True,
                         text=True, check=False, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _coq_graph(cfg: vae.VaeConfig, *extra: str) -> str:
    return _oracle("--aevb", str(cfg.n_in), str(cfg.hidden), str(cfg.latent),
                   str(cfg.batch_size), *extra)


@pytest.mark.parametrize("cfg", SIZES, ids=lambda c: f"{c.n_in}-{c.hidden}-{c.latent}-bs{c.batch_size}")
def test_trained_graph_is_the_proved_graph(cfg):
    python_text = interchange.dump_graph(vae.build_graph(cfg))
    assert python_text == _coq_graph(cfg)


@pytest.mark.parametrize("cfg", SIZES, ids=lambda c: f"{c.n_in}-{c.hidden}-{c.latent}-bs{c.batch_size}")
def test_naive_graph_is_the_coq_naive_graph(cfg):
    assert interchange.dump_graph(vae.build_naive_graph(cfg)) == _coq_graph(cfg, "naive")


def test_transformations_give_the_trained_graph():
    cfg = SIZES[1]
    naive = _coq_graph(cfg, "naive")
    assert "rand z : 2 3 = mvn mu sigma" in naive
    assert "det kl : = mvn_empirical_kl mu sigma z" in naive
    transformed = _oracle("--transform", "integrate_kl:kl", "reparameterize:z:eps", stdin=naive)
    assert transformed == interchange.dump_graph(vae.build_graph(cfg))


def test_a_changed_node_is_caught(monkeypatch):
    cfg = SIZES[1]
    original = cg.softplus
    calls = {"n": 0}

    def sigmoid_once(x):
        # The second softplus of the decoder (dec2) becomes a sigmoid.
        calls["n"] += 1
        return cg.sigmoid(x) if calls["n"] == 4 else original(x)

    monkeypatch.setattr(cg, "softplus", sigmoid_once)
    changed = interchange.dump_graph(vae.build_graph(cfg))
    expected = _coq_graph(cfg)
    assert changed != expected
    diff = [(a, b) for a, b in zip(changed.splitlines(), expected.splitlines()) if a != b]
    assert diff == [("det dec2 : 8 3 = sigmoid dec2_pre", "det dec2 : 8 3 = softplus dec2_pre")]


@pytest.mark.parametrize("steps,message", [
    (["integrate_kl:nll"], "error: node 'nll': is not mvn_empirical_kl of three parents"),
    (["reparameterize:z:x"], "error: node 'x': the name is already used"),
    (["reparameterize:mu:eps"], "error: node 'mu': is not drawn from mvn of two parents"),
    (["integrate_kl:nope"], "error: node 'nope': no such node"),
])
def test_transformation_errors_name_the_node(steps, message):
    naive = _coq_graph(SIZES[1], "naive")
    out = subprocess.run([str(oracle.find()), "--transform", *steps], input=naive,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert out.stderr.strip() == message


def test_the_logged_theorem_is_an_audited_headline():
    # train-vae logs vae.THEOREM; it must name a theorem the audit checks.
    from pathlib import Path
    headlines = Path(__file__).resolve().parents[1] / "audit" / "headlines.txt"
    names = [line.split("#")[0].strip() for line in headlines.read_text().splitlines()]
    assert vae.THEOREM in names
    assert vae.THEOREM.endswith("AevbDownstream.aevb_downstream_unbiased")
