#!/usr/bin/env python3
"""Benchmark: one AEVB training iteration (forward, backward, Adam step),
certigrad against PyTorch on CPU. Not a test.

    python3 benchmarks/bench_vae.py --dtype float32 --threads 2

Both frameworks start from the same weights (Glorot uniform, seeded) and see
the same batches in the same order (the first epoch's permutation of the
55,000 training images, as `certigrad train-vae` draws it). They are timed in
one process, interleaved: blocks of ``--block`` iterations alternate between
the two (which one goes first alternates too), after ``--warmup`` untimed
iterations each. Timed: the call that does one iteration (certigrad:
``Adam.step``; PyTorch: zero_grad, forward, backward, ``optimizer.step``);
not timed: gathering the batch (the same NumPy code for both).

Memory: each framework then runs alone in a fresh subprocess (``--worker``),
which loads the data, keeps only its batches, then resets the kernel's
peak-RSS counter (``/proc/self/clear_refs``) and reports the peak resident set
(VmHWM) reached while building the model and training, and its growth over the
RSS just before (imports and batches included in that baseline). These solo
runs also give a second, non-interleaved timing.

The last line is ``ratio certigrad/pytorch <dtype> <threads>t: X`` (medians of
the interleaved wall times). At 1 thread the CPU time of the calling thread is
reported too: all the work runs there, and other processes disturb it less
than wall time (caches and a shared core still do).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:  # a source checkout without the package installed
    import certigrad  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))

from certigrad.train import ADAM, epoch_plan, load_data, make_batch  # noqa: E402
from certigrad.vae import VaeConfig, build_graph, init_params  # noqa: E402


def _batches(args, cfg, n):
    """The init weights and the first ``n`` (batch, seed) pairs of epoch 1, as train-vae draws them."""
    rng = np.random.default_rng(args.seed)
    init = init_params(cfg, rng, args.dtype, args.init)
    data = load_data(args.data, args.dtype)
    X = data["train"]
    perm, seeds = epoch_plan(rng, len(X), cfg.batch_size)
    bs = cfg.batch_size
    nb = len(seeds)
    out = [(make_batch(X, perm[(i % nb) * bs : (i % nb + 1) * bs]), int(seeds[i % nb])) for i in range(n)]
    return init, out


class CgRunner:
    name = "certigrad"

    def __init__(self, cfg, init, dtype, threads):
        import certigrad as cg

        self.rt = cg.Runtime(build_graph(cfg), dtype=dtype, threads=threads)
        self.opt = cg.Adam(self.rt, init, **ADAM)
        self.scale = 1.0 / cfg.batch_size

    def step(self, xb, seed):
        return self.opt.step({"x": xb}, seed=seed, grad_scale=self.scale)


class TorchRunner:
    name = "pytorch"

    def __init__(self, cfg, init, dtype, threads):
        import torch

        torch.set_num_threads(threads)
        from torch_vae import TorchVae

        self.m = TorchVae(init, dtype, cfg.latent, cfg.batch_size, lr=ADAM["lr"], beta1=ADAM["beta1"],
                          beta2=ADAM["beta2"], eps=ADAM["eps"])

    def step(self, xb, seed):
        return self.m.step(xb, seed)


RUNNERS = {"certigrad": CgRunner, "pytorch": TorchRunner}


CPU_TIMES: dict[str, list] = {}


def _timed(runner, batch):
    """Wall seconds of one iteration; its CPU time on this thread goes to CPU_TIMES
    (all of the work at 1 thread: a measure that other processes disturb less)."""
    xb, seed = batch
    c = time.thread_time()
    t = time.perf_counter()
    loss = runner.step(xb, seed)
    dt = time.perf_counter() - t
    CPU_TIMES.setdefault(runner.name, []).append(time.thread_time() - c)
    if not np.isfinite(loss):
        raise FloatingPointError(f"{runner.name}: loss {loss}")
    return dt


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def worker(args, cfg):
    """Run one framework alone; print one JSON line (times in ms, memory in MiB)."""
    if args.worker == "pytorch":
        import torch  # noqa: F401  (imports count in the baseline)
    else:
        import certigrad  # noqa: F401
    init, batches = _batches(args, cfg, args.warmup + args.iters)
    gc.collect()
    base = _status_kib("VmRSS")
    reset = False
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        reset = True
    except OSError:
        pass
    runner = RUNNERS[args.worker](cfg, init, args.dtype, args.threads)
    for b in batches[: args.warmup]:
        _timed(runner, b)
    times = [_timed(runner, b) for b in batches[args.warmup :]]
    peak = _status_kib("VmHWM")
    print(json.dumps({
        "framework": args.worker,
        "median_ms": 1e3 * statistics.median(times),
        "baseline_mib": base / 1024,
        "peak_mib": peak / 1024,
        "peak_reset": reset,
    }))


def _busy_seconds():
    """CPU seconds spent busy by the whole machine (from /proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            vals = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return None
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_seconds():
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def interleaved(args, cfg):
    init, batches = _batches(args, cfg, args.warmup + args.iters)
    runners = [CgRunner(cfg, init, args.dtype, args.threads), TorchRunner(cfg, init, args.dtype, args.threads)]
    for r in runners:
        for b in batches[: args.warmup]:
            _timed(r, b)
    times = {r.name: [] for r in runners}
    CPU_TIMES.clear()
    timed = batches[args.warmup :]
    for k, start in enumerate(range(0, len(timed), args.block)):
        block = timed[start : start + args.block]
        for r in (runners if k % 2 == 0 else runners[::-1]):
            times[r.name].extend(_timed(r, b) for b in block)
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=100, help="timed iterations per framework (default 100)")
    ap.add_argument("--block", type=int, default=10, help="iterations per interleaved block (default 10)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed iterations per framework first (default 5)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=("glorot", "normal"), default="glorot")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--no-memory", action="store_true", help="skip the solo subprocess runs")
    ap.add_argument("--worker", choices=tuple(RUNNERS), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    cfg = VaeConfig()
    if args.worker:
        worker(args, cfg)
        return 0

    import torch

    busy0, own0, wall0 = _busy_seconds(), _own_seconds(), time.perf_counter()
    times = interleaved(args, cfg)
    busy1, own1, wall1 = _busy_seconds(), _own_seconds(), time.perf_counter()
    other = None if busy0 is None else max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0)
    solo = {}
    if not args.no_memory:
        for name in RUNNERS:
            cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--dtype", args.dtype,
                   "--threads", str(args.threads), "--iters", str(min(args.iters, 40)), "--warmup", "3",
                   "--seed", str(args.seed), "--init", args.init]
            if args.data:
                cmd += ["--data", str(args.data)]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
            if proc.returncode != 0:
                print(proc.stderr, file=sys.stderr)
                raise SystemExit(f"worker {name} failed")
            solo[name] = json.loads(proc.stdout.strip().splitlines()[-1])

    nb = 55000 // cfg.batch_size
    med = {k: 1e3 * statistics.median(v) for k, v in times.items()}
    q = {k: np.percentile(np.array(v) * 1e3, [10, 90]) for k, v in times.items()}
    names = list(RUNNERS)
    rows = [
        ("median ms/iter (interleaved)", [f"{med[n]:.2f}" for n in names]),
        ("p10 - p90 ms/iter", [f"{q[n][0]:.1f} - {q[n][1]:.1f}" for n in names]),
        ("min ms/iter", [f"{1e3 * min(times[n]):.2f}" for n in names]),
        (f"epoch estimate s ({nb} iter)", [f"{med[n] * nb / 1e3:.2f}" for n in names]),
    ]
    if args.threads == 1:
        cpu = {k: 1e3 * statistics.median(v) for k, v in CPU_TIMES.items()}
        rows.append(("median thread-CPU ms/iter (interleaved)", [f"{cpu[n]:.2f}" for n in names]))
    if solo:
        rows += [
            ("median ms/iter (alone, subprocess)", [f"{solo[n]['median_ms']:.2f}" for n in names]),
            ("peak RSS MiB (alone)", [f"{solo[n]['peak_mib']:.0f}" for n in names]),
            ("  baseline RSS MiB (imports+batches)", [f"{solo[n]['baseline_mib']:.0f}" for n in names]),
            ("  peak growth MiB (model+training)", [f"{solo[n]['peak_mib'] - solo[n]['baseline_mib']:.0f}" for n in names]),
        ]
    print(f"AEVB on MNIST: batch {cfg.batch_size}, {cfg.n_in}-{cfg.hidden}-{cfg.hidden}-{cfg.latent}, "
          f"{args.dtype}, {args.threads} thread(s), {args.iters} timed iterations each in interleaved blocks of "
          f"{args.block}, {args.init} init")
    print(f"torch {torch.__version__}, numpy {np.__version__}, python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    if other is not None:
        flag = "  (NOISY: other processes competed for the CPUs; rerun on an idle machine)" if other > 0.1 else ""
        print(f"other processes during the interleaved timing: {other:.2f} CPUs busy on average{flag}")
    w = max(len(r[0]) for r in rows)
    print(f"{'':<{w}}  {'certigrad':>14}  {'pytorch':>14}")
    for label, vals in rows:
        print(f"{label:<{w}}  {vals[0]:>14}  {vals[1]:>14}")
    print(f"ratio of minima (least disturbed iterations): {min(times['certigrad']) / min(times['pytorch']):.3f}")
    if args.threads == 1:
        print(f"ratio of median thread-CPU times (1 thread: all the work is on this thread): "
              f"{cpu['certigrad'] / cpu['pytorch']:.3f}")
    print(f"ratio certigrad/pytorch {args.dtype} {args.threads}t: {med['certigrad'] / med['pytorch']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
