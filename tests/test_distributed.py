"""Data-parallel training (docs/distributed.md): 2 MPI ranks on loopback.

- a 2-rank run equals, bit for bit, the single-process ``--shards 2`` run and
  another 2-rank run; it is close to one process on the full batch with the
  same draws (the gradients are then summed in another order);
- ranks that disagree at start are named; a rank that hangs (or dies) stops
  the job within ``--timeout`` with a clear message, the last checkpoint is
  intact and ``--resume`` continues it to the same numbers as an
  uninterrupted run;
- the single-process path does not import mpi4py.

Skipped where mpirun or mpi4py are missing, a failure when ``CI=true``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from harness.deps import in_ci, require

import certigrad as cg
from certigrad import cli
from certigrad.distributed import crc, launched_size, shard_seed
from certigrad.train import ADAM, epoch_plan, load_data, make_batch
from certigrad.vae import VaeConfig, build_graph, init_params

SMALL = ["--limit", "40", "--batch-size", "4", "--hidden", "8", "--latent", "2", "--threads", "1",
         "--no-plot", "--no-progress", "--seed", "5"]
EPOCHS = 3  # 10 steps per epoch
LOOPBACK = ["--oversubscribe", "--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"]


@pytest.fixture(scope="module")
def mpirun() -> list[str]:
    """The launcher command for 2 ranks on loopback (TCP over lo)."""
    exe = shutil.which("mpirun")
    if exe is None:
        reason = "mpirun is missing (Debian: apt-get install openmpi-bin libopenmpi-dev; scripts/setup.sh)"
        if in_ci():
            pytest.fail(reason + " [CI=true: a missing test dependency fails]", pytrace=False)
        pytest.skip(reason + " [a failure when CI=true]")
    require("mpi4py")
    return [exe, *LOOPBACK]


def _env(**extra: str) -> dict[str, str]:
    """The environment of a launch: OpenMPI may run as root (containers), no
    fault hook unless given."""
    env = {k: v for k, v in os.environ.items() if k != "CERTIGRAD_TEST_FAULT"}
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", **extra)
    return env


def _train(mpirun: list[str], out: Path, *args: str, fault: str | None = None, ranks: int = 2,
           timeout: float = 120) -> subprocess.CompletedProcess:
    cmd = [*mpirun, "-n", str(ranks)]
    if fault:
        cmd += ["-x", "CERTIGRAD_TEST_FAULT"]
    cmd += [sys.executable, "-m", "certigrad.cli", "train-vae", "--out", str(out), *SMALL, *args]
    env = _env(**({"CERTIGRAD_TEST_FAULT": fault} if fault else {}))
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)


def _state(out: Path) -> dict[str, np.ndarray]:
    with np.load(out / "checkpoint.npz", allow_pickle=False) as z:
        return {k: z[k] for k in z.files if k != "history"}


def _losses(out: Path) -> list[tuple]:
    return [(e["train_loss"], e["val_loss"], e["test_loss"])
            for e in map(json.loads, (out / "log.jsonl").read_text().splitlines())]


def _same(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def _full_batch_reference(dtype: str, epochs: int) -> dict[str, np.ndarray]:
    """One process, the full batch of 4 in one runtime call, with the draws of
    the 2 shards (shard k's eps columns from seed shard_seed(step seed, k))."""
    cfg = VaeConfig(hidden=8, latent=2, batch_size=4)
    data = load_data(None, dtype, 40)
    rng = np.random.default_rng(5)
    opt = cg.Adam(cg.Runtime(build_graph(cfg), dtype=dtype), init_params(cfg, rng, dtype), **ADAM)
    for _ in range(epochs):
        perm, seeds = epoch_plan(rng, 40, 4)
        for i in range(10):
            eps = np.hstack([cg._core.normals(shard_seed(int(seeds[i]), k), 2 * 2).reshape(2, 2)
                             for k in range(2)]).astype(dtype)
            opt.step({"x": make_batch(data["train"], perm[4 * i:4 * i + 4])}, draws={"eps": eps},
                     grad_scale=0.25)
    return {f"opt/{k}": v for k, v in opt.state_dict().items()}


@pytest.fixture(scope="module")
def clean(mpirun, tmp_path_factory) -> Path:
    """A 2-rank float64 run of 3 epochs."""
    out = tmp_path_factory.mktemp("clean")
    r = _train(mpirun, out, "--epochs", str(EPOCHS), "--dtype", "float64")
    assert r.returncode == 0, r.stderr
    return out


def test_two_ranks_equal_shards_and_each_other(mpirun, clean, tmp_path, capsys):
    again = tmp_path / "again"
    r = _train(mpirun, again, "--epochs", str(EPOCHS), "--dtype", "float64")
    assert r.returncode == 0, r.stderr
    _same(_state(clean), _state(again))
    assert _losses(clean) == _losses(again)
    log = [json.loads(s) for s in (clean / "log.jsonl").read_text().splitlines()]
    assert [(e["ranks"], e["shards"], e["iterations"]) for e in log] == [(2, 2, 10)] * EPOCHS
    single = tmp_path / "single"
    assert cli.main(["train-vae", "--out", str(single), *SMALL, "--epochs", str(EPOCHS),
                     "--dtype", "float64", "--shards", "2"]) == 0
    capsys.readouterr()
    _same(_state(clean), _state(single))
    assert _losses(clean) == _losses(single)


def test_two_ranks_of_two_shards_each(mpirun, tmp_path, capsys):
    """``mpirun -n 2 ... --shards 4``: each rank computes 2 shards in turn."""
    r = _train(mpirun, tmp_path / "mpi", "--epochs", "1", "--shards", "4")
    assert r.returncode == 0, r.stderr
    assert cli.main(["train-vae", "--out", str(tmp_path / "one"), *SMALL, "--epochs", "1", "--shards", "4"]) == 0
    capsys.readouterr()
    _same(_state(tmp_path / "mpi"), _state(tmp_path / "one"))


@pytest.mark.parametrize("dtype,tol", [("float64", 1e-13), ("float32", 1e-5)])
def test_two_ranks_close_to_full_batch(mpirun, clean, tmp_path, dtype, tol):
    """Same draws, one process, batch 4 in one call: the weights differ only
    by the order of the gradient sums (measured: see docs/distributed.md)."""
    out = clean
    if dtype == "float32":
        out = tmp_path / "f32"
        r = _train(mpirun, out, "--epochs", str(EPOCHS), "--dtype", dtype)
        assert r.returncode == 0, r.stderr
    ref, got = _full_batch_reference(dtype, EPOCHS), _state(out)
    worst = 0.0
    for k, v in ref.items():
        if k.startswith("opt/param."):
            worst = max(worst, float(np.max(np.abs(got[k] - v)) / np.max(np.abs(v))))
    assert 0 <= worst <= tol, f"{dtype}: max relative weight difference {worst:.3g}"
    print(f"{dtype}: 2 ranks vs 1 process full batch, max |dW| / max |W| = {worst:.3g}")


def test_mismatched_arguments_are_named(mpirun, tmp_path):
    cmd = [*mpirun, "-n", "1", sys.executable, "-m", "certigrad.cli", "train-vae", "--out", str(tmp_path),
           *SMALL, "--epochs", "1", ":", "-n", "1", sys.executable, "-m", "certigrad.cli", "train-vae",
           "--out", str(tmp_path), *SMALL, "--epochs", "1", "--latent", "3"]
    r = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, r.stderr
    assert "rank 1 differs from rank 0 in the argument latent" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("kind", ["hang", "exit"])
def test_dead_or_hung_rank_stops_the_job(mpirun, clean, tmp_path, kind):
    out = tmp_path / "faulty"
    t0 = time.monotonic()
    r = _train(mpirun, out, "--epochs", str(EPOCHS), "--dtype", "float64", "--timeout", "3", fault=f"1:15:{kind}")
    elapsed = time.monotonic() - t0
    assert "Traceback" not in r.stderr
    assert f"CERTIGRAD_TEST_FAULT: {kind} at step 15" in r.stderr
    if kind == "hang":  # rank 0 names the silent rank and stops the job
        assert r.returncode == 3, r.stderr
        assert "rank 0: no answer from rank 1 within 3 s in the gradient reduce-scatter of step 15" in r.stderr
    else:  # the launcher stops the job at once and names the rank that exited
        assert r.returncode != 0, r.stderr
    assert elapsed < 60
    state = _state(out)  # intact: epoch 1 (steps 1-10); step 15 was in epoch 2
    assert int(state["epoch"]) == 1
    assert not list(out.glob("*.tmp"))
    if kind == "exit":
        return
    r = _train(mpirun, out, "--epochs", str(EPOCHS), "--dtype", "float64", "--resume")
    assert r.returncode == 0, r.stderr
    _same(_state(clean), _state(out))
    assert _losses(clean) == _losses(out)


def test_batch_must_split_into_shards(capsys, tmp_path):
    assert cli.main(["train-vae", "--out", str(tmp_path), *SMALL, "--epochs", "1", "--batch-size", "5",
                     "--shards", "2"]) == 2
    assert "the batch size 5 cannot be split into 2 equal shards (--shards 2)" in capsys.readouterr().err


def test_single_process_needs_no_mpi(tmp_path):
    code = ("import sys; from certigrad import cli; "
            f"assert cli.main(['train-vae', '--out', {str(tmp_path)!r}, *{SMALL!r}, '--epochs', '1', "
            "'--shards', '2']) == 0; assert 'mpi4py' not in sys.modules, 'imported mpi4py'")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI", "SLURM_"))}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


def test_launcher_environment_and_crc(monkeypatch):
    for name in ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"):
        monkeypatch.delenv(name, raising=False)
    assert launched_size() == 1
    monkeypatch.setenv("PMI_SIZE", "4")
    assert launched_size() == 4
    a = np.arange(3.0)
    assert crc(a) == crc(a.copy()) != crc(a.astype(np.float32)) != crc(a[:2])
    assert shard_seed(7, 0) != shard_seed(7, 1) and shard_seed(7, 1) == shard_seed(7, 1)
