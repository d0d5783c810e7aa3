#!/usr/bin/env python3
"""Benchmark: data-parallel AEVB training over MPI (docs/distributed.md). Not a test.

    python3 benchmarks/bench_mpi.py [--steps 40] [--btl vader|tcp]

Full-size model (784-1000-30, global batch 250, float32, MNIST batches in
the order ``certigrad train-vae`` draws them):

1. K = 1, one process, no MPI (``Adam.step``), 1 and 2 threads: images/s.
2. K = 2, ``mpirun -n 2``, one thread per rank, shards of 125: images/s, and
   per step the time of the shard gradient (``Adam.gradient``), of the
   fixed-order reduce (``World.reduce``) and of ``Adam.apply``; then the
   reduce alone on the real parameter count and MPI's own ``Allreduce`` of
   the same buffer, for comparison (its summation order is not fixed).
3. Closeness at full size: ``--shards 2`` (bit for bit the 2-rank run,
   tests/test_distributed.py) against one process on the full batch with the
   same draws, after ``--close-steps`` steps, float32 and float64.
4. A projection to 8, 64 and 512 ranks (weak scaling, 125 images per rank):
   step = measured compute (gradient + apply) + modelled communication,
   ``2 (K-1)/K * 4 P / bandwidth + 2 (K-1) * latency`` (the bytes of a ring
   allreduce; the reduce posts its 2 (K-1) messages at once, each counted
   with the full latency: pessimistic), at 100 Gb/s and 5 us per message.

Timed: everything of a step but the batch gather, after ``--warmup`` steps.
The worker mode (``--worker``) is what mpirun starts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.abspath(__file__)
BANDWIDTH = 100e9 / 8  # bytes/s: 100 Gb/s
LATENCY = 5e-6  # s per message (assumed, typical of a 100 Gb/s fabric)


def _timed(fn, acc: list, cpu: list):
    """``fn``, appending its wall time to ``acc`` and its CPU time (this
    thread's: all the work of a 1-thread runtime) to ``cpu``."""
    def wrapper(*a, **k):
        t, c = time.perf_counter(), time.thread_time()
        r = fn(*a, **k)
        acc.append(time.perf_counter() - t)
        cpu.append(time.thread_time() - c)
        return r
    return wrapper


def worker(args) -> None:
    """One rank (or the single process): trains ``--steps`` steps, prints JSON on rank 0."""
    import certigrad as cg
    from certigrad.distributed import world
    from certigrad.train import ADAM, ShardedStep, epoch_plan, load_data, make_batch
    from certigrad.vae import VaeConfig, build_graph, init_params

    w = world(timeout=600)
    K, B = w.size, 250
    data = load_data(None, "float32")["train"]
    rng = np.random.default_rng(0)
    cfg = VaeConfig(batch_size=B // K)
    opt = cg.Adam(cg.Runtime(build_graph(cfg), dtype="float32", threads=args.threads),
                  init_params(VaeConfig(), rng, "float32"), **ADAM)
    perm, seeds = epoch_plan(rng, len(data), B)
    grad_t, reduce_t, apply_t, step_t, step_c, grad_c, apply_c, unused = [], [], [], [], [], [], [], []
    if K > 1:
        opt.gradient = _timed(opt.gradient, grad_t, grad_c)
        opt.apply = _timed(opt.apply, apply_t, apply_c)
        w.reduce = _timed(w.reduce, reduce_t, unused)
        step = ShardedStep(opt, w, K, B)
    n = args.warmup + args.steps
    for i in range(n):
        idx = perm[i * B:(i + 1) * B]
        if K == 1:
            xb = make_batch(data, idx)
            t, c = time.perf_counter(), time.thread_time()
            opt.step({"x": xb}, seed=int(seeds[i]), grad_scale=1.0 / B)
        else:
            w.comm.Barrier()
            t, c = time.perf_counter(), time.thread_time()
            step(data, idx, int(seeds[i]), i + 1)
        step_t.append(time.perf_counter() - t)
        step_c.append(time.thread_time() - c)
    res = {"ranks": K, "threads": args.threads, "steps": args.steps,
           "step_ms": 1e3 * statistics.median(step_t[args.warmup:]),
           "step_cpu_ms": 1e3 * statistics.median(step_c[args.warmup:])}
    res["images_per_s"] = B / (res["step_ms"] / 1e3)
    if K > 1:  # per-step breakdown (includes the batch gather of the shard in the gradient time)
        res["gradient_ms"] = 1e3 * statistics.median(grad_t[args.warmup:])
        res["reduce_ms"] = 1e3 * statistics.median(reduce_t[args.warmup:])
        res["apply_ms"] = 1e3 * statistics.median(apply_t[args.warmup:])
        res["gradient_cpu_ms"] = 1e3 * statistics.median(grad_c[args.warmup:])
        res["apply_cpu_ms"] = 1e3 * statistics.median(apply_c[args.warmup:])
        res["reduce_alone_ms"], res["allreduce_ms"] = _comm(w, step, args.reps)
        res["params"] = opt.flat_size
    if w.rank == 0:
        print("RESULT " + json.dumps(res), flush=True)


def _comm(w, step, reps: int) -> tuple[float, float]:
    """Median ms of World.reduce and of MPI Allreduce on the real buffers."""
    from mpi4py import MPI

    r1, r2 = [], []
    for _ in range(reps):
        w.comm.Barrier()
        t = time.perf_counter()
        w.reduce(step.local, step.local_losses, step.sum, step.losses, step.recv, 0)
        r1.append(time.perf_counter() - t)
        w.comm.Barrier()
        t = time.perf_counter()
        w.comm.Allreduce(step.local[0], step.sum, op=MPI.SUM)
        r2.append(time.perf_counter() - t)
    return 1e3 * statistics.median(r1), 1e3 * statistics.median(r2)


def closeness(steps: int) -> dict[str, tuple[float, float]]:
    """Per dtype, after ``steps`` steps, over the 7 weight matrices: the
    largest max |W_shards - W_full| / max |W_full| and the largest
    ||W_shards - W_full|| / ||W_full|| (Frobenius)."""
    import certigrad as cg
    from certigrad.distributed import World, shard_seed
    from certigrad.train import ADAM, ShardedStep, epoch_plan, load_data, make_batch
    from certigrad.vae import VaeConfig, build_graph, init_params

    out = {}
    for dt in ("float64", "float32"):
        data = load_data(None, dt)["train"]
        full_cfg, shard_cfg = VaeConfig(), VaeConfig(batch_size=125)
        rngs = [np.random.default_rng(0), np.random.default_rng(0)]
        full = cg.Adam(cg.Runtime(build_graph(full_cfg), dt, 2), init_params(full_cfg, rngs[0], dt), **ADAM)
        shard = cg.Adam(cg.Runtime(build_graph(shard_cfg), dt, 2), init_params(full_cfg, rngs[1], dt), **ADAM)
        step = ShardedStep(shard, World(None), 2, 250)
        perm, seeds = epoch_plan(rngs[0], len(data), 250)
        for i in range(steps):
            idx, s = perm[i * 250:(i + 1) * 250], int(seeds[i])
            eps = np.hstack([cg._core.normals(shard_seed(s, k), 30 * 125).reshape(30, 125)
                             for k in range(2)]).astype(dt)
            full.step({"x": make_batch(data, idx)}, draws={"eps": eps}, grad_scale=1 / 250)
            step(data, idx, s, i + 1)
        a, b = full.params(), shard.params()
        out[dt] = (max(float(np.max(np.abs(a[k] - b[k])) / np.max(np.abs(a[k]))) for k in a),
                   max(float(np.linalg.norm(a[k] - b[k]) / np.linalg.norm(a[k])) for k in a))
    return out


def add_seconds(P: int, reps: int = 20) -> float:
    """Median time of adding two float32 vectors of P entries (the
    arithmetic of the reduce: each rank adds K slices of P / K entries)."""
    a, b = np.ones(P, np.float32), np.ones(P, np.float32)
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        np.add(a, b, out=a)
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def projection(k2: dict, add_s: float) -> list[dict]:
    """Weak scaling, 125 images per rank: measured compute (the CPU time of
    the shard gradient and the Adam update of a 1-thread rank) + the
    measured arithmetic of the reduce + modelled communication; no overlap."""
    P, b = k2["params"], 125
    compute = (k2["gradient_cpu_ms"] + k2["apply_cpu_ms"]) / 1e3  # CPU time: robust to a shared machine
    rows = []
    for K in (2, 8, 64, 512):
        comm = 2 * (K - 1) / K * 4 * P / BANDWIDTH + 2 * (K - 1) * LATENCY + add_s
        ips = K * b / (compute + comm)
        rows.append({"ranks": K, "global_batch": K * b, "compute_ms": 1e3 * compute, "comm_ms": 1e3 * comm,
                     "images_per_s": ips, "efficiency": ips / (K * b / compute)})
    return rows


def _run(cmd: list[str], env: dict) -> dict:
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    lines = [s for s in r.stdout.splitlines() if s.startswith("RESULT ")]
    if r.returncode or not lines:
        sys.exit(f"failed: {' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
    return json.loads(lines[-1][7:])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--reps", type=int, default=20, help="repetitions of the communication timings")
    ap.add_argument("--threads", type=int, default=1, help="(worker) runtime threads")
    ap.add_argument("--btl", choices=("vader", "tcp"), default="vader",
                    help="OpenMPI transport between the 2 local ranks: shared memory or TCP on loopback")
    ap.add_argument("--close-steps", type=int, default=5)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(args)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMI", "SLURM_"))}
    base = [sys.executable, HERE, "--worker", "--steps", str(args.steps), "--warmup", str(args.warmup),
            "--reps", str(args.reps)]
    print(f"machine: {platform.node()}, {_cpu()}, load average {os.getloadavg()[0]:.2f} at start", flush=True)
    k1 = {t: _run(base + ["--threads", str(t)], env) for t in (1, 2)}
    btl = ["--mca", "btl", "self,vader"] if args.btl == "vader" else \
        ["--mca", "btl", "self,tcp", "--mca", "btl_tcp_if_include", "lo"]
    mpirun = [shutil.which("mpirun") or "mpirun", "-n", "2", "--oversubscribe", "--bind-to", "core", *btl]
    k2 = _run(mpirun + base + ["--threads", "1"],
              dict(env, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1"))
    close = closeness(args.close_steps)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print(f"\nK=1 1 thread: {k1[1]['images_per_s']:.0f} images/s ({k1[1]['step_ms']:.1f} ms/step; "
          f"CPU {k1[1]['step_cpu_ms']:.1f} ms: {250 / k1[1]['step_cpu_ms'] * 1e3:.0f} images per CPU-second)")
    print(f"K=1 2 threads: {k1[2]['images_per_s']:.0f} images/s ({k1[2]['step_ms']:.1f} ms/step)")
    print(f"K=2 ranks x 1 thread ({args.btl}): {k2['images_per_s']:.0f} images/s ({k2['step_ms']:.1f} ms/step: "
          f"gradient {k2['gradient_ms']:.1f}, reduce {k2['reduce_ms']:.1f}, apply {k2['apply_ms']:.1f}; "
          f"CPU ms of rank 0: gradient {k2['gradient_cpu_ms']:.1f}, apply {k2['apply_cpu_ms']:.1f})")
    mb = 4 * k2["params"] / 1e6
    print(f"reduce alone, P = {k2['params']} ({mb:.1f} MB float32): {k2['reduce_alone_ms']:.2f} ms; "
          f"MPI Allreduce of the same buffer: {k2['allreduce_ms']:.2f} ms")
    print(f"closeness after {args.close_steps} steps, --shards 2 (= 2 ranks) vs full batch, "
          + ", ".join(f"{k}: max|dW|/max|W| = {v[0]:.3g}, ||dW||/||W|| = {v[1]:.3g}" for k, v in close.items()))
    add_s = add_seconds(k2["params"])
    print(f"\nmodel: compute {k2['gradient_cpu_ms'] + k2['apply_cpu_ms']:.1f} ms per rank per step (CPU time, "
          f"125 images, 1 thread), reduce arithmetic {1e3 * add_s:.2f} ms (measured), "
          f"communication 2 (K-1)/K x {mb:.1f} MB at {BANDWIDTH * 8 / 1e9:.0f} Gb/s + 2 (K-1) x "
          f"{LATENCY * 1e6:.0f} us (modelled)")
    print("| ranks | global batch | compute ms | reduce ms (model) | images/s | efficiency |")
    print("|---|---|---|---|---|---|")
    for r in projection(k2, add_s):
        print(f"| {r['ranks']} | {r['global_batch']} | {r['compute_ms']:.1f} | {r['comm_ms']:.2f} | "
              f"{r['images_per_s']:.0f} | {100 * r['efficiency']:.0f}% |")


def _cpu() -> str:
    """lscpu's model name, family and model numbers, and the CPU count."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    except OSError:
        return platform.processor()
    f = {k.strip(): v.strip() for k, _, v in (s.partition(":") for s in out.splitlines())}
    return (f"{f.get('Model name', '?')} (family {f.get('CPU family', '?')}, model {f.get('Model', '?')}), "
            f"{os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
