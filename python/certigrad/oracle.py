"""The reference oracle ``certigrad-ref``: the backprop proved in Coq,
extracted to OCaml (extraction/), installed inside the package.

``pip install .`` builds it with dune and installs it as
``certigrad/bin/certigrad-ref``; the ``certigrad-ref`` command on PATH
(:func:`main`) runs that binary. ``$CERTIGRAD_REF``, when set, names another
binary (the tests point it at ``_build/default/extraction/certigrad-ref``).

The oracle is a separate process talking the text format of docs/format.md
on stdin/stdout (:func:`run_text`): a crash, a stack overflow or an
out-of-memory of the OCaml code ends that process, never the Python one, and
nothing of the OCaml runtime is linked into the extension.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

from .errors import DomainError, FormatError, GraphError, NumericalError, OracleError, OracleNotFound

__all__ = ["BUNDLED", "find", "run_text", "raise_oracle_error", "main"]

#: Where ``pip install .`` puts the oracle.
BUNDLED = Path(__file__).resolve().parent / "bin" / "certigrad-ref"


def find() -> Path:
    """The oracle binary: ``$CERTIGRAD_REF`` if set, else the one installed
    with the package. Raises :class:`~certigrad.errors.OracleNotFound`
    saying how to get one when it is not an executable file."""
    env = os.environ.get("CERTIGRAD_REF")
    path = Path(env) if env else BUNDLED
    if path.is_file() and os.access(path, os.X_OK):
        return path
    if env:
        raise OracleNotFound(f"the oracle certigrad-ref is not an executable file at "
                             f"$CERTIGRAD_REF={env}")
    raise OracleNotFound(
        f"the oracle certigrad-ref is not installed ({path} is missing): reinstall the package "
        "with `pip install .` from a checkout after `bash scripts/setup.sh` (it builds the "
        "oracle with dune), or set CERTIGRAD_REF to a built certigrad-ref")


def raise_oracle_error(line: str) -> None:
    """Raises the certigrad error of an oracle error line (docs/format.md):
    ``node '...': ... outside the domain`` is a DomainError, ``node '...':
    ... (non-finite result)`` a NumericalError, another ``node '...'`` error
    a GraphError, ``line N`` (N > 0) a FormatError, an
    internal error an OracleError."""
    msg = line[len("error: "):] if line.startswith("error: ") else line
    if msg.startswith("node '"):
        if msg.endswith("(non-finite result)"):
            raise NumericalError(msg)
        raise (DomainError if "outside the domain" in msg else GraphError)(msg)
    if msg.startswith("line ") and not msg.startswith("line 0:"):
        raise FormatError(msg)
    raise OracleError(f"certigrad-ref: {msg}")


def run_text(text: str, args: Sequence[str] = (), binary: Optional[Path] = None,
             timeout: Optional[float] = None) -> str:
    """The oracle's standard output on ``text`` (a ``certigrad-graph 1``
    text, or none for ``--ops`` and the like). Its error line (exit status
    1) raises through :func:`raise_oracle_error`; any other failure is an
    :class:`~certigrad.errors.OracleError`."""
    cmd = [str(binary if binary is not None else find()), *args]
    try:
        proc = subprocess.run(cmd, input=text.encode("utf-8"), capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise OracleError(f"certigrad-ref: no result within {timeout} s") from None
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0 or err:
        first = err.splitlines()[0] if err else ""
        if proc.returncode == 1 and first.startswith("error: "):
            raise_oracle_error(first)
        raise OracleError(f"certigrad-ref: exit status {proc.returncode}"
                          + (f": {first}" if first else ", no message"))
    return proc.stdout.decode("ascii")


def main() -> None:
    """The ``certigrad-ref`` command: runs the installed oracle with this
    process's arguments, stdin and stdout (docs/format.md)."""
    try:
        path = find()
    except OracleNotFound as e:
        print(f"certigrad-ref: error: {e}", file=sys.stderr)
        sys.exit(2)
    os.execv(str(path), [str(path), *sys.argv[1:]])
