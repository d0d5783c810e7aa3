"""A trainer killed while it writes its checkpoint leaves the previous one
intact (issue 15, item 5): the checkpoint is written to a temporary file,
fsynced and renamed over ``checkpoint.npz``.

The child process trains 2 epochs; while it writes epoch 2's checkpoint,
half of the archive is on disk when it is killed with SIGKILL (no Python
cleanup runs). The parent then reads the checkpoint (epoch 1, loadable) and
resumes from it to the same numbers as an uninterrupted run.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import numpy as np

from certigrad import cli
from certigrad.train import load_checkpoint

SMALL = ["--limit", "100", "--batch-size", "10", "--hidden", "20", "--latent", "5", "--threads", "1",
         "--no-progress", "--no-plot"]

# Runs train-vae for 2 epochs; the second checkpoint write is cut in half and
# the process is killed on the spot.
CHILD = """
import io, os, signal, sys
import numpy as np
from certigrad import cli
real_savez = np.savez
calls = []
def dying_savez(f, **arrays):
    calls.append(1)
    if len(calls) < 2:
        return real_savez(f, **arrays)
    buf = io.BytesIO()
    real_savez(buf, **arrays)
    data = buf.getvalue()
    f.write(data[: len(data) // 2])
    f.flush()
    os.kill(os.getpid(), signal.SIGKILL)
np.savez = dying_savez
sys.exit(cli.main(sys.argv[1:]))
"""


def test_kill_during_checkpoint_write_keeps_the_last_one(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["train-vae", "--epochs", "2", "--out", str(out), *SMALL]
    proc = subprocess.run([sys.executable, "-c", CHILD, *args], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == -signal.SIGKILL, proc.stderr

    ck = load_checkpoint(out / "checkpoint.npz")  # raises CheckpointError if corrupt
    assert ck["epoch"] == 1
    torn = [p for p in out.iterdir() if p.name.endswith(".tmp")]
    assert len(torn) == 1 and torn[0].stat().st_size > 0  # the half-written epoch-2 archive

    assert cli.main(["train-vae", "--epochs", "2", "--out", str(out), "--resume", *SMALL]) == 0
    resumed = [json.loads(s) for s in (out / "log.jsonl").read_text().splitlines()]

    clean = tmp_path / "clean"
    assert cli.main(["train-vae", "--epochs", "2", "--out", str(clean), *SMALL]) == 0
    expected = [json.loads(s) for s in (clean / "log.jsonl").read_text().splitlines()]
    capsys.readouterr()
    assert [e["epoch"] for e in resumed] == [1, 2]
    for a, b in zip(resumed, expected):
        assert a["train_loss"] == b["train_loss"] and a["val_loss"] == b["val_loss"]
    with np.load(out / "checkpoint.npz", allow_pickle=False) as z:
        assert int(z["epoch"]) == 2
