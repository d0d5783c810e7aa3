#!/usr/bin/env python3
"""Per-operator timings of the AEVB's nodes, certigrad against PyTorch.
Not a test; a tool to see where an iteration's time goes.

    python3 benchmarks/op_profile.py --dtype float32 --threads 2

Each node of the AEVB graph (certigrad.vae.build_graph, batch 250) is run
alone: a graph whose inputs have the node's parent shapes (parents through
which the full graph backpropagates to a parameter are parameters here, so
the same pullbacks run), the node, and ``sum`` of it as the cost (the cost
itself when the node is scalar). Timed (median of ``--reps``): forward only
(``Runtime.run(..., backprop=False)``) and forward + backprop (``run``), the
latter including the copy of the returned gradients to NumPy. PyTorch: the
same op on tensors (``requires_grad`` where certigrad has parameters),
forward under ``no_grad``, then forward + ``backward``. The ``empty`` row is a
graph with a single parameter summed: the fixed cost of one call.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
try:
    import certigrad  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))

import certigrad as cg  # noqa: E402

H, L, D, BS = 1000, 30, 784, 250

# (node, op, [(parent shape, needs grad)]), in the order of the forward pass.
NODES = [
    ("empty", "identity", [((1, 1), True)]),
    ("enc1_pre", "gemm", [((H, D), True), ((D, BS), False)]),
    ("enc1", "softplus", [((H, BS), True)]),
    ("enc2_pre", "gemm", [((H, H), True), ((H, BS), True)]),
    ("h", "softplus", [((H, BS), True)]),
    ("mu", "gemm", [((L, H), True), ((H, BS), True)]),
    ("logsigma2", "gemm", [((L, H), True), ((H, BS), True)]),
    ("sigma2", "exp", [((L, BS), True)]),
    ("sigma", "sqrt", [((L, BS), True)]),
    ("z", "mul_add", [((L, BS), True), ((L, BS), False), ((L, BS), True)]),
    ("dec1_pre", "gemm", [((H, L), True), ((L, BS), True)]),
    ("dec1", "softplus", [((H, BS), True)]),
    ("dec2_pre", "gemm", [((H, H), True), ((H, BS), True)]),
    ("dec2", "softplus", [((H, BS), True)]),
    ("p_pre", "gemm", [((D, H), True), ((H, BS), True)]),
    ("p", "sigmoid", [((D, BS), True)]),
    ("kl", "mvn_kl", [((L, BS), True), ((L, BS), True)]),
    ("nll", "bernoulli_neglogpdf", [((D, BS), True), ((D, BS), False)]),
    ("nll (p = sigmoid)", "bernoulli_sigmoid", [((D, BS), True), ((D, BS), False)]),
]


def _values(parents, op, rng, dtype):
    vals = []
    for j, (shape, _) in enumerate(parents):
        a = rng.standard_normal(shape) * 0.05
        if op in ("sqrt", "mvn_kl") and (op == "sqrt" or j == 1):
            a = np.abs(a) + 0.5
        if op == "bernoulli_neglogpdf":
            a = rng.uniform(0.05, 0.95, shape) if j == 0 else rng.uniform(0, 1, shape)
        if op == "bernoulli_sigmoid" and j == 1:
            a = rng.uniform(0, 1, shape)
        vals.append(np.ascontiguousarray(a, dtype=dtype))
    return vals


def _cg_graph(op, parents):
    g = cg.Graph()
    refs = [(g.param if need else g.input)(f"a{j}", shape) for j, (shape, need) in enumerate(parents)]
    if op == "identity":
        g.cost(g.det("c", cg.sum(refs[0])))
        return g
    if op == "bernoulli_sigmoid":
        p = g.det("p", cg.sigmoid(refs[0]))
        g.cost(g.det("y", cg.bernoulli_neglogpdf(p, refs[1])))
        return g
    y = g.det("y", getattr(cg, op)(*refs))
    g.cost(y if op in ("mvn_kl", "bernoulli_neglogpdf") else g.det("c", cg.sum(y)))
    return g


def _torch_fn(op):
    import torch
    import torch.nn.functional as F

    return {
        "identity": lambda a: a.sum(),
        "gemm": lambda a, b: (a @ b).sum(),
        "softplus": lambda a: F.softplus(a).sum(),
        "exp": lambda a: torch.exp(a).sum(),
        "sqrt": lambda a: torch.sqrt(a).sum(),
        "sigmoid": lambda a: torch.sigmoid(a).sum(),
        "mul_add": lambda a, b, c: torch.addcmul(c, a, b).sum(),
        "mvn_kl": lambda mu, s: ((mu * mu + s * s - 1) / 2 - torch.log(s)).sum(),
        "bernoulli_neglogpdf": lambda p, x: -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(),
        "bernoulli_sigmoid": lambda z, x: -(x * torch.log(torch.sigmoid(z)) + (1 - x) * torch.log(1 - torch.sigmoid(z))).sum(),
    }[op]


def _median_ms(f, reps):
    f()
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return 1e3 * statistics.median(ts)


def in_graph(args):
    """Per-node times inside full training iterations, from the runtime's own
    profiler (``Runtime._rt.set_profile``; thread CPU time at 1 thread, wall
    time otherwise)."""
    from certigrad.train import ADAM
    from certigrad.vae import VaeConfig, build_graph, init_params

    cfg = VaeConfig()
    rng = np.random.default_rng(0)
    rt = cg.Runtime(build_graph(cfg), dtype=args.dtype, threads=args.threads)
    core = getattr(rt, "_rt", None)
    if core is None or not hasattr(core, "set_profile"):
        raise SystemExit("this runtime has no per-node profiler")
    opt = cg.Adam(rt, init_params(cfg, rng, args.dtype), **ADAM)
    from certigrad.train import load_data

    X = load_data(None, args.dtype)["train"][: BS * 8]  # real MNIST batches (sparsity matters)
    batches = [np.ascontiguousarray(X[i * BS : (i + 1) * BS].T) for i in range(8)]
    for i in range(3):
        opt.step({"x": batches[i % 8]}, seed=i, grad_scale=1 / BS)
    core.set_profile(True)
    walls = []
    for i in range(args.reps):
        t = time.perf_counter()
        opt.step({"x": batches[i % 8]}, seed=100 + i, grad_scale=1 / BS)
        walls.append(time.perf_counter() - t)
    rows = core.profile()  # before set_profile(False), which clears the counters
    core.set_profile(False)
    n = args.reps
    print(f"in-graph per-node profile, ms per iteration (mean of {n} Adam steps), {args.dtype}, "
          f"{args.threads} thread(s)")
    print(f"{'node':<14} {'op':<20} {'fwd':>8} {'bwd':>8}")
    tf = tb = 0.0
    for name, op, f, b in rows:
        tf += f
        tb += b
        print(f"{name:<14} {op:<20} {1e3 * f / n:>8.3f} {1e3 * b / n:>8.3f}")
    print(f"{'nodes total':<35} {1e3 * tf / n:>8.3f} {1e3 * tb / n:>8.3f}   = {1e3 * (tf + tb) / n:.3f}")
    print(f"wall time per Adam step: median {1e3 * statistics.median(walls):.3f} ms "
          f"(the rest: Adam update, feeding, call overhead)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--in-graph", action="store_true",
                    help="profile the nodes inside full training steps with the runtime's profiler instead")
    args = ap.parse_args(argv)
    if args.in_graph:
        in_graph(args)
        return 0
    rng = np.random.default_rng(0)
    torch = None
    if not args.no_torch:
        import torch

        torch.set_num_threads(args.threads)
    print(f"per-node timings, ms (median of {args.reps}), {args.dtype}, {args.threads} thread(s), batch {BS}")
    print(f"{'node':<18} {'op':<20} {'cg fwd':>8} {'cg f+b':>8} {'pt fwd':>8} {'pt f+b':>8}")
    tot = np.zeros(4)
    for name, op, parents in NODES:
        vals = _values(parents, op, rng, args.dtype)
        rt = cg.Runtime(_cg_graph(op, parents), dtype=args.dtype, threads=args.threads)
        feeds = {f"a{j}": v for j, v in enumerate(vals)}
        row = [_median_ms(lambda: rt.run(feeds, seed=0, backprop=False), args.reps),
               _median_ms(lambda: rt.run(feeds, seed=0), args.reps)]
        if torch is not None:
            fn = _torch_fn(op)
            ts = [torch.from_numpy(v) for v in vals]
            tg = [t.clone().requires_grad_(need) for t, (_, need) in zip(ts, parents)]

            def fwd():
                with torch.no_grad():
                    fn(*ts)

            def fb():
                for t in tg:
                    t.grad = None
                fn(*tg).backward()

            row += [_median_ms(fwd, args.reps), _median_ms(fb, args.reps)]
        else:
            row += [float("nan")] * 2
        if name not in ("empty", "nll (p = sigmoid)", "p", "nll"):
            tot += row
        print(f"{name:<18} {op:<20} " + " ".join(f"{x:>8.3f}" for x in row), flush=True)
    print("(sum of rows except empty, p, nll and nll (p = sigmoid); add the 'nll (p = sigmoid)' row for the tail)")
    print(f"{'sum':<18} {'':<20} " + " ".join(f"{x:>8.3f}" for x in tot))
    return 0


if __name__ == "__main__":
    sys.exit(main())
