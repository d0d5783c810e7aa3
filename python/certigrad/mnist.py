"""MNIST loader for the standard IDX files, plain or gzipped, with checksums.

The four files (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``,
``t10k-images-idx3-ubyte``, ``t10k-labels-idx1-ubyte``) are looked up in a
directory, each either gzipped (``NAME.gz``, preferred) or plain (``NAME``).
Every file is checked before use:

* a ``.gz`` file against the directory's ``SHA256SUMS`` (when it lists it);
* the decompressed bytes against the checksums of the standard IDX files
  (``IDX_SHA256`` below, the same as in ``data/mnist/README.md``);
* the IDX header (magic number, dimensions) against the file's length.

Any failure raises :class:`MnistError`, whose message names the file and says
what is missing, truncated or corrupt.

The repository ships the gzipped files in ``data/mnist/`` (see its README for
the attribution and license); :func:`default_data_dir` finds them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "FILES",
    "IDX_SHA256",
    "Mnist",
    "MnistError",
    "default_data_dir",
    "load_idx",
    "load_mnist",
    "flatten_images",
    "read_sha256sums",
]

#: (split, part) -> IDX file name (without ``.gz``).
FILES = {
    ("train", "images"): "train-images-idx3-ubyte",
    ("train", "labels"): "train-labels-idx1-ubyte",
    ("test", "images"): "t10k-images-idx3-ubyte",
    ("test", "labels"): "t10k-labels-idx1-ubyte",
}

#: SHA-256 of the decompressed standard IDX files (stable whatever gzip made the .gz).
IDX_SHA256 = {
    "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

#: Expected (count, *item shape) of each standard file.
_SHAPES = {
    "train-images-idx3-ubyte": (60000, 28, 28),
    "train-labels-idx1-ubyte": (60000,),
    "t10k-images-idx3-ubyte": (10000, 28, 28),
    "t10k-labels-idx1-ubyte": (10000,),
}

# IDX type codes (third byte of the magic number) -> big-endian numpy dtype.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

ENV_VAR = "CERTIGRAD_MNIST"


class MnistError(ValueError):
    """A data file is missing, truncated or corrupt; the message names it."""

    def __init__(self, path, problem: str):
        self.path = Path(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


@dataclass(frozen=True)
class Mnist:
    """The four arrays: images ``(n, 28, 28)`` uint8, labels ``(n,)`` uint8."""

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray


def default_data_dir() -> Path:
    """Where the MNIST files are by default.

    ``$CERTIGRAD_MNIST`` if set; else ``data/mnist`` of the source checkout
    this module lives in (the files ship with the repository); else the copy
    installed inside the package (``pip install .`` puts it there); else
    ``data/mnist`` under the current directory.
    """
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[1] / "data" / "mnist", here / "data" / "mnist"):
        if candidate.is_dir():
            return candidate
    return Path("data") / "mnist"


def read_sha256sums(path) -> dict[str, str]:
    """Parse a ``sha256sum``-style file: ``HEX  NAME`` (or ``HEX *NAME``) per line."""
    path = Path(path)
    sums: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise MnistError(path, f"cannot read checksum file ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise MnistError(path, "checksum file is not text") from None
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        digest = parts[0].lower()
        if len(parts) != 2 or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise MnistError(path, f"line {lineno} is not 'SHA256  NAME'")
        sums[parts[1].lstrip("*").strip()] = digest
    return sums


def _parse_idx(path: Path, raw: bytes, type_code: int | None = None) -> np.ndarray:
    if len(raw) < 4:
        raise MnistError(path, f"truncated: {len(raw)} bytes, shorter than an IDX header")
    if raw[0] != 0 or raw[1] != 0:
        raise MnistError(path, f"not an IDX file (magic bytes {raw[:4].hex()})")
    if raw[2] not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02x}" for c in _IDX_DTYPES)
        raise MnistError(path, f"unknown IDX type code 0x{raw[2]:02x} (magic bytes "
                               f"{raw[:4].hex()}; known codes: {known})")
    if type_code is not None and raw[2] != type_code:
        raise MnistError(path, f"IDX type code 0x{raw[2]:02x} ({_IDX_DTYPES[raw[2]].name}), "
                               f"expected 0x{type_code:02x} ({_IDX_DTYPES[type_code].name})")
    dtype = _IDX_DTYPES[raw[2]]
    ndim = raw[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(raw) < header:
        raise MnistError(path, f"truncated or corrupt IDX header ({ndim} dimensions, {len(raw)} bytes)")
    dims = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = header + int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    fits = [c for c, d in _IDX_DTYPES.items()
            if c != raw[2] and header + int(np.prod(dims, dtype=np.int64)) * d.itemsize == len(raw)]
    if len(raw) != expected and fits:
        raise MnistError(path, f"IDX type code 0x{raw[2]:02x} ({dtype.name}) does not fit the "
                               f"file's length ({len(raw)} bytes for shape {dims}); type code "
                               f"0x{fits[0]:02x} would")
    if len(raw) < expected:
        raise MnistError(
            path, f"truncated: header says shape {dims} ({expected} bytes), file has {len(raw)} bytes"
        )
    if len(raw) > expected:
        raise MnistError(
            path, f"corrupt: {len(raw) - expected} bytes after the data of shape {dims}"
        )
    arr = np.frombuffer(raw, dtype=dtype, offset=header).reshape(dims)
    return arr.astype(dtype.newbyteorder("="), copy=True)


def _read_bytes(path: Path) -> bytes:
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as f:
                return f.read()
        return path.read_bytes()
    except FileNotFoundError:
        raise MnistError(path, "missing") from None
    except EOFError:
        raise MnistError(path, "truncated: the gzip stream ends early") from None
    except (gzip.BadGzipFile, zlib.error) as e:
        raise MnistError(path, f"corrupt gzip data ({e})") from None
    except OSError as e:
        raise MnistError(path, f"cannot read ({e.strerror or e})") from None


def load_idx(path, sha256: str | None = None, gz_sha256: str | None = None,
             type_code: int | None = None) -> np.ndarray:
    """Read one IDX file (gzipped when its name ends in ``.gz``).

    ``gz_sha256`` checks the file's own bytes (the .gz), ``sha256`` the
    decompressed IDX bytes, ``type_code`` the IDX type code (0x08: uint8).
    Raises :class:`MnistError` naming ``path``.
    """
    path = Path(path)
    if not path.is_file():
        raise MnistError(path, "missing" if not path.exists() else "not a regular file")
    if gz_sha256 is not None:
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            raise MnistError(path, f"cannot read ({e.strerror or e})") from None
        if digest != gz_sha256.lower():
            # Say *why* when we can: a truncated gzip is the common case.
            _read_bytes(path)
            raise MnistError(path, f"corrupt: SHA-256 {digest} does not match SHA256SUMS ({gz_sha256})")
    raw = _read_bytes(path)
    arr = _parse_idx(path, raw, type_code)
    if sha256 is not None:
        digest = hashlib.sha256(raw).hexdigest()
        if digest != sha256.lower():
            raise MnistError(
                path, f"corrupt: SHA-256 of the IDX data is {digest}, expected {sha256}"
            )
    return arr


def _find(data_dir: Path, name: str) -> Path:
    for candidate in (data_dir / (name + ".gz"), data_dir / name):
        if candidate.exists():
            return candidate
    raise MnistError(data_dir / (name + ".gz"), f"missing (neither {name}.gz nor {name} is in {data_dir})")


def load_mnist(data_dir=None, verify: bool = True) -> Mnist:
    """Load the four MNIST files from ``data_dir`` (default: :func:`default_data_dir`).

    With ``verify`` (the default) every file is checked against its checksums
    and expected shape; any problem raises :class:`MnistError` naming the file.
    """
    data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
    if not data_dir.is_dir():
        raise MnistError(data_dir, "MNIST data directory is missing" if not data_dir.exists() else "not a directory")
    sums_path = data_dir / "SHA256SUMS"
    gz_sums = read_sha256sums(sums_path) if verify and sums_path.exists() else {}
    arrays = {}
    for (split, part), name in FILES.items():
        path = _find(data_dir, name)
        gz_sha = gz_sums.get(path.name) if path.suffix == ".gz" else None
        arr = load_idx(path, sha256=IDX_SHA256[name] if verify else None, gz_sha256=gz_sha,
                       type_code=0x08)
        if arr.shape != _SHAPES[name] or arr.dtype != np.uint8:
            raise MnistError(path, f"unexpected contents: {arr.dtype} array of shape {arr.shape}, expected uint8 {_SHAPES[name]}")
        arrays[f"{split}_{part}"] = arr
    if verify and int(arrays["train_labels"].max()) > 9:
        raise MnistError(_find(data_dir, FILES[("train", "labels")]), "labels outside 0..9")
    return Mnist(**arrays)


def flatten_images(images: np.ndarray, dtype="float32") -> np.ndarray:
    """Images ``(n, 28, 28)`` uint8 -> ``(n, 784)`` in [0, 1] (row per image)."""
    out = images.reshape(images.shape[0], -1).astype(dtype)
    out /= np.asarray(255, dtype=dtype)
    return out
