"""Command line: ``certigrad train-vae`` and ``certigrad certify``.

    certigrad train-vae --epochs N [--seed S] [--threads T] [--out DIR]
                        [--data DIR] [--dtype float32|float64] [--resume]
                        [--shards K] [--timeout SECONDS]
    mpirun -n K certigrad train-vae ...     (data-parallel, docs/distributed.md)
    certigrad certify FILE [--box NAME=LO:HI ...]

Bad input (a missing data directory, a corrupt data file, a bad checkpoint,
ranks that disagree) is one line on stderr naming the file, exit code 2, no
traceback. Under MPI, a rank that dies or hangs makes the others stop
within --timeout seconds, exit code 3; any error on one rank stops all.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]

EXIT_BAD_INPUT = 2


def _default_threads() -> int:
    """The CPUs available, shared among the MPI ranks of this node."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    local = os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE") or os.environ.get("MPI_LOCALNRANKS") or "1"
    return max(1, cpus // int(local)) if local.isdigit() and int(local) > 0 else cpus


def _seconds(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not x > 0 or x == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds: {text}")
    return x


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {n}")
    return n


def _nonnegative(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0: {n}")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="certigrad",
        description="Certigrad: verified backprop over stochastic computation graphs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    p = sub.add_parser(
        "train-vae",
        help="train the AEVB (variational autoencoder) on MNIST",
        description=(
            "Train Certigrad's AEVB on MNIST (55,000 training images, 5,000 validation, "
            "10,000 test; batch size 250; Adam lr 1e-3). Writes to OUT: checkpoint.npz "
            "(weights, Adam state, RNG state; saved every epoch), log.jsonl (one JSON line "
            "per epoch, also printed on stdout) and vae.png (loss curves, reconstructions, "
            "samples). A progress bar with the running loss goes to stderr."
        ),
        epilog="Exit status: 0 done, 2 bad input (missing/corrupt data or checkpoint, ranks that "
               "disagree), 3 another MPI rank died or hangs, 1 other errors. Data-parallel: "
               "mpirun -n K certigrad train-vae ... (docs/distributed.md).",
    )
    p.add_argument("--epochs", type=_nonnegative, required=True,
                   help="total number of epochs (a resumed run continues up to it)")
    p.add_argument("--seed", type=_nonnegative, default=0,
                   help="seed of the initial weights, data order and noise (default 0)")
    p.add_argument("--threads", type=_positive, default=_default_threads(),
                   help="threads of the C++ runtime (default: the CPUs available, %(default)s here)")
    p.add_argument("--out", type=Path, default=Path("runs/vae"), help="output directory (default runs/vae)")
    p.add_argument("--data", type=Path, default=None,
                   help="directory with the four MNIST IDX files, gzipped or not "
                        "(default: the shipped data/mnist, or $CERTIGRAD_MNIST)")
    p.add_argument("--dtype", choices=("float32", "float64"), default="float32",
                   help="floating-point type (default float32)")
    p.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz (its weights, Adam and RNG state; --seed is then unused)")
    p.add_argument("--init", choices=("glorot", "normal"), default="glorot",
                   help="weight initialization: Glorot uniform (default) or N(0, 1/fan_in)")
    p.add_argument("--check-every", type=_positive, default=None, metavar="N",
                   help="re-run the first iteration and every N-th after through the oracle "
                        "certigrad-ref (float64) and stop with an error if the gradients differ "
                        "beyond the rounding bound; logs the checks done and the largest discrepancy")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bar or notes on stderr")
    p.add_argument("--no-plot", dest="plot", action="store_false", help="do not write vae.png")
    d = p.add_argument_group("data-parallel training (docs/distributed.md)")
    d.add_argument("--shards", type=_positive, default=None,
                   help="split each batch into K equal shards, each with its own noise stream, and "
                        "sum their gradients in shard order (default: the number of MPI ranks, 1 "
                        "without MPI); on one process, the same numbers as an MPI run of K ranks")
    d.add_argument("--timeout", type=_seconds, default=300.0,
                   help="seconds a rank waits for the others before stopping the job (default 300)")
    t = p.add_argument_group("testing options (small runs)")
    t.add_argument("--limit", type=_positive, default=None,
                   help="use only the first LIMIT images of the train, validation and test sets")
    t.add_argument("--batch-size", type=_positive, default=250, help="batch size (default 250)")
    t.add_argument("--hidden", type=_positive, default=1000, help="hidden units (default 1000)")
    t.add_argument("--latent", type=_positive, default=30, help="latent units (default 30)")
    c = sub.add_parser(
        "certify", help="prove a graph's sampled gradients unbiased (the checker proved in Coq)",
        description="Run the checker of theories/stochastic/Certify.v (docs/certify.md) on an "
                    "interchange file (docs/format.md).",
        epilog="Exit status: 0 certified, 1 not certified (the node and reason are printed), 2 bad input.")
    c.add_argument("file", help="a certigrad-graph 1 file")
    c.add_argument("--box", action="append", default=[], metavar="NAME=LO:HI",
                   help="a box for a data input (LO or HI empty for no bound); repeatable")
    return parser


def _error(msg: str, code: int) -> int:
    print(f"certigrad: error: {msg}", file=sys.stderr, flush=True)
    return code


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "certify":
        from certigrad.certify import main as certify_main

        return certify_main(args.file, args.box)
    if args.command != "train-vae":  # pragma: no cover - argparse rejects others
        return _error(f"unknown command {args.command}", EXIT_BAD_INPUT)

    # Imported here so that --help works (and is fast) without the runtime.
    try:
        import certigrad  # noqa: F401
        from certigrad.distributed import world
        from certigrad.errors import DistributedError
        from certigrad.train import TrainOptions
    except ImportError as e:
        return _error(f"cannot import the certigrad runtime ({e}); is the package built and installed?", 1)

    opts = TrainOptions(
        epochs=args.epochs, seed=args.seed, threads=args.threads, out=args.out, data=args.data,
        dtype=args.dtype, resume=args.resume, limit=args.limit, batch_size=args.batch_size,
        hidden=args.hidden, latent=args.latent, init=args.init, progress=args.progress, plot=args.plot,
        shards=args.shards, timeout=args.timeout,
        check_every=args.check_every,
    )
    try:
        w = world(opts.timeout)
    except DistributedError as e:
        return _error(str(e), EXIT_BAD_INPUT)
    code = _run(opts, w)
    if code and w.size > 1:  # one rank failing stops them all, at once
        w.abort(code)
    return code


def _run(opts, w) -> int:
    """``train(opts, w)``, with every expected error as one line on stderr
    (prefixed by the rank under MPI) and an exit status."""
    import certigrad as cg
    from certigrad.distributed import EXIT_PEER
    from certigrad.errors import DistributedError, PeerTimeout, RankMismatch
    from certigrad.mnist import MnistError
    from certigrad.train import CheckpointError, train

    def error(msg: str, code: int) -> int:
        return _error((f"rank {w.rank}: " if w.size > 1 else "") + msg, code)

    try:
        train(opts, w)
    except PeerTimeout as e:  # the message names this rank and the silent one
        return _error(str(e), EXIT_PEER)
    except RankMismatch as e:  # every rank sees the same table: rank 0 says it
        return error(str(e), EXIT_BAD_INPUT) if w.is_root else EXIT_BAD_INPUT
    except DistributedError as e:
        return error(str(e), EXIT_BAD_INPUT)
    except (MnistError, CheckpointError) as e:
        return error(str(e), EXIT_BAD_INPUT)
    except cg.FeedError as e:
        return error(f"bad input data: {e}", EXIT_BAD_INPUT)
    except cg.CertigradError as e:
        return error(f"{type(e).__name__}: {e}", 1)
    except FloatingPointError as e:
        return error(str(e), 1)
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        return error(f"{where}{e.strerror or e}", EXIT_BAD_INPUT)
    except ValueError as e:
        return error(str(e), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        print("", file=sys.stderr)
        return error(f"interrupted; the last finished epoch is in {opts.out / 'checkpoint.npz'}", 130)
    return 0


if __name__ == "__main__":  # python -m certigrad.cli
    sys.exit(main())
