#!/usr/bin/env python3
"""Do certigrad and PyTorch learn the same? Train the AEVB with both for a few
epochs from identical weights and data order and print the train loss per
example of each (bar: within 2%). Not a test.

    python3 benchmarks/compare_learning.py --epochs 1 --threads 2
    python3 benchmarks/compare_learning.py --epochs 5 --init normal

The certigrad side is exactly `certigrad train-vae` (same generator use: the
init weights, then per epoch the permutation and the noise seeds). The
PyTorch side (benchmarks/torch_vae.py) gets the same weights and batches; its
noise ``eps`` comes from torch's generator seeded with the same per-iteration
seeds, so the noise values differ: agreement is statistical, not bitwise.
Train loss = mean over the epoch's iterations of the batch cost / batch size
(one noise sample), as in train-vae's log; test loss = the 10,000 test images,
evaluated after the epoch.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import certigrad  # noqa: F401
except ImportError:
    sys.path.insert(0, str(HERE.parent / "python"))

import certigrad as cg  # noqa: E402
from certigrad.train import ADAM, epoch_plan, evaluate, load_data, make_batch  # noqa: E402
from certigrad.vae import VaeConfig, build_graph, init_params  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--init", choices=("glorot", "normal"), default="glorot",
                    help="glorot: Glorot uniform (train-vae's); normal: N(0, 1/fan_in)")
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--no-test", action="store_true", help="skip the test-set evaluation")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    from torch_vae import TorchVae

    cfg = VaeConfig()
    bs = cfg.batch_size
    rng = np.random.default_rng(args.seed)
    init = init_params(cfg, rng, args.dtype, args.init)
    data = load_data(args.data, args.dtype)
    X = data["train"]
    rt = cg.Runtime(build_graph(cfg), dtype=args.dtype, threads=args.threads)
    opt = cg.Adam(rt, init, **ADAM)
    tm = TorchVae(init, args.dtype, cfg.latent, bs, lr=ADAM["lr"], beta1=ADAM["beta1"], beta2=ADAM["beta2"],
                  eps=ADAM["eps"])
    print(f"AEVB, {args.dtype}, {args.threads} thread(s), {args.init} init, seed {args.seed}, "
          f"torch {torch.__version__}; losses in nats/example (negative ELBO, 1 sample)")
    print(f"{'epoch':>5} {'cg train':>10} {'pt train':>10} {'diff %':>7} {'cg test':>9} {'pt test':>9} "
          f"{'cg s':>7} {'pt s':>7}")
    worst = 0.0
    for epoch in range(1, args.epochs + 1):
        perm, seeds = epoch_plan(rng, len(X), bs)
        nb = len(seeds)
        sums = {"cg": 0.0, "pt": 0.0}
        secs = {"cg": 0.0, "pt": 0.0}
        for i in range(nb):
            xb = make_batch(X, perm[i * bs : (i + 1) * bs])
            t = time.perf_counter()
            sums["cg"] += float(opt.step({"x": xb}, seed=int(seeds[i]), grad_scale=1.0 / bs))
            secs["cg"] += time.perf_counter() - t
            t = time.perf_counter()
            sums["pt"] += tm.step(xb, int(seeds[i]))
            secs["pt"] += time.perf_counter() - t
        tr = {k: v / (nb * bs) for k, v in sums.items()}
        diff = 100 * (tr["cg"] - tr["pt"]) / tr["pt"]
        worst = max(worst, abs(diff))
        if args.no_test:
            te = {"cg": float("nan"), "pt": float("nan")}
        else:
            te = {"cg": evaluate(rt, opt.params(), data["test"], bs), "pt": tm.evaluate(data["test"], 0x5EED)}
        print(f"{epoch:>5} {tr['cg']:>10.3f} {tr['pt']:>10.3f} {diff:>+7.2f} {te['cg']:>9.3f} {te['pt']:>9.3f} "
              f"{secs['cg']:>7.1f} {secs['pt']:>7.1f}", flush=True)
    if not args.no_test:
        cross = evaluate(rt, {k: np.ascontiguousarray(v) for k, v in tm.params().items()}, data["test"], bs)
        print(f"cross-check: certigrad's runtime evaluates PyTorch's final weights on the test set: {cross:.3f} "
              f"(PyTorch's own evaluation, other noise: {te['pt']:.3f})")
    verdict = "within" if worst <= 2.0 else "NOT within"
    print(f"largest train-loss difference {worst:.2f}%: {verdict} 2%")
    return 0 if worst <= 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
