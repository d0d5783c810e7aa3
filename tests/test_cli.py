"""`certigrad train-vae`: a smoke run on a small subset (--limit and a small
model), exact resumption, and one-line errors with exit code 2 for bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from certigrad import cli

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "mnist"
SMALL = ["--limit", "100", "--batch-size", "10", "--hidden", "20", "--latent", "5", "--threads", "1"]


def test_help_lists_options(capsys):
    with pytest.raises(SystemExit) as e:
        cli.main(["train-vae", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for opt in ("--epochs", "--seed", "--threads", "--out", "--data", "--dtype", "--resume", "--limit"):
        assert opt in out


def test_bad_arguments_exit_2(capsys):
    for argv in (["train-vae"], ["train-vae", "--epochs", "x"], ["train-vae", "--epochs", "1", "--dtype", "float16"],
                 ["train-vae", "--epochs", "1", "--threads", "0"], []):
        with pytest.raises(SystemExit) as e:
            cli.main(argv)
        assert e.value.code == 2


def run(argv, capsys):
    code = cli.main(argv)
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def test_smoke_one_epoch(tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, stderr = run(["train-vae", "--epochs", "1", "--out", str(out), *SMALL], capsys)
    assert code == 0, stderr
    assert "Traceback" not in stderr
    assert "epoch 1/1" in stderr and "loss" in stderr  # the progress bar
    lines = (out / "log.jsonl").read_text().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["epoch"] == 1 and entry["iterations"] == 10
    assert entry["theorem"] == "Certigrad.aevb.AevbDownstream.aevb_downstream_unbiased"
    for key in ("train_loss", "val_loss", "test_loss", "seconds"):
        assert np.isfinite(entry[key])
    assert json.loads(stdout.splitlines()[-1]) == entry
    with np.load(out / "checkpoint.npz", allow_pickle=False) as z:
        assert int(z["epoch"]) == 1
        assert any(k.startswith("opt/") for k in z.files)
    png = (out / "vae.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


def test_resume_is_exact(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    common = [*SMALL, "--dtype", "float64", "--no-plot", "--seed", "3"]
    assert run(["train-vae", "--epochs", "2", "--out", str(a), *common], capsys)[0] == 0
    assert run(["train-vae", "--epochs", "1", "--out", str(b), *common], capsys)[0] == 0
    code, _, err = run(["train-vae", "--epochs", "2", "--out", str(b), "--resume", *common], capsys)
    assert code == 0, err
    assert "resuming" in err
    la = [json.loads(s) for s in (a / "log.jsonl").read_text().splitlines()]
    lb = [json.loads(s) for s in (b / "log.jsonl").read_text().splitlines()]
    assert [e["train_loss"] for e in la] == [e["train_loss"] for e in lb]
    assert [e["test_loss"] for e in la] == [e["test_loss"] for e in lb]
    with np.load(a / "checkpoint.npz", allow_pickle=False) as za, np.load(b / "checkpoint.npz", allow_pickle=False) as zb:
        assert sorted(za.files) == sorted(zb.files)
        for k in za.files:
            if k == "history":  # holds timings
                continue
            np.testing.assert_array_equal(za[k], zb[k], err_msg=k)


def _assert_one_line_error(code, err, *needles):
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("certigrad: error: "), err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def test_missing_data_dir(tmp_path, capsys):
    missing = tmp_path / "no-such-dir"
    code, _, err = run(["train-vae", "--epochs", "1", "--out", str(tmp_path / "o"), "--data", str(missing), *SMALL], capsys)
    _assert_one_line_error(code, err, str(missing), "missing")


def test_corrupt_data_file(tmp_path, capsys):
    d = tmp_path / "mnist"
    shutil.copytree(DATA, d)
    bad = d / "t10k-labels-idx1-ubyte.gz"
    bad.chmod(0o644)
    bad.write_bytes(bad.read_bytes()[:1000])
    code, _, err = run(["train-vae", "--epochs", "1", "--out", str(tmp_path / "o"), "--data", str(d), *SMALL], capsys)
    _assert_one_line_error(code, err, str(bad))


def test_bad_checkpoints(tmp_path, capsys):
    out = tmp_path / "o"
    args = ["train-vae", "--epochs", "2", "--out", str(out), "--resume", "--no-plot", *SMALL]
    # No checkpoint to resume.
    code, _, err = run(args, capsys)
    _assert_one_line_error(code, err, str(out / "checkpoint.npz"), "missing")
    # Not an npz.
    out.mkdir()
    (out / "checkpoint.npz").write_text("garbage")
    code, _, err = run(args, capsys)
    _assert_one_line_error(code, err, str(out / "checkpoint.npz"), "corrupt")
    # An npz holding a pickled object is refused, not unpickled.
    np.savez(out / "checkpoint.npz", format=np.array([{"a": 1}], dtype=object))
    code, _, err = run(args, capsys)
    _assert_one_line_error(code, err, str(out / "checkpoint.npz"))
    # A real checkpoint from a different configuration.
    assert run(["train-vae", "--epochs", "1", "--out", str(out), "--no-plot", *SMALL], capsys)[0] == 0
    code, _, err = run([*args, "--dtype", "float64"], capsys)
    _assert_one_line_error(code, err, str(out / "checkpoint.npz"), "dtype")
    # Truncated.
    ck = out / "checkpoint.npz"
    ck.write_bytes(ck.read_bytes()[:-200])
    code, _, err = run(args, capsys)
    _assert_one_line_error(code, err, str(ck))


def test_module_entry_point_bad_input_no_traceback(tmp_path):
    """In a real process: exit status 2 and one line on stderr."""
    proc = subprocess.run(
        [sys.executable, "-m", "certigrad.cli", "train-vae", "--epochs", "1", "--data", str(tmp_path / "nope"),
         "--out", str(tmp_path / "o")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(tmp_path / "nope") in proc.stderr


def test_check_every_with_shards_is_refused(tmp_path, capsys):
    code, _, stderr = run(["train-vae", "--epochs", "1", "--out", str(tmp_path / "r"), "--shards", "2",
                           "--check-every", "5", "--no-plot", *SMALL], capsys)
    assert code == 2
    assert "--check-every" in stderr and "--shards" in stderr
