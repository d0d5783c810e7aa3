"""MNIST loader: known facts of the shipped files, and clear errors that name
the missing, truncated or corrupt file."""

import gzip
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from certigrad import mnist

DATA = Path(__file__).resolve().parents[1] / "data" / "mnist"
NAMES = list(mnist.FILES.values())


@pytest.fixture(scope="module")
def shipped():
    return mnist.load_mnist(DATA)


def test_shipped_files_present_with_license():
    for name in NAMES:
        assert (DATA / (name + ".gz")).is_file()
    assert (DATA / "SHA256SUMS").is_file()
    assert "Creative Commons" in (DATA / "README.md").read_text()


def test_default_dir_is_shipped_data(monkeypatch, tmp_path):
    """The checkout's data/mnist, or the copy installed inside the package:
    the same four files either way, found from any working directory."""
    monkeypatch.delenv(mnist.ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    found = mnist.default_data_dir()
    assert found.is_absolute()
    assert (found / "SHA256SUMS").read_text() == (DATA / "SHA256SUMS").read_text()
    for name in NAMES:
        assert (found / (name + ".gz")).stat().st_size == (DATA / (name + ".gz")).stat().st_size
    monkeypatch.setenv(mnist.ENV_VAR, "/elsewhere")
    assert mnist.default_data_dir() == Path("/elsewhere")


def test_known_facts(shipped):
    assert shipped.train_images.shape == (60000, 28, 28)
    assert shipped.test_images.shape == (10000, 28, 28)
    assert shipped.train_labels.shape == (60000,)
    assert shipped.test_labels.shape == (10000,)
    assert shipped.train_images.dtype == np.uint8
    counts = np.bincount(shipped.train_labels, minlength=10)
    assert counts.tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(shipped.test_labels, minlength=10).sum() == 10000
    x = mnist.flatten_images(shipped.train_images, "float64")
    assert x.shape == (60000, 784)
    assert x.min() == 0.0 and x.max() == 1.0
    assert abs(x.mean() - 0.130660) < 5e-7
    assert abs(x.std() - 0.308108) < 5e-7


def test_flatten_float32(shipped):
    x = mnist.flatten_images(shipped.test_images[:5])
    assert x.dtype == np.float32 and x.shape == (5, 784)
    np.testing.assert_array_equal(x[0], shipped.test_images[0].ravel() / np.float32(255))


def _copy(tmp_path, names=NAMES, gz=True, sums=True):
    d = tmp_path / "mnist"
    d.mkdir()
    for name in names:
        if gz:
            shutil.copyfile(DATA / (name + ".gz"), d / (name + ".gz"))
        else:
            with gzip.open(DATA / (name + ".gz"), "rb") as f:
                (d / name).write_bytes(f.read())
    if sums:
        shutil.copyfile(DATA / "SHA256SUMS", d / "SHA256SUMS")
    return d


def test_missing_directory(tmp_path):
    with pytest.raises(mnist.MnistError, match="nowhere.*missing"):
        mnist.load_mnist(tmp_path / "nowhere")


def test_missing_file(tmp_path):
    d = _copy(tmp_path, names=[n for n in NAMES if n != "t10k-labels-idx1-ubyte"])
    with pytest.raises(mnist.MnistError, match="t10k-labels-idx1-ubyte.*missing") as e:
        mnist.load_mnist(d)
    assert e.value.path.name == "t10k-labels-idx1-ubyte.gz"


def test_corrupt_gz_checksum(tmp_path):
    d = _copy(tmp_path)
    p = d / "train-labels-idx1-ubyte.gz"
    raw = bytearray(p.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    p.write_bytes(bytes(raw))
    with pytest.raises(mnist.MnistError) as e:
        mnist.load_mnist(d)
    assert e.value.path == p
    assert "train-labels-idx1-ubyte.gz" in str(e.value)
    assert "corrupt" in str(e.value)


def test_truncated_gz(tmp_path):
    d = _copy(tmp_path)
    p = d / "t10k-labels-idx1-ubyte.gz"
    p.write_bytes(p.read_bytes()[:2000])
    with pytest.raises(mnist.MnistError, match=r"t10k-labels-idx1-ubyte\.gz: truncated"):
        mnist.load_mnist(d)


def test_not_gzip(tmp_path):
    d = _copy(tmp_path, sums=False)
    p = d / "train-labels-idx1-ubyte.gz"
    p.write_bytes(b"this is not gzip data at all" * 10)
    with pytest.raises(mnist.MnistError, match=r"train-labels-idx1-ubyte\.gz: corrupt gzip"):
        mnist.load_mnist(d)


def test_plain_files_and_no_sha256sums(tmp_path):
    d = _copy(tmp_path, gz=False, sums=False)
    data = mnist.load_mnist(d)
    assert np.bincount(data.train_labels)[1] == 6742
    assert data.test_images.shape == (10000, 28, 28)


def test_plain_file_corrupt_detected_by_idx_checksum(tmp_path):
    # No SHA256SUMS: the decompressed checksums still catch a changed pixel.
    d = _copy(tmp_path, gz=False, sums=False)
    p = d / "t10k-images-idx3-ubyte"
    raw = bytearray(p.read_bytes())
    raw[5000] ^= 0x01
    p.write_bytes(bytes(raw))
    with pytest.raises(mnist.MnistError, match=r"t10k-images-idx3-ubyte: corrupt: SHA-256"):
        mnist.load_mnist(d)


def test_plain_file_truncated(tmp_path):
    d = _copy(tmp_path, gz=False, sums=False)
    p = d / "train-labels-idx1-ubyte"
    p.write_bytes(p.read_bytes()[:-7])
    with pytest.raises(mnist.MnistError, match=r"train-labels-idx1-ubyte: truncated: header says shape \(60000,\)"):
        mnist.load_mnist(d)


def test_bad_sha256sums_file(tmp_path):
    d = _copy(tmp_path)
    (d / "SHA256SUMS").write_text("nonsense\n")
    with pytest.raises(mnist.MnistError, match="SHA256SUMS: line 1"):
        mnist.load_mnist(d)


def _write_idx(path, arr):
    code = {np.dtype("uint8"): 0x08, np.dtype(">i4"): 0x0C}[arr.dtype]
    header = bytes([0, 0, code, arr.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in arr.shape)
    data = header + arr.tobytes()
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        Path(path).write_bytes(data)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_load_idx_roundtrip(tmp_path, suffix):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    _write_idx(tmp_path / ("a" + suffix), a)
    np.testing.assert_array_equal(mnist.load_idx(tmp_path / ("a" + suffix)), a)
    b = np.array([-5, 7, 1 << 20], dtype=">i4")
    _write_idx(tmp_path / ("b" + suffix), b)
    out = mnist.load_idx(tmp_path / ("b" + suffix))
    assert out.dtype == np.int32 and out.tolist() == [-5, 7, 1 << 20]


def test_load_idx_bad_magic(tmp_path):
    (tmp_path / "x").write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(mnist.MnistError, match="not an IDX file"):
        mnist.load_idx(tmp_path / "x")


def test_load_idx_trailing_bytes(tmp_path):
    _write_idx(tmp_path / "x", np.zeros(3, np.uint8))
    with open(tmp_path / "x", "ab") as f:
        f.write(b"\0")
    with pytest.raises(mnist.MnistError, match="1 bytes after the data"):
        mnist.load_idx(tmp_path / "x")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read unreadable files")
def test_unreadable_file(tmp_path):
    d = _copy(tmp_path)
    p = d / "train-labels-idx1-ubyte.gz"
    p.chmod(0)
    with pytest.raises(mnist.MnistError, match="train-labels-idx1-ubyte.gz: cannot read"):
        mnist.load_mnist(d)
