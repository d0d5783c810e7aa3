"""Training the AEVB on MNIST: data split, epochs, evaluation, checkpoints.

One training iteration is one call into C++ (``cg.Adam.step``: forward,
backprop, Adam update); Python only gathers the batch. The gradient of the
batch's summed cost is scaled by ``1 / batch_size``.

Randomness, all from one seeded ``numpy.random.Generator`` (saved in every
checkpoint, so a resumed run continues exactly where it stopped):
the initial weights, then per epoch a permutation of the training images and
one noise seed per iteration (the runtime draws ``eps`` from that seed).
Evaluation uses fixed seeds of its own, the same at every epoch.

Data: the first 55,000 training images train, the last 5,000 are the
validation set; the 10,000 test images are the test set. Losses are negative
ELBO estimates (one noise sample) in nats per example. The train loss of an
epoch is the mean over its iterations (the weights change during the epoch).

Checkpoints are ``.npz`` files with plain arrays only (loaded with
``allow_pickle=False``): the optimizer's ``state_dict()`` under ``opt/``,
the generator's state, the history and the configuration as JSON strings.
They are written atomically (temporary file in the same directory, fsync,
rename), so a run killed at any moment leaves the previous one intact.

Shards (``shards = K > 1``, or an MPI run of K ranks, docs/distributed.md):
the global batch of B images is split into K contiguous shards of B / K;
shard k's gradient is computed with the noise seed
``shard_seed(step_seed, k)``, the K gradients are added in the order
0..K-1 and Adam is applied to their sum scaled by 1 / B. On one process the
shards are computed one after the other; under MPI each rank computes its
own and :meth:`World.reduce` sums them in the same order, so the weights
are bit for bit those of the single-process ``--shards K`` run. Only rank 0
writes files and prints.
"""

from __future__ import annotations

import json
import math
import os
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import certigrad as cg

from . import mnist
from .distributed import World, crc, shard_seed
from .errors import DistributedError
from .progress import Progress
from .vae import THEOREM, VaeConfig, build_decoder_graph, build_graph, init_params

__all__ = [
    "CheckpointError",
    "N_TRAIN",
    "TrainOptions",
    "epoch_plan",
    "evaluate",
    "load_checkpoint",
    "load_data",
    "make_batch",
    "save_checkpoint",
    "train",
]

N_TRAIN = 55000
CHECKPOINT_FORMAT = "certigrad-vae-checkpoint/1"
ADAM = dict(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8)
_SEED_MAX = 2**31 - 1
_EVAL_SEED = 0x5EED


class CheckpointError(ValueError):
    """A checkpoint is missing, corrupt or does not fit this run; names the file."""

    def __init__(self, path, problem: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {problem}")


@dataclass
class TrainOptions:
    epochs: int
    seed: int = 0
    threads: int = 1
    out: Path = Path("runs/vae")
    data: Path | None = None
    dtype: str = "float32"
    resume: bool = False
    limit: int | None = None  # use only the first LIMIT train/validation/test images (tests, smoke runs)
    batch_size: int = 250
    hidden: int = 1000
    latent: int = 30
    init: str = "glorot"
    progress: bool = True
    plot: bool = True
    quiet: bool = False  # no per-epoch JSON on stdout
    shards: int | None = None  # split each global batch into this many shards (default: 1, or the MPI ranks)
    timeout: float = 300.0  # seconds a rank waits for the others (MPI runs)
    check_every: int | None = None  # re-run every N-th iteration through the oracle (certigrad.checked)

    @property
    def vae(self) -> VaeConfig:
        return VaeConfig(hidden=self.hidden, latent=self.latent, batch_size=self.batch_size)

    def identity(self) -> dict:
        """What a checkpoint must agree with to be resumed by this run."""
        return dict(self.vae.to_dict(), dtype=self.dtype, init=self.init, limit=self.limit)


# ---------------------------------------------------------------- data

def load_data(data_dir=None, dtype="float32", limit: int | None = None) -> dict[str, np.ndarray]:
    """``train`` (55,000), ``val`` (5,000) and ``test`` (10,000) images as
    ``(n, 784)`` arrays in [0, 1]; ``limit`` keeps the first ``limit`` of each."""
    data = mnist.load_mnist(data_dir)
    train_all = mnist.flatten_images(data.train_images, dtype)
    sets = {
        "train": train_all[:N_TRAIN],
        "val": train_all[N_TRAIN:],
        "test": mnist.flatten_images(data.test_images, dtype),
    }
    if limit is not None:
        sets = {k: np.ascontiguousarray(v[:limit]) for k, v in sets.items()}
    return sets


def make_batch(X: np.ndarray, idx) -> np.ndarray:
    """Rows ``idx`` of ``X`` as a C-contiguous ``784 x len(idx)`` matrix (one column per image)."""
    return np.ascontiguousarray(X[idx].T)


def epoch_plan(rng: np.random.Generator, n: int, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """One epoch's data order and noise seeds, drawn from ``rng``:
    ``(perm, seeds)`` with ``n // batch_size`` seeds; iteration ``i`` uses the
    images ``perm[i*bs:(i+1)*bs]`` (the last partial batch is dropped)."""
    perm = rng.permutation(n)
    seeds = rng.integers(0, _SEED_MAX, size=n // batch_size)
    return perm, seeds


def evaluate(rt, params: dict, X: np.ndarray, batch_size: int, seed: int = _EVAL_SEED) -> float | None:
    """Mean negative ELBO per example over the full batches of ``X`` (one noise
    sample each, seeds ``seed + i``; forward only); ``None`` when ``X`` has no
    full batch."""
    nb = len(X) // batch_size
    if nb == 0:
        return None
    total = 0.0
    for i in range(nb):
        feeds = dict(params)
        feeds["x"] = make_batch(X, slice(i * batch_size, (i + 1) * batch_size))
        total += float(rt.run(feeds, seed=seed + i, backprop=False).total)
    return total / (nb * batch_size)


# ---------------------------------------------------------------- checkpoints

def save_checkpoint(path, opt, rng: np.random.Generator, epoch: int, history: list, identity: dict) -> None:
    """Write the checkpoint atomically (temporary file, then rename)."""
    path = Path(path)
    arrays = {f"opt/{k}": np.asarray(v) for k, v in opt.state_dict().items()}
    arrays["format"] = np.array(CHECKPOINT_FORMAT)
    arrays["epoch"] = np.array(epoch, dtype=np.int64)
    arrays["rng_state"] = np.array(json.dumps(rng.bit_generator.state))
    arrays["history"] = np.array(json.dumps(history))
    arrays["config"] = np.array(json.dumps(identity, sort_keys=True))
    _write_atomic(path, lambda f: np.savez(f, **arrays))


def _write_atomic(path: Path, write) -> None:
    """``write(f)`` into a temporary file of ``path``'s directory, fsync it,
    rename it over ``path`` and fsync the directory: readers see the old or
    the new file, never a partial one, even after a crash."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    try:
        fd = os.open(path.parent, os.O_RDONLY)
    except OSError:  # not supported (e.g. some network filesystems)
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_log(path: Path, history: list) -> None:
    text = "".join(json.dumps(h) + "\n" for h in history).encode("utf-8")
    _write_atomic(path, lambda f: f.write(text))


def load_checkpoint(path) -> dict:
    """Read a checkpoint written by :func:`save_checkpoint`:
    ``{"epoch", "rng_state", "history", "config", "opt"}``.
    Any problem raises :class:`CheckpointError` naming the file."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(path, "missing: no checkpoint to resume from (run without --resume to start fresh)")
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as e:
        raise CheckpointError(path, f"cannot read ({e.strerror or e})") from None
    if magic[:2] != b"PK":
        raise CheckpointError(path, "corrupt: not an .npz (zip) file")
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as z:
            files = {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as e:
        raise CheckpointError(path, f"corrupt or not a checkpoint ({type(e).__name__}: {e})") from None
    try:
        if str(files["format"]) != CHECKPOINT_FORMAT:
            raise CheckpointError(path, f"unknown checkpoint format {str(files['format'])!r}")
        ck = {
            "epoch": int(files["epoch"]),
            "rng_state": json.loads(str(files["rng_state"])),
            "history": json.loads(str(files["history"])),
            "config": json.loads(str(files["config"])),
            "opt": {k[4:]: v for k, v in files.items() if k.startswith("opt/")},
        }
    except KeyError as e:
        raise CheckpointError(path, f"not a certigrad VAE checkpoint (no entry {e})") from None
    except (ValueError, TypeError) as e:
        raise CheckpointError(path, f"corrupt entry ({e})") from None
    if not ck["opt"]:
        raise CheckpointError(path, "no optimizer state in the checkpoint")
    for k, v in ck["opt"].items():
        if v.dtype.kind == "f" and not np.all(np.isfinite(v)):
            raise CheckpointError(path, f"corrupt: non-finite values in opt/{k}")
    if ck["epoch"] < 0 or len(ck["history"]) != ck["epoch"]:
        raise CheckpointError(path, f"corrupt: epoch {ck['epoch']} but {len(ck['history'])} history entries")
    return ck


# ---------------------------------------------------------------- training

@dataclass
class TrainResult:
    history: list = field(default_factory=list)
    params: dict = field(default_factory=dict)
    checkpoint: Path | None = None
    figure: Path | None = None


def _say(opts: TrainOptions, msg: str, world: World | None = None) -> None:
    if opts.progress and (world is None or world.is_root):
        import sys

        print(msg, file=sys.stderr, flush=True)


class ShardedStep:
    """One training step over K shards of the global batch (module
    docstring): this rank's shard gradients into a preallocated ``(m, P)``
    buffer, their sum in shard order, one ``Adam.apply``. Returns the total
    cost of the global batch (the shard costs added in shard order)."""

    def __init__(self, opt, world: World, shards: int, batch_size: int) -> None:
        self.opt, self.world, self.K, self.B = opt, world, shards, batch_size
        self.m = shards // world.size
        P, dt = opt.flat_size, opt.runtime.dtype
        self.local = np.zeros((self.m, P), dtype=dt)
        self.local_losses = np.zeros(self.m)
        if world.size > 1:
            self.sum = np.zeros(P, dtype=dt)
            bd = world.slice_bounds(P)
            self.recv = np.zeros((shards, max(bd[q + 1] - bd[q] for q in range(world.size))), dtype=dt)
            self.losses = np.zeros(shards)

    def __call__(self, X: np.ndarray, idx: np.ndarray, step_seed: int, step: int) -> float:
        b = self.B // self.K
        for j in range(self.m):
            k = self.world.rank * self.m + j
            xb = make_batch(X, idx[k * b:(k + 1) * b])
            self.local_losses[j] = self.opt.gradient({"x": xb}, self.local[j], seed=shard_seed(step_seed, k))
        if self.world.size == 1:
            self.opt.apply(self.local, grad_scale=1.0 / self.B)
            losses = self.local_losses
        else:
            self.world.reduce(self.local, self.local_losses, self.sum, self.losses, self.recv, step)
            self.opt.apply(self.sum, grad_scale=1.0 / self.B)
            losses = self.losses
        total = 0.0
        for c in losses:
            total += float(c)
        return total


def _shards(opts: TrainOptions, world: World) -> int:
    K = world.size if opts.shards is None else opts.shards
    B = opts.batch_size
    if K % world.size:
        raise DistributedError(f"--shards {K} is not a multiple of the {world.size} MPI ranks")
    if B % K:
        raise DistributedError(f"the batch size {B} cannot be split into {K} equal shards "
                               f"({'ranks' if opts.shards is None else '--shards'} {K}); "
                               f"choose a batch size that is a multiple of {K}")
    return K


def _start_fields(opts: TrainOptions, data: dict, opt, rng: np.random.Generator, K: int) -> list[tuple[str, int]]:
    """What every rank must agree on at start, as (name, CRC-32)."""
    args = dict(opts.identity(), epochs=opts.epochs, seed=opts.seed, resume=opts.resume, shards=K)
    fields = [(f"the argument {k}", crc(v)) for k, v in sorted(args.items())]
    fields += [(f"the {name} data", crc(X)) for name, X in sorted(data.items())]
    st = opt.state_dict()
    fields.append(("the initial weights and Adam state", crc(*(st[k] for k in sorted(st)))))
    fields.append(("the random generator state", crc(json.dumps(rng.bit_generator.state, sort_keys=True))))
    return fields


def train(opts: TrainOptions, world: World | None = None) -> TrainResult:
    """Train for ``opts.epochs`` epochs in total (a resumed run continues up to
    that count); writes ``checkpoint.npz``, ``log.jsonl`` and ``vae.png`` in
    ``opts.out`` (rank 0 only, when ``world`` has several ranks)."""
    world = world if world is not None else World(None, opts.timeout)
    root = world.is_root
    if opts.epochs < 0:
        raise ValueError("epochs must be >= 0")
    K = _shards(opts, world)
    out = Path(opts.out)
    ckpt_path = out / "checkpoint.npz"
    ck = load_checkpoint(ckpt_path) if opts.resume else None
    if ck is not None and ck["config"] != opts.identity():
        diff = {k: (ck["config"].get(k), v) for k, v in opts.identity().items() if ck["config"].get(k) != v}
        raise CheckpointError(
            ckpt_path,
            "was written by a different configuration: "
            + ", ".join(f"{k} {a!r} there, {b!r} here" for k, (a, b) in sorted(diff.items())),
        )

    data = load_data(opts.data, opts.dtype, opts.limit)
    cfg = opts.vae
    bs = cfg.batch_size
    if len(data["train"]) < bs:
        raise ValueError(f"batch size {bs} is larger than the training set ({len(data['train'])} images)")

    if root:
        out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(opts.seed)
    if K > 1 and opts.check_every is not None:
        raise ValueError("--check-every checks one process's whole-batch steps; "
                         "it cannot be combined with --shards or MPI ranks yet")
    # evaluation runs are not training iterations: they go unchecked and unsharded
    eval_rt = cg.Runtime(build_graph(cfg), dtype=opts.dtype, threads=opts.threads)
    rt = eval_rt if K == 1 and opts.check_every is None else cg.Runtime(
        build_graph(VaeConfig(cfg.n_in, cfg.hidden, cfg.latent, bs // K)), dtype=opts.dtype,
        threads=opts.threads, check_every=opts.check_every)
    opt = cg.Adam(rt, init_params(cfg, rng, opts.dtype, opts.init), **ADAM)
    history: list[dict] = []
    start_epoch = 0
    if ck is not None:
        try:
            opt.load_state_dict(ck["opt"])
            rng.bit_generator.state = ck["rng_state"]
        except (ValueError, KeyError, TypeError) as e:  # cg.CertigradError is a ValueError
            raise CheckpointError(ckpt_path, f"does not fit the model ({e})") from None
        history = ck["history"]
        start_epoch = ck["epoch"]
        _say(opts, f"resuming from {ckpt_path} after epoch {start_epoch}", world)
    elif ckpt_path.exists():
        _say(opts, f"note: starting fresh; {ckpt_path} will be overwritten (use --resume to continue it)", world)
    world.agree(_start_fields(opts, data, opt, rng, K))
    if world.size > 1:
        _say(opts, f"{world.size} MPI ranks, {K} shards of {bs // K} images per step; "
                   f"the arguments, data and initial weights agree (CRC-32)", world)

    n_batches = len(data["train"]) // bs
    grad_scale = 1.0 / bs
    sharded = ShardedStep(opt, world, K, bs) if K > 1 else None
    log_path = out / "log.jsonl"
    for epoch in range(start_epoch + 1, opts.epochs + 1):
        perm, seeds = epoch_plan(rng, len(data["train"]), bs)
        bar = Progress(n_batches, desc=f"epoch {epoch}/{opts.epochs}", enabled=opts.progress and root,
                       items_per_step=bs)
        t0 = time.perf_counter()
        loss_sum = 0.0
        Xtr = data["train"]
        for i in range(n_batches):
            idx = perm[i * bs : (i + 1) * bs]
            if sharded is None:
                loss = float(opt.step({"x": make_batch(Xtr, idx)}, seed=int(seeds[i]), grad_scale=grad_scale))
            else:
                loss = sharded(Xtr, idx, int(seeds[i]), (epoch - 1) * n_batches + i + 1)
            loss_sum += loss
            bar.update(loss=loss / bs)
        train_seconds = time.perf_counter() - t0
        bar.close()
        if not math.isfinite(loss_sum):
            raise FloatingPointError(f"training loss is {loss_sum} at epoch {epoch}")
        if not root:
            continue
        t1 = time.perf_counter()
        params = opt.params()
        entry = {
            "epoch": epoch,
            "train_loss": loss_sum / (n_batches * bs),
            "val_loss": evaluate(eval_rt, params, data["val"], bs),
            "test_loss": evaluate(eval_rt, params, data["test"], bs),
            "seconds": round(train_seconds, 3),
            "eval_seconds": round(time.perf_counter() - t1, 3),
            "iterations": n_batches,
            "images_per_second": round(n_batches * bs / train_seconds, 1) if train_seconds > 0 else None,
            "dtype": opts.dtype,
            "threads": opts.threads,
            "ranks": world.size,
            "shards": K,
            "theorem": THEOREM,
        }
        if rt.check_stats is not None:  # totals of the run so far
            st = rt.check_stats
            entry.update(checks=st.checks, check_max_ratio=st.max_ratio, check_max_abs=st.max_abs)
            _say(opts, f"checked {st.checks} iterations against the oracle: largest "
                       f"|runtime - oracle| {st.max_abs:.3g}, {st.max_ratio:.3g} of the rounding "
                       f"bound ({st.worst})")
        history.append(entry)
        save_checkpoint(ckpt_path, opt, rng, epoch, history, opts.identity())
        _write_log(log_path, history)
        if not opts.quiet:
            print(json.dumps(entry), flush=True)

    result = TrainResult(history=history, params=opt.params(), checkpoint=ckpt_path if history else None)
    if not history or not root:
        return result
    if not log_path.exists():  # resumed a finished run into a fresh directory copy
        _write_log(log_path, history)
    if opts.plot:
        result.figure = make_figure(out / "vae.png", eval_rt, result.params, data, opts, history)
        _say(opts, f"wrote {result.figure}")
    return result


def make_figure(path, rt, params: dict, data: dict, opts: TrainOptions, history: list) -> Path:
    """Loss curves, reconstructions of the first test images, prior samples."""
    from .plots import save_report

    cfg = opts.vae
    bs = cfg.batch_size
    X = data["test"] if len(data["test"]) >= bs else data["train"]
    feeds = dict(params)
    feeds["x"] = make_batch(X, slice(0, bs))
    res = rt.run(feeds, seed=_EVAL_SEED, values=True, backprop=False)
    recon = np.asarray(res.values["p"]).T
    n_samples = 80
    dec = cg.Runtime(build_decoder_graph(cfg, n_samples), dtype=opts.dtype, threads=opts.threads)
    z = np.random.default_rng([opts.seed, 1]).standard_normal((cfg.latent, n_samples)).astype(opts.dtype)
    dfeeds = {k: params[k] for k in ("W_dec1", "W_dec2", "W_p")}
    dfeeds["z"] = z
    samples = np.asarray(dec.run(dfeeds, seed=0, values=True, backprop=False).values["p"]).T
    last = history[-1]
    title = (f"Certigrad AEVB on MNIST, {opts.dtype}, epoch {last['epoch']}: "
             f"train {last['train_loss']:.2f}, test {last['test_loss'] if last['test_loss'] is None else round(last['test_loss'], 2)} nats/example")
    return save_report(path, history, X[: min(40, bs)], recon[: min(40, bs)], samples, title=title)
