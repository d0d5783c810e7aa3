"""The reference backend and the checked mode at full AEVB size
(784-1000-1000-30, batch 250; certigrad.vae defaults).

1. One AEVB iteration (forward + backprop) on ``backend="reference"``:
   the wall time, split into writing the graph text, the oracle process
   (``certigrad-ref``) and reading its result.
2. The overhead of ``check_every=N`` on training: ``--iterations`` Adam
   steps of MNIST batches with and without checks, and the cost per epoch
   (220 iterations) that this implies.

    python3 benchmarks/bench_reference.py [--iterations 41] [--check-every 20]
        [--dtype float32] [--threads T]

Prints one JSON line per measurement (see benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import numpy as np

import certigrad as cg
from certigrad import interchange, oracle
from certigrad.train import ADAM, N_TRAIN, load_data, make_batch
from certigrad.vae import VaeConfig, build_graph, init_params


def reference_iteration(cfg: VaeConfig, x: np.ndarray) -> dict:
    """One forward + backprop through the oracle, timed piece by piece."""
    g = build_graph(cfg)
    rt = cg.Runtime(g, backend="reference")
    feeds = dict(init_params(cfg, np.random.default_rng(0), "float64"), x=x)
    t0 = time.perf_counter()
    draws = rt._reference.draws_from_seed(feeds, 0)
    t1 = time.perf_counter()
    text = interchange.dump(g, feeds, draws)
    t2 = time.perf_counter()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = oracle.run_text(text, ("--no-values",))
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t3 = time.perf_counter()
    res = interchange.load_result(out, g, values=False)
    t4 = time.perf_counter()
    whole = time.perf_counter()
    r = rt.run(feeds, seed=0)
    whole = time.perf_counter() - whole
    fast = cg.Runtime(g, dtype="float64").run(feeds, seed=0)
    return {"bench": "reference_iteration", "seconds": round(whole, 2),
            "draws_cpp": round(t1 - t0, 2), "write_text": round(t2 - t1, 2),
            "oracle_process": round(t3 - t2, 2),
            "oracle_cpu": round(cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime, 2),
            "read_result": round(t4 - t3, 2),
            "text_mb": round(len(text) / 1e6, 1), "result_mb": round(len(out) / 1e6, 1),
            "total": r.total, "total_cpp_float64": fast.total,
            "same_as_piecewise": res["total"] == r.total}


def training(cfg: VaeConfig, X: np.ndarray, iterations: int, every: int | None, dtype: str,
             threads: int) -> tuple[float, object]:
    """``iterations`` Adam steps (train-vae's loop), checked every ``every``."""
    rt = cg.Runtime(build_graph(cfg), dtype=dtype, threads=threads, check_every=every)
    opt = cg.Adam(rt, init_params(cfg, np.random.default_rng(0), dtype), **ADAM)
    bs = cfg.batch_size
    perm = np.random.default_rng(1).permutation(len(X))
    t = time.perf_counter()
    for i in range(iterations):
        opt.step({"x": make_batch(X, perm[i * bs:(i + 1) * bs])}, seed=i, grad_scale=1.0 / bs)
    return time.perf_counter() - t, rt.check_stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=41)
    ap.add_argument("--check-every", type=int, default=20)
    ap.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    ap.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)))
    args = ap.parse_args()
    cfg = VaeConfig()
    data = load_data(dtype=args.dtype)["train"]
    x64 = make_batch(data.astype(np.float64), np.arange(cfg.batch_size))
    print(json.dumps(reference_iteration(cfg, x64)), flush=True)
    if args.iterations <= 0:
        return

    plain, _ = training(cfg, data, args.iterations, None, args.dtype, args.threads)
    checked, stats = training(cfg, data, args.iterations, args.check_every, args.dtype,
                              args.threads)
    per_epoch = N_TRAIN // cfg.batch_size
    checks = stats.checks
    per_check = (checked - plain) / checks
    epoch_plain = plain / args.iterations * per_epoch
    epoch_checks = -(-per_epoch // args.check_every)  # iterations 1, N+1, ...
    print(json.dumps({
        "bench": "check_overhead", "dtype": args.dtype, "threads": args.threads,
        "check_every": args.check_every, "iterations": args.iterations, "checks": checks,
        "seconds_plain": round(plain, 2), "seconds_checked": round(checked, 2),
        "seconds_per_check": round(per_check, 2),
        "epoch_seconds_plain_est": round(epoch_plain, 1),
        "epoch_checks": epoch_checks,
        "epoch_overhead_est": round(epoch_checks * per_check / epoch_plain, 2),
        "max_ratio": stats.max_ratio, "max_abs": stats.max_abs, "worst": stats.worst,
    }), flush=True)


if __name__ == "__main__":
    main()
