"""Regression tests of issue 15's first list: bad or extreme inputs that got
a silent wrong number, a crash or an unclear error. Each test fails on the
code before the fix."""

from __future__ import annotations

import gzip
import math
import re
import struct

import numpy as np
import pytest

import certigrad as cg
from certigrad import interchange, mnist
from harness import oracle


def raises(exc, msg):
    return pytest.raises(exc, match="^" + re.escape(msg))


# ------------------------------------------------ exp / log / sigmoid range
EXTREME = np.array([-1000.0, -800.0, -745.0, -744.0, -740.0, -709.9, -709.0, -100.0, -0.5, 0.0,
                    3.0, 88.8, 700.0, 709.0, 709.7])


def unary_values(op: str, x: np.ndarray, dtype: str = "float64") -> np.ndarray:
    g = cg.Graph()
    v = g.input("x", x.shape)
    g.det("y", getattr(cg, op)(v))
    return cg.Runtime(g, dtype=dtype).run({"x": x.astype(dtype)}, values=True,
                                          backprop=False).values["y"]


def oracle_values(op: str, x: np.ndarray) -> np.ndarray:
    text = "\n".join(["certigrad-graph 1", f"input x : {x.size}", f"det y : {x.size} = {op} x",
                      "value x " + " ".join(repr(float(v)) for v in x), "end", ""])
    return oracle.run(text)["values"]["y"]


def sigmoid_ref(x: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def test_exp_underflows_as_libm() -> None:
    """exp(-745) is the smallest subnormal and exp(-800) is 0, as numpy and
    the oracle say (Eigen's pexp clamped its argument and gave 5.6e-309)."""
    y = unary_values("exp", EXTREME)
    for ref in (np.exp(EXTREME), oracle_values("exp", EXTREME)):
        np.testing.assert_allclose(y, ref, rtol=1e-15, atol=0)
        far = np.abs(EXTREME) > 708  # computed by libm: the same bits
        np.testing.assert_array_equal(y[far], ref[far])
    assert y[2] == 5e-324 and y[1] == 0.0


@pytest.mark.parametrize("op", ["sigmoid", "softplus"])
def test_sigmoid_softplus_match_the_oracle_over_the_range(op) -> None:
    y = unary_values(op, EXTREME)
    ref = oracle_values(op, EXTREME)
    np.testing.assert_allclose(y, ref, rtol=1e-14, atol=0)
    if op == "sigmoid":
        np.testing.assert_allclose(y, sigmoid_ref(EXTREME), rtol=1e-14, atol=0)
        assert y[0] == 0.0 and y[2] == 5e-324


def test_float32_exp_underflow() -> None:
    x = np.array([-80.0, -90.0, -103.0, -110.0, 88.0])
    y = unary_values("exp", x, "float32")
    ref = np.exp(x.astype(np.float32))
    np.testing.assert_allclose(y, ref, rtol=3e-7, atol=0)
    np.testing.assert_array_equal(y[1:4], ref[1:4])  # |x| > 87: libm's bits
    assert y[3] == 0.0 and y[2] == np.float32(1.4e-45)


def test_log_of_subnormals() -> None:
    x = np.array([5e-324, 1e-310, 2.2250738585072014e-308, 1.0])
    np.testing.assert_allclose(unary_values("log", x), np.log(x), rtol=1e-15)


def log_sigmoid_graph() -> cg.Graph:
    g = cg.Graph()
    x = g.param("x", (1,))
    g.cost(g.det("c", cg.sum(cg.log(cg.sigmoid(x)))))
    return g


def test_log_sigmoid_of_very_negative() -> None:
    """ln sigmoid(-740) is about -740 (it came out as -708.4); sigmoid(-1000)
    rounds to 0 in float64, so its log is a domain error, as in the oracle."""
    res = cg.Runtime(log_sigmoid_graph()).run({"x": np.array([-740.0])}, backprop=False)
    assert abs(res.total - (-740.0)) < 0.5
    with raises(cg.DomainError, "node 'c.1': log: entry 0 is 0, outside the domain"):
        cg.Runtime(log_sigmoid_graph()).run({"x": np.array([-1000.0])})
    text = "\n".join(["certigrad-graph 1", "param x : 1", "det s : 1 = sigmoid x",
                      "det l : 1 = log s", "det c : = sum l", "cost c", "value x -1000", "end", ""])
    with pytest.raises(oracle.OracleError, match="node 'l': log: entry 0 is 0, outside"):
        oracle.run(text)


def test_divide_by_underflowed_exp_is_a_domain_error() -> None:
    g = cg.Graph()
    a = g.input("a", (1,))
    b = g.input("b", (1,))
    g.cost(g.det("c", cg.sum(b / cg.exp(a))))
    with raises(cg.DomainError, "node 'c.1': div: entry 0 of y is 0, outside the domain"):
        cg.Runtime(g).run({"a": np.array([-1000.0]), "b": np.array([1.0])})


# ------------------------------------------------ element counts
@pytest.mark.parametrize("shape", [(2 ** 62 + 1, 4), (2 ** 32, 2 ** 32), (2 ** 61,), (2 ** 70, 1)])
def test_element_count_overflow_is_a_shape_error(shape) -> None:
    g = cg.Graph()
    with pytest.raises(cg.ShapeError, match=r"^node 'z': shape \[.*\] has too many entries"):
        g.sample("z", cg.mvn_std(shape))
    assert "z" not in g and not g.nodes
    with pytest.raises(cg.ShapeError, match="^node 'x': shape"):
        g.input("x", shape)


def test_inferred_gemm_shape_overflow() -> None:
    g = cg.Graph()
    a = g.input("a", (2 ** 40, 1))
    b = g.input("b", (1, 2 ** 40))
    with pytest.raises(cg.ShapeError, match=r"^node 'h': shape \[1099511627776; 1099511627776\]"):
        g.det("h", a @ b)


def test_cpp_checker_counts_without_overflow() -> None:
    """The C++ checker (the one place in C++) on a spec that bypasses the DSL."""
    from certigrad import _core
    for dims in ([2 ** 62 + 1, 4], [2 ** 32, 2 ** 32]):
        spec = ([], [("z", True, "mvn_std", 0.0, [], dims)], [])
        with pytest.raises(cg.ShapeError, match=r"^node 'z': shape \[.*\] has too many entries"):
            _core.check(spec)
        with pytest.raises(cg.ShapeError):
            _core.Runtime64(spec, 1)


def test_unallocatable_buffer_is_a_shape_error() -> None:
    from certigrad import _core
    spec = ([], [("z", True, "mvn_std", 0.0, [], [2 ** 30, 2 ** 29])], [])
    with pytest.raises(cg.ShapeError, match=r"^node 'z': cannot allocate the 576460752303423488"):
        _core.Runtime64(spec, 1)


# ------------------------------------------------ threads
def gemm_graph() -> cg.Graph:
    g = cg.Graph()
    a = g.param("a", (300, 300))
    b = g.input("b", (300, 300))
    g.cost(g.det("c", cg.sum(a @ b)))
    return g


@pytest.mark.parametrize("n", [0, -1, 257, 100000, 2 ** 40, True, 2.0])
def test_thread_count_is_bounded(n) -> None:
    with raises(cg.CertigradError, f"threads must be an int between 1 and 256, got {n!r}"):
        cg.Runtime(gemm_graph(), threads=n)
    rt = cg.Runtime(gemm_graph())
    with raises(cg.CertigradError, "threads must be an int between 1 and 256"):
        rt.threads = n


def test_cpp_thread_count_is_bounded() -> None:
    from certigrad import _core
    spec = gemm_graph().spec()
    for n in (0, 100000):
        with raises(cg.CertigradError, f"threads must be between 1 and 256, got {n}"):
            _core.Runtime64(spec, n)
    rt = _core.Runtime64(spec, 1)
    with raises(cg.CertigradError, "threads must be between 1 and 256, got 100000"):
        rt.threads = 100000


def test_256_threads_run() -> None:
    f = {"a": np.full((300, 300), 0.5), "b": np.full((300, 300), 2.0)}
    res = cg.Runtime(gemm_graph(), threads=256).run(f)
    assert res.total == 300.0 ** 3
    np.testing.assert_array_equal(res.grads["a"], np.full((300, 300), 600.0))


THREAD_LIMIT_SCRIPT = """
import resource, numpy as np, certigrad as cg
g = cg.Graph(); a = g.param("a", (300, 300)); b = g.input("b", (300, 300))
g.cost(g.det("c", cg.sum(a @ b)))
# address space for a few more thread stacks only
vm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmSize"))
resource.setrlimit(resource.RLIMIT_AS, ((vm << 10) + (32 << 20),) * 2)
try:
    cg.Runtime(g, threads=64)
except cg.CertigradError as e:
    print("error:", e)
"""


def test_thread_creation_failure_is_an_error() -> None:
    """Threads that cannot be created: an error, not an exit from libgomp."""
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", THREAD_LIMIT_SCRIPT], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("error: cannot create 64 threads"), out.stdout


# ------------------------------------------------ frozen graphs
def test_graph_frozen_once_a_runtime_is_built() -> None:
    g = cg.Graph()
    x = g.param("x", (2,))
    c1 = g.det("c1", cg.sum(x))
    g.cost(c1)
    rt = cg.Runtime(g)
    msg = "the graph is frozen (a Runtime was built from it)"
    c2 = None
    with pytest.raises(cg.GraphError, match=re.escape(msg)):
        c2 = g.det("c2", cg.sum(cg.exp(x)))
    assert c2 is None and "c2" not in g
    with pytest.raises(cg.GraphError, match="^node 'y': " + re.escape(msg)):
        g.input("y", (2,))
    with pytest.raises(cg.GraphError, match="^node 'x': " + re.escape(msg)):
        g.cost(x)
    assert g.costs == ["c1"] and g.frozen
    assert rt.run({"x": np.array([1.0, 2.0])}).total == 3.0


# ------------------------------------------------ Adam
@pytest.mark.parametrize("gs", [math.inf, -math.inf, math.nan, 0.0, -1.0, "1"])
def test_adam_grad_scale_must_be_finite_positive(gs) -> None:
    g = cg.Graph()
    w = g.param("w", (2,))
    g.cost(g.det("c", cg.sum(w * w)))
    opt = cg.Adam(cg.Runtime(g), {"w": np.ones(2)})
    with raises(cg.FeedError, f"grad_scale must be finite and > 0, got {gs!r}"):
        opt.step({}, grad_scale=gs)
    np.testing.assert_array_equal(opt.params()["w"], np.ones(2))
    with raises(cg.FeedError, "grad_scale must be finite and > 0"):
        opt._opt.step({}, None, None, math.inf if not isinstance(gs, str) else 0.0)
    assert opt.step({}, grad_scale=np.float32(0.5)) == 2.0


# ------------------------------------------------ interchange, IDX
@pytest.mark.parametrize("bad", [b"certigrad-graph 1\nend\n", bytearray(b"x"), None, 3])
def test_interchange_load_non_text(bad) -> None:
    with pytest.raises(cg.FormatError, match=r"^line 1: the text must be a str, got "):
        interchange.load(bad)
    with pytest.raises(cg.FormatError, match=r"^line 1: the text must be a str"):
        interchange.load_result(bad)


def test_interchange_load_bytes_hint() -> None:
    with pytest.raises(cg.FormatError, match=re.escape("got bytes (decode it first")):
        interchange.load(b"certigrad-graph 1\nend\n")


def _idx(code: int, data: bytes, dims: tuple[int, ...]) -> bytes:
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + data


def test_changed_idx_type_code_is_reported_as_such(tmp_path) -> None:
    p = tmp_path / "labels"
    p.write_bytes(_idx(0x0D, bytes(range(10)), (10,)))  # uint8 data, float32 code
    with pytest.raises(mnist.MnistError, match=re.escape(
            "IDX type code 0x0d (float32) does not fit the file's length (18 bytes for shape "
            "(10,)); type code 0x08 would")):
        mnist.load_idx(p)
    with pytest.raises(mnist.MnistError, match=re.escape(
            "IDX type code 0x0d (float32), expected 0x08 (uint8)")):
        mnist.load_idx(p, type_code=0x08)
    p.write_bytes(_idx(0x07, bytes(range(10)), (10,)))
    with pytest.raises(mnist.MnistError, match=re.escape("unknown IDX type code 0x07")):
        mnist.load_idx(p)


def test_load_mnist_checks_the_type_code(tmp_path) -> None:
    import shutil
    src = mnist.default_data_dir()
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    name = "t10k-labels-idx1-ubyte.gz"
    raw = bytearray(gzip.decompress((tmp_path / name).read_bytes()))
    raw[2] = 0x0B  # int16
    with gzip.open(tmp_path / name, "wb") as f:
        f.write(bytes(raw))
    with pytest.raises(mnist.MnistError, match=re.escape("IDX type code 0x0b (int16), expected "
                                                         "0x08 (uint8)")):
        mnist.load_mnist(tmp_path, verify=False)


# ------------------------------------------------ found by tests/test_fuzz_api.py
def test_mvn_std_of_a_non_shape() -> None:
    for bad in (1.5, None):
        with raises(cg.GraphError, f"mvn_std: a shape is a tuple of ints, got {bad!r}"):
            cg.mvn_std(bad)


def test_run_with_feeds_none() -> None:
    g = cg.Graph()
    g.cost(g.input("a", ()))
    with raises(cg.FeedError, "feed must be a dict name -> array, got NoneType"):
        cg.Runtime(g).run(None)


def test_interchange_lines_end_at_newline_only() -> None:
    """A vertical tab or form feed is no line end (str.splitlines took them as
    one), a carriage return is a space: as in the oracle (docs/format.md)."""
    good = "certigrad-graph 1\ninput a :\ncost a\nvalue a 1\nend\n"
    for sep in ("\x0b", "\x0c", "\x1c", "\u2028"):
        text = good.replace("\ninput", sep + "input")
        with pytest.raises(cg.FormatError, match="^line 1: expected header"):
            interchange.load(text)
        with pytest.raises(oracle.OracleError, match="line 1: expected the header"):
            oracle.run(text)
    g, feeds, _ = interchange.load(good.replace("\n", "\r\n").replace(" :", "\t:"))
    assert g.costs == ["a"] and feeds["a"] == 1.0
