"""Data-parallel training over MPI (mpi4py), with a fixed reduction order and
a watchdog on every exchange.

:func:`world` returns a :class:`World`: the single process (size 1, no MPI
import) unless the process was started by an MPI launcher with more than one
rank (``mpirun -n K``, Slurm's ``srun``), in which case mpi4py is imported.

Gradients: each rank writes its shard gradients (``Adam.gradient``) into a
preallocated ``(m, P)`` buffer; :meth:`World.reduce` sums the K shard
gradients of all ranks into a preallocated ``(P,)`` buffer in the fixed
order 0, 1, ..., K-1 for every entry (rank q sums slice q of the vector,
then the slices are gathered: a reduce-scatter and an allgather written with
point-to-point messages straight into the numpy buffers, no Python objects
per step), and every rank applies the same ``Adam.apply``. MPI's
``Allreduce`` is not used: its summation order is up to the implementation,
so two runs could differ in the last bits; the fixed order makes a K-rank
run bit for bit a single-process ``--shards K`` run (whose ``Adam.apply``
adds the K rows in the same order). The traffic is that of a ring
allreduce, about 2 P numbers in and out per rank per step, in 2 (K - 1)
messages (benchmarks/README.md).

Faults: every wait polls its requests against a deadline (``timeout``
seconds); a rank that sent nothing by then is named in a :class:`PeerTimeout`
and the caller stops the whole job (:meth:`World.abort`, exit code 3).
:meth:`World.agree` compares per-rank CRCs (arguments, data, initial
weights) at start and raises :class:`RankMismatch` naming the first rank and
field that differ from rank 0.

Test hook: ``CERTIGRAD_TEST_FAULT=RANK:STEP:hang`` (or ``:exit``) makes rank
RANK sleep forever (or exit at once with status 9) before its exchange of
global step STEP (1-based, counted over the whole run, resumed runs included).
"""

from __future__ import annotations

import os
import sys
import time
import zlib
from typing import Any, Sequence

import numpy as np

from .errors import DistributedError, PeerTimeout, RankMismatch

__all__ = ["World", "world", "launched_size", "crc", "shard_seed", "EXIT_PEER"]

#: Exit status of the ranks that stop because another rank died or hangs.
EXIT_PEER = 3
_ENV_SIZE = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS")
_TAG_GRAD, _TAG_LOSS, _TAG_SUM, _TAG_AGREE = 11, 12, 13, 14


def launched_size() -> int:
    """The world size an MPI launcher announced in the environment (OpenMPI's
    ``OMPI_COMM_WORLD_SIZE``, PMI's ``PMI_SIZE``, Slurm's
    ``SLURM_STEP_NUM_TASKS`` set by ``srun``), 1 when started without one."""
    for name in _ENV_SIZE:
        v = os.environ.get(name)
        if v and v.isdigit():
            return int(v)
    return 1


def crc(*parts: Any) -> int:
    """CRC-32 of numpy arrays (their bytes, dtype and shape) and strings."""
    c = 0
    for p in parts:
        if isinstance(p, np.ndarray):
            c = zlib.crc32(f"{p.dtype.str}{p.shape}".encode(), c)
            c = zlib.crc32(np.ascontiguousarray(p).view(np.uint8).reshape(-1), c)
        else:
            c = zlib.crc32(str(p).encode(), c)
    return c


def shard_seed(step_seed: int, shard: int) -> int:
    """Noise seed of shard ``shard`` at the step whose seed is ``step_seed``
    (one of the per-iteration seeds drawn from ``--seed``): the first word of
    ``numpy.random.SeedSequence([step_seed, shard])``, so every shard (rank)
    has its own stream, the same on every run and in ``--shards K``."""
    return int(np.random.SeedSequence([int(step_seed), int(shard)]).generate_state(1, np.uint64)[0])


class World:
    """The ranks of one run. ``size == 1``: the single process, every method
    a no-op. Otherwise ``comm`` is ``mpi4py.MPI.COMM_WORLD``."""

    def __init__(self, comm=None, timeout: float = 300.0) -> None:
        self.comm = comm
        self.size = 1 if comm is None else int(comm.Get_size())
        self.rank = 0 if comm is None else int(comm.Get_rank())
        self.timeout = float(timeout)
        self._fault = _parse_fault(os.environ.get("CERTIGRAD_TEST_FAULT", ""))

    @property
    def is_root(self) -> bool:
        return self.rank == 0

    def slice_bounds(self, n: int) -> list[int]:
        """Rank ``q`` reduces entries ``[bounds[q], bounds[q+1])`` of a flat
        gradient of ``n`` entries (contiguous slices, sizes differing by <= 1)."""
        return [q * n // self.size for q in range(self.size + 1)]

    def reduce(self, local: np.ndarray, local_losses: np.ndarray, out: np.ndarray,
               losses: np.ndarray, recv: np.ndarray, step: int) -> None:
        """Sum the shard gradients of all ranks in shard order into ``out``.

        ``local``: this rank's ``(m, P)`` shard gradients (shards
        ``rank*m ... rank*m + m - 1`` of ``K = m * size``) and
        ``local_losses`` their ``(m,)`` costs; ``out``: ``(P,)``, receives
        ``local_0 + ... + local_{K-1}`` summed left to right for every entry,
        on every rank; ``losses``: ``(K,)``, every shard's cost; ``recv``: a
        ``(K, max slice)`` work buffer. Two rounds of point-to-point
        messages: each rank receives its slice of every shard (and sums it),
        then the summed slices of the others (reduce-scatter, then
        allgather; about 2 P numbers in and out per rank). Raises
        :class:`PeerTimeout` after ``timeout`` s without an answer."""
        self._maybe_fault(step)
        m, P = local.shape
        r = self.rank
        bd = self.slice_bounds(P)
        lo, hi = bd[r], bd[r + 1]
        losses[r * m:(r + 1) * m] = local_losses
        reqs, peers = [], []
        for q in self._peers():
            for j in range(m):
                reqs.append(self.comm.Irecv(recv[q * m + j, :hi - lo], source=q, tag=_TAG_GRAD))
                peers.append(q)
            reqs.append(self.comm.Irecv(losses[q * m:(q + 1) * m], source=q, tag=_TAG_LOSS))
            peers.append(q)
        for q in self._peers():
            for j in range(m):
                reqs.append(self.comm.Isend(local[j, bd[q]:bd[q + 1]], dest=q, tag=_TAG_GRAD))
                peers.append(q)
            reqs.append(self.comm.Isend(local_losses, dest=q, tag=_TAG_LOSS))
            peers.append(q)
        self._wait(reqs, peers, f"the gradient reduce-scatter of step {step}")
        acc = out[lo:hi]
        for k in range(m * self.size):
            q, j = divmod(k, m)
            row = local[j, lo:hi] if q == r else recv[k, :hi - lo]
            if k == 0:
                np.copyto(acc, row)
            else:
                np.add(acc, row, out=acc)
        reqs, peers = [], []
        for q in self._peers():
            reqs.append(self.comm.Irecv(out[bd[q]:bd[q + 1]], source=q, tag=_TAG_SUM))
            peers.append(q)
        for q in self._peers():
            reqs.append(self.comm.Isend(acc, dest=q, tag=_TAG_SUM))
            peers.append(q)
        self._wait(reqs, peers, f"the gradient allgather of step {step}")

    def agree(self, fields: Sequence[tuple[str, int]]) -> None:
        """Check that every rank has the same ``(name, crc)`` list as rank 0;
        raises :class:`RankMismatch` naming the rank and the field."""
        if self.comm is None:
            return
        mine = np.array([c for _, c in fields], dtype=np.int64)
        table = np.zeros((self.size, len(fields)), dtype=np.int64)
        table[self.rank] = mine
        reqs, peers = [], []
        for q in self._peers():
            reqs.append(self.comm.Irecv(table[q], source=q, tag=_TAG_AGREE))
            peers.append(q)
        for q in self._peers():
            reqs.append(self.comm.Isend(table[self.rank], dest=q, tag=_TAG_AGREE))
            peers.append(q)
        self._wait(reqs, peers, "the start-up check")
        for q in range(1, self.size):
            for j, (name, _) in enumerate(fields):
                if table[q, j] != table[0, j]:
                    raise RankMismatch(
                        f"rank {q} differs from rank 0 in {name} (CRC-32 {table[q, j]:08x} vs "
                        f"{table[0, j]:08x}); every rank must run the same command on the same data")

    def abort(self, code: int) -> None:
        """Stop every rank of the job (``MPI_Abort``); returns only when single."""
        if self.comm is not None:
            sys.stdout.flush()
            sys.stderr.flush()
            self.comm.Abort(code)

    # ------------------------------------------------------------ internals

    def _peers(self) -> list[int]:
        return [q for q in range(self.size) if q != self.rank]

    def _wait(self, reqs: list, peers: list[int], what: str) -> None:
        """Poll ``reqs`` until all complete or the deadline passes (then raise
        naming the peers of the unfinished requests). Spins for the first
        millisecond, then sleeps 0.1 ms between polls."""
        t0 = time.monotonic()
        deadline = t0 + self.timeout
        pending = list(range(len(reqs)))
        while pending:
            pending = [i for i in pending if not reqs[i].Test()]
            if not pending:
                return
            now = time.monotonic()
            if now > deadline:
                missing = sorted({peers[i] for i in pending})
                names = ", ".join(str(q) for q in missing)
                raise PeerTimeout(
                    f"rank {self.rank}: no answer from rank{'s' if len(missing) > 1 else ''} {names} "
                    f"within {self.timeout:g} s in {what} (the rank died or hangs); "
                    f"stopping all ranks (exit status {EXIT_PEER})")
            if now - t0 > 1e-3:
                time.sleep(1e-4)

    def _maybe_fault(self, step: int) -> None:
        if self._fault is None or self._fault[0] != self.rank or self._fault[1] != step:
            return
        print(f"certigrad: rank {self.rank}: CERTIGRAD_TEST_FAULT: {self._fault[2]} at step {step}",
              file=sys.stderr, flush=True)
        if self._fault[2] == "exit":
            os._exit(9)
        while True:
            time.sleep(3600)


def _parse_fault(text: str) -> tuple[int, int, str] | None:
    if not text:
        return None
    parts = text.split(":")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit() or parts[2] not in ("hang", "exit"):
        raise DistributedError(f"CERTIGRAD_TEST_FAULT={text!r}: expected RANK:STEP:hang or RANK:STEP:exit")
    return int(parts[0]), int(parts[1]), parts[2]


def world(timeout: float = 300.0) -> World:
    """The :class:`World` of this process: MPI's when an MPI launcher started
    more than one rank (mpi4py is then required), else the single process."""
    if launched_size() <= 1:
        return World(None, timeout)
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise DistributedError(
            f"started by an MPI launcher with {launched_size()} ranks, but mpi4py cannot be imported "
            f"({e}); install it with: python3 -m pip install 'certigrad[mpi]'") from None
    return World(MPI.COMM_WORLD, timeout)
